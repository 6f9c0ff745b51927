package install_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestApply applies both installs to a real kube-apiserver: first a server-side dry
// run with strict field validation (what `kubectl apply --server-side --dry-run=server`
// reports is exactly what a real install would hit, minus the namespace ordering
// below), then for real, and probes the RBAC the operator ends up with.
//
// A dry run persists nothing, so the namespaced objects of a stream that also
// creates their Namespace would be rejected ("namespaces ... not found"). The
// namespaces are therefore created for real first; everything else, Namespace
// objects included, is then dry-run. (Helm, too, expects the namespace to exist or
// `--create-namespace`.)
func TestApply(t *testing.T) {
	// No controllers run here (only kube-apiserver and etcd), so the Deployment is
	// stored but never rolls out; what is tested is that every object is valid and
	// the RBAC wiring grants what it should.
	helmNS := "eo-helm"
	customNS := "eo-helm-custom"
	custom, err := helmTemplate(customNS, customValues...)
	if err != nil {
		t.Fatal(err)
	}
	chartInHelmNS, err := helmTemplate(helmNS)
	if err != nil {
		t.Fatal(err)
	}

	namespacedNS := "eo-helm-namespaced"
	// team-a and team-b are customValues' watchNamespaces: their Roles need them.
	for _, ns := range []string{namespace, helmNS, customNS, namespacedNS, "team-a", "team-b"} {
		kubectlRun(t, nil, "create", "namespace", ns)
	}

	for _, tc := range []struct {
		name   string
		stream []byte
	}{
		{"dist/install.yaml", installYAML},
		{"chart defaults in " + namespace, chartYAML},
		{"chart defaults in " + helmNS, chartInHelmNS},
		{"chart custom values in " + customNS, custom},
	} {
		t.Run("dry-run "+tc.name, func(t *testing.T) {
			out := kubectlRun(t, tc.stream, "apply", "--server-side", "--dry-run=server", "--validate=strict", "-f", "-")
			if n := strings.Count(out, "serverside-applied (server dry run)"); n != len(parse(t, tc.stream)) {
				t.Errorf("%d objects dry-run applied, want %d:\n%s", n, len(parse(t, tc.stream)), out)
			}
		})
	}

	// For real: the kustomize install, and the chart as a second release in another
	// namespace (its cluster-scoped names would collide with the first otherwise,
	// hence release "eo"). CRDs are shared; the second apply leaves them unchanged.
	kubectlRun(t, installYAML, "apply", "--server-side", "--validate=strict", "-f", "-")
	second, err := exec.Command(helm, "template", "eo", filepath.Join(repoRoot, chartPath),
		"--namespace", helmNS, "--include-crds").Output()
	if err != nil {
		t.Fatalf("helm template eo: %v", err)
	}
	kubectlRun(t, second, "apply", "--server-side", "--validate=strict", "-f", "-")
	// And a namespaced release watching team-a and team-b (release "eo-ns", for the
	// same reason).
	third, err := exec.Command(helm, "template", "eo-ns", filepath.Join(repoRoot, chartPath),
		"--namespace", namespacedNS, "--set", "watchNamespaces={team-a,team-b}").Output()
	if err != nil {
		t.Fatalf("helm template eo-ns: %v", err)
	}
	kubectlRun(t, third, "apply", "--server-side", "--validate=strict", "-f", "-")
	kubectlRun(t, nil, "wait", "--for=condition=Established", "--timeout=60s", "crd", "--all")
	kubectlRun(t, nil, "get", "-n", namespace, "deployment/enterprise-operator-controller-manager")
	kubectlRun(t, nil, "get", "-n", helmNS, "deployment/eo-enterprise-operator-controller-manager")
	kubectlRun(t, nil, "get", "-n", namespacedNS, "deployment/eo-ns-enterprise-operator-controller-manager")

	// Each install's annotation policy is bound, and the API server enforces it (a
	// policy reaches the admission plugin a moment after it is written).
	kubectlRun(t, nil, "get", "validatingadmissionpolicy/"+policyName, "validatingadmissionpolicybinding/"+policyName,
		"validatingadmissionpolicy/eo-enterprise-operator-annotations", "validatingadmissionpolicybinding/eo-enterprise-operator-annotations")
	badRole := []byte(`apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: EnterpriseRole
metadata:
  name: auditors
  namespace: ` + helmNS + `
  annotations:
    platform.enterprise-operator.dev/paused: "yes"
spec:
  enterpriseRef: {name: acme}
  name: Auditors
`)
	NewWithT(t).Eventually(func() string {
		out, _ := kubectlOutput(badRole, "create", "--dry-run=server", "-f", "-")
		return out
	}, 30*time.Second, 200*time.Millisecond).Should(ContainSubstring("denied request: " + msgPaused))
	out := kubectlRun(t, bytes.ReplaceAll(badRole, []byte(`"yes"`), []byte(`"true"`)), "create", "--dry-run=server", "-f", "-")
	if !strings.Contains(out, "created (server dry run)") {
		t.Errorf("a valid paused annotation: %s", out)
	}

	type probe struct {
		args []string
		want string
	}
	canI := func(sa string, probes []probe) {
		for _, p := range probes {
			// can-i exits 1 for "no"; the answer is on stdout, warnings on stderr.
			out, _ := exec.Command(kubectl, append([]string{"--kubeconfig", kubeconfig, "auth", "can-i", "--as", sa}, p.args...)...).Output()
			if got := strings.TrimSpace(string(out)); got != p.want {
				t.Errorf("%s can-i %s: %q, want %q", sa, strings.Join(p.args, " "), got, p.want)
			}
		}
	}
	// A sample of test/rbac's exact rules, as the installs bind them.
	for _, sa := range []string{
		"system:serviceaccount:" + namespace + ":enterprise-operator-controller-manager",
		"system:serviceaccount:" + helmNS + ":eo-enterprise-operator-controller-manager",
	} {
		ns := strings.Split(sa, ":")[2]
		canI(sa, []probe{
			{[]string{"list", "enterprises.platform.enterprise-operator.dev", "--all-namespaces"}, "yes"},
			{[]string{"get", "enterprises.platform.enterprise-operator.dev", "-n", "team-a"}, "no"},
			{[]string{"patch", "enterpriseusers.platform.enterprise-operator.dev/status", "-n", "team-a"}, "yes"},
			{[]string{"update", "enterpriseusers.platform.enterprise-operator.dev/status", "-n", "team-a"}, "no"},
			{[]string{"update", "domains.platform.enterprise-operator.dev/finalizers", "-n", "team-a"}, "no"},
			{[]string{"delete", "domains.platform.enterprise-operator.dev", "-n", "team-a"}, "yes"},
			{[]string{"delete", "enterprises.platform.enterprise-operator.dev", "-n", "team-a"}, "no"},
			{[]string{"create", "platformconfigs.platform.enterprise-operator.dev"}, "no"},
			{[]string{"create", "secrets", "-n", "team-a"}, "yes"},
			{[]string{"delete", "secrets", "-n", "team-a"}, "no"},
			{[]string{"watch", "namespaces"}, "yes"},
			{[]string{"get", "namespaces"}, "no"},
			{[]string{"create", "events.events.k8s.io", "-n", "team-a"}, "yes"},
			{[]string{"create", "events", "-n", ns}, "yes"},
			{[]string{"create", "leases.coordination.k8s.io", "-n", ns}, "yes"},
			{[]string{"delete", "leases.coordination.k8s.io", "-n", ns}, "no"},
			{[]string{"create", "leases.coordination.k8s.io", "-n", "team-a"}, "no"},
			{[]string{"create", "deployments.apps", "-n", ns}, "no"},
		})
	}
	// The namespaced release: Secrets and the namespaced kinds in team-a and team-b
	// only, the cluster-scoped kinds cluster-wide.
	canI("system:serviceaccount:"+namespacedNS+":eo-ns-enterprise-operator-controller-manager", []probe{
		{[]string{"list", "secrets", "--all-namespaces"}, "no"},
		{[]string{"watch", "secrets", "-n", "team-a"}, "yes"},
		{[]string{"create", "secrets", "-n", "team-b"}, "yes"},
		{[]string{"list", "secrets", "-n", "default"}, "no"},
		{[]string{"get", "secrets", "-n", namespacedNS}, "yes"},
		{[]string{"list", "secrets", "-n", namespacedNS}, "no"},
		{[]string{"list", "enterprises.platform.enterprise-operator.dev", "--all-namespaces"}, "no"},
		{[]string{"list", "enterprises.platform.enterprise-operator.dev", "-n", "team-a"}, "yes"},
		{[]string{"patch", "webhooks.platform.enterprise-operator.dev/status", "-n", "team-b"}, "yes"},
		{[]string{"patch", "webhooks.platform.enterprise-operator.dev/status", "-n", "default"}, "no"},
		{[]string{"watch", "platformconfigs.platform.enterprise-operator.dev"}, "yes"},
		{[]string{"patch", "platformconfigs.platform.enterprise-operator.dev/status"}, "yes"},
		{[]string{"watch", "namespaces"}, "yes"},
		{[]string{"create", "events.events.k8s.io", "-n", "team-a"}, "yes"},
		{[]string{"create", "events.events.k8s.io", "-n", "default"}, "yes"},
		{[]string{"create", "events.events.k8s.io", "-n", helmNS}, "no"},
		{[]string{"update", "leases.coordination.k8s.io", "-n", namespacedNS}, "yes"},
	})
}
