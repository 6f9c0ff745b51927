// Package install_test checks the two ways of installing enterprise-operator, the
// single manifest `make build-installer` writes (dist/install.yaml, from
// config/default) and the Helm chart in charts/enterprise-operator:
//
//   - both are accepted by a real kube-apiserver (server-side dry-run with strict
//     field validation, then a real apply whose RBAC is probed with `kubectl auth can-i`);
//   - the chart ships the generated CRDs and RBAC rules byte for byte and renders the
//     same CRDs, ClusterRole and leader-election Role rules as kustomize, and with
//     watchNamespaces the same Roles, ClusterRole and bindings as config/namespaced;
//   - with default values the chart's Deployment runs the manager exactly as
//     config/manager does (args, ports, probes, security contexts, resources);
//   - the chart's values reach the manager's flags, and IMG reaches the manifest;
//   - the annotation ValidatingAdmissionPolicy and its binding (config/policy) are in
//     dist/install.yaml, the kustomize render of config/default and the chart, and
//     refuse a bad annotation once applied.
//
// It needs helm (built into bin/ by `make helm`, which the test runs: a no-op once
// installed, about two minutes cold) and kube-apiserver, etcd and kubectl (from
// KUBEBUILDER_ASSETS, or hack/setup-envtest.sh). `go test -short` skips it.
package install_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"enterprise-operator/test/testenv"
)

const (
	// releaseName and namespace make the chart's object names and namespace equal to
	// config/default's (namePrefix enterprise-operator-, namespace
	// enterprise-operator-system), so the two renders can be compared object by object.
	releaseName = "enterprise-operator"
	namespace   = "enterprise-operator-system"
	chartPath   = "charts/enterprise-operator"
)

// Set up once by TestMain.
var (
	repoRoot   string
	helm       string
	kubectl    string
	kubeconfig string
	// installYAML is dist/install.yaml as `make build-installer` wrote it.
	installYAML []byte
	// chartYAML is `helm template --include-crds` of the chart with default values.
	chartYAML []byte
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse() // for testing.Short
	if testing.Short() {
		fmt.Println("skipping test/install in -short mode: it needs helm and a control plane")
		return 0
	}
	var err error
	if repoRoot, err = testenv.RepoRoot(); err != nil {
		return fail(err)
	}
	helm = filepath.Join(repoRoot, "bin", "helm")
	if out, err := runMake("helm"); err != nil {
		return fail(fmt.Errorf("make helm: %w\n%s", err, out))
	}
	if out, err := runMake("build-installer"); err != nil {
		return fail(fmt.Errorf("make build-installer: %w\n%s", err, out))
	}
	if installYAML, err = os.ReadFile(filepath.Join(repoRoot, "dist", "install.yaml")); err != nil {
		return fail(err)
	}
	if chartYAML, err = helmTemplate(namespace); err != nil {
		return fail(err)
	}

	dir, err := os.MkdirTemp("", "eo-install-test-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	// No CRDs: the installs bring their own. kubectl talks to the apiserver as a
	// cluster admin, like whoever installs the operator; the operator's own
	// permissions are then probed with --as.
	env, err := testenv.Start(context.Background(), testenv.Options{
		Log: os.Stderr, NoCRDs: true, Kubeconfig: filepath.Join(dir, "kubeconfig"),
	})
	if err != nil {
		return fail(err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
		}
	}()
	kubectl, kubeconfig = env.Kubectl, env.Kubeconfig
	return m.Run()
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "test/install:", err)
	return 1
}

// runMake runs a Makefile target in the repository root.
func runMake(args ...string) ([]byte, error) {
	return exec.Command("make", append([]string{"--no-print-directory", "-C", repoRoot}, args...)...).CombinedOutput()
}

// helmTemplate renders the chart, CRDs included, as release releaseName in ns.
func helmTemplate(ns string, args ...string) ([]byte, error) {
	cmd := exec.Command(helm, append([]string{"template", releaseName, chartPath,
		"--namespace", ns, "--include-crds"}, args...)...)
	cmd.Dir = repoRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("helm template %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// kubectlRun runs kubectl against the test's kube-apiserver as the admin user.
func kubectlRun(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	out, err := kubectlOutput(stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func kubectlOutput(stdin []byte, args ...string) (string, error) {
	cmd := exec.Command(kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// object is one document of a rendered YAML stream.
type object struct {
	u *unstructured.Unstructured
}

func (o object) key() string {
	return o.u.GetKind() + "/" + o.u.GetNamespace() + "/" + o.u.GetName()
}

// parse splits a multi-document YAML stream into objects, skipping empty documents.
func parse(t *testing.T, stream []byte) []object {
	t.Helper()
	us, err := testenv.DecodeYAML(stream)
	if err != nil {
		t.Fatalf("parsing the rendered manifests: %v", err)
	}
	objs := make([]object, 0, len(us))
	for _, u := range us {
		objs = append(objs, object{u})
	}
	return objs
}

// byKind returns the objects of one kind, keyed by name.
func byKind(objs []object, kind string) map[string]object {
	m := map[string]object{}
	for _, o := range objs {
		if o.u.GetKind() == kind {
			m[o.u.GetName()] = o
		}
	}
	return m
}

// byNamespacedKind returns the objects of one kind in namespace ns, keyed by name.
func byNamespacedKind(objs []object, kind, ns string) map[string]*unstructured.Unstructured {
	m := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		if o.u.GetKind() == kind && o.u.GetNamespace() == ns {
			m[o.u.GetName()] = o.u
		}
	}
	return m
}

// one returns the only object of kind named name, converted to T.
func one[T any](t *testing.T, objs []object, kind, name string) *T {
	t.Helper()
	o, ok := byKind(objs, kind)[name]
	if !ok {
		t.Fatalf("no %s %q in the render", kind, name)
	}
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.u.Object, out); err != nil {
		t.Fatalf("%s %q: %v", kind, name, err)
	}
	return out
}

// TestChartShipsGeneratedFiles fails when `make manifests` changed the CRDs or the
// RBAC rules, or config/policy changed, and the chart's copies were not refreshed
// with `make helm-crds`.
func TestChartShipsGeneratedFiles(t *testing.T) {
	bases, err := filepath.Glob(filepath.Join(repoRoot, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(bases) == 0 {
		t.Fatalf("no CRDs in config/crd/bases: %v", err)
	}
	shipped, err := filepath.Glob(filepath.Join(repoRoot, chartPath, "crds", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	base := func(paths []string) []string {
		var names []string
		for _, p := range paths {
			names = append(names, filepath.Base(p))
		}
		slices.Sort(names)
		return names
	}
	if diff := cmp.Diff(base(bases), base(shipped)); diff != "" {
		t.Errorf("%s/crds holds other files than config/crd/bases; run `make helm-crds` (-bases +chart):\n%s", chartPath, diff)
	}
	pairs := map[string]string{
		filepath.Join(repoRoot, "config", "rbac", "role.yaml"):                  filepath.Join(repoRoot, chartPath, "files", "manager-role.yaml"),
		filepath.Join(repoRoot, "config", "rbac", "leader_election_role.yaml"):  filepath.Join(repoRoot, chartPath, "files", "leader-election-role.yaml"),
		filepath.Join(repoRoot, "config", "namespaced", "cluster", "role.yaml"): filepath.Join(repoRoot, chartPath, "files", "manager-cluster-role.yaml"),
		filepath.Join(repoRoot, "config", "namespaced", "watched", "role.yaml"): filepath.Join(repoRoot, chartPath, "files", "manager-namespaced-role.yaml"),
		filepath.Join(repoRoot, "config", "policy", "annotations_policy.yaml"):  filepath.Join(repoRoot, chartPath, "files", "annotations-policy.yaml"),
		filepath.Join(repoRoot, "config", "policy", "annotations_binding.yaml"): filepath.Join(repoRoot, chartPath, "files", "annotations-binding.yaml"),
	}
	for _, b := range bases {
		pairs[b] = filepath.Join(repoRoot, chartPath, "crds", filepath.Base(b))
	}
	for want, got := range pairs {
		w, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		g, err := os.ReadFile(got)
		if err != nil {
			t.Errorf("%v; run `make helm-crds`", err)
			continue
		}
		if !bytes.Equal(w, g) {
			rel, _ := filepath.Rel(repoRoot, got)
			t.Errorf("%s differs from %s; run `make helm-crds`", rel, want)
		}
	}
}

// TestSameContent compares the chart's default render with dist/install.yaml.
func TestSameContent(t *testing.T) {
	kust, chart := parse(t, installYAML), parse(t, chartYAML)

	t.Run("objects", func(t *testing.T) {
		keys := func(objs []object) []string {
			var ks []string
			for _, o := range objs {
				// Helm installs into an existing namespace (--create-namespace).
				if o.u.GetKind() != "Namespace" {
					ks = append(ks, o.key())
				}
			}
			slices.Sort(ks)
			return ks
		}
		if diff := cmp.Diff(keys(kust), keys(chart)); diff != "" {
			t.Errorf("the chart renders other objects than config/default (-kustomize +chart):\n%s", diff)
		}
	})

	t.Run("CRDs", func(t *testing.T) {
		want, got := byKind(kust, "CustomResourceDefinition"), byKind(chart, "CustomResourceDefinition")
		if len(want) == 0 {
			t.Fatal("dist/install.yaml has no CRDs")
		}
		for name := range want {
			w := one[apiextensionsv1.CustomResourceDefinition](t, kust, "CustomResourceDefinition", name)
			if _, ok := got[name]; !ok {
				t.Errorf("the chart does not render CRD %s", name)
				continue
			}
			g := one[apiextensionsv1.CustomResourceDefinition](t, chart, "CustomResourceDefinition", name)
			if diff := cmp.Diff(w.Spec, g.Spec); diff != "" {
				t.Errorf("CRD %s spec differs (-kustomize +chart):\n%s", name, diff)
			}
			if diff := cmp.Diff(w.Annotations, g.Annotations); diff != "" {
				t.Errorf("CRD %s annotations differ (-kustomize +chart):\n%s", name, diff)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("the chart renders CRD %s that config/default does not", name)
			}
		}
	})

	t.Run("ClusterRole", func(t *testing.T) {
		name := releaseName + "-manager-role"
		w := one[rbacv1.ClusterRole](t, kust, "ClusterRole", name)
		g := one[rbacv1.ClusterRole](t, chart, "ClusterRole", name)
		if len(w.Rules) == 0 {
			t.Fatal("config/rbac/role.yaml has no rules")
		}
		if diff := cmp.Diff(w.Rules, g.Rules); diff != "" {
			t.Errorf("ClusterRole rules differ (-kustomize +chart):\n%s", diff)
		}
	})

	t.Run("leader-election Role", func(t *testing.T) {
		name := releaseName + "-leader-election-role"
		w := one[rbacv1.Role](t, kust, "Role", name)
		g := one[rbacv1.Role](t, chart, "Role", name)
		if diff := cmp.Diff(w.Rules, g.Rules); diff != "" {
			t.Errorf("Role rules differ (-kustomize +chart):\n%s", diff)
		}
	})

	t.Run("bindings", func(t *testing.T) {
		for _, objs := range [][]object{kust, chart} {
			crb := one[rbacv1.ClusterRoleBinding](t, objs, "ClusterRoleBinding", releaseName+"-manager-rolebinding")
			rb := one[rbacv1.RoleBinding](t, objs, "RoleBinding", releaseName+"-leader-election-rolebinding")
			sa := []rbacv1.Subject{{Kind: "ServiceAccount", Name: releaseName + "-controller-manager", Namespace: namespace}}
			if diff := cmp.Diff(sa, crb.Subjects); diff != "" {
				t.Errorf("ClusterRoleBinding subjects (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(sa, rb.Subjects); diff != "" {
				t.Errorf("RoleBinding subjects (-want +got):\n%s", diff)
			}
			if crb.RoleRef.Name != releaseName+"-manager-role" || rb.RoleRef.Name != releaseName+"-leader-election-role" {
				t.Errorf("bindings refer to %q and %q", crb.RoleRef.Name, rb.RoleRef.Name)
			}
		}
	})

	t.Run("metrics Service", func(t *testing.T) {
		name := releaseName + "-metrics"
		for src, objs := range map[string][]object{"kustomize": kust, "chart": chart} {
			pods := one[appsv1.Deployment](t, objs, "Deployment", releaseName+"-controller-manager").Spec.Template.Labels
			svc := one[corev1.Service](t, objs, "Service", name)
			for k, v := range svc.Spec.Selector {
				if pods[k] != v {
					t.Errorf("%s: the metrics Service selects %s=%s, which the manager's pods do not carry", src, k, v)
				}
			}
			want := []corev1.ServicePort{{Name: "metrics", Port: 8080, TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP}}
			if diff := cmp.Diff(want, svc.Spec.Ports); diff != "" {
				t.Errorf("%s: metrics Service ports (-want +got):\n%s", src, diff)
			}
		}
	})

	t.Run("Deployment", func(t *testing.T) {
		name := releaseName + "-controller-manager"
		w := one[appsv1.Deployment](t, kust, "Deployment", name)
		g := one[appsv1.Deployment](t, chart, "Deployment", name)
		// Labels differ on purpose (the chart adds the app.kubernetes.io ones), and the
		// chart sets an explicit imagePullPolicy; everything that decides how the
		// manager runs must be equal.
		opts := cmp.Options{cmpopts.IgnoreFields(corev1.Container{}, "ImagePullPolicy")}
		if diff := cmp.Diff(w.Spec.Replicas, g.Spec.Replicas); diff != "" {
			t.Errorf("replicas differ (-kustomize +chart):\n%s", diff)
		}
		wp, gp := w.Spec.Template.Spec, g.Spec.Template.Spec
		if diff := cmp.Diff(wp, gp, opts); diff != "" {
			t.Errorf("pod specs differ (-kustomize +chart):\n%s", diff)
		}
		for k, v := range w.Spec.Selector.MatchLabels {
			if g.Spec.Selector.MatchLabels[k] != v {
				t.Errorf("the chart's selector lacks %s=%s", k, v)
			}
		}
	})
}

// TestNamespacedSameContent compares the chart rendered with watchNamespaces with the
// kustomize overlay config/namespaced (its example namespaces): the same objects, the
// same rules in the same namespaces, the same bindings and manager flags.
func TestNamespacedSameContent(t *testing.T) {
	out, err := exec.Command(kubectl, "kustomize", filepath.Join(repoRoot, "config", "namespaced")).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize config/namespaced: %v", err)
	}
	chartOut, err := helmTemplate(namespace, "--set", "watchNamespaces={tenant-a,tenant-b}")
	if err != nil {
		t.Fatal(err)
	}
	kust, chart := parse(t, out), parse(t, chartOut)
	keys := func(objs []object) []string {
		var ks []string
		for _, o := range objs {
			if o.u.GetKind() != "Namespace" {
				ks = append(ks, o.key())
			}
		}
		slices.Sort(ks)
		return ks
	}
	if diff := cmp.Diff(keys(kust), keys(chart)); diff != "" {
		t.Errorf("the chart renders other objects than config/namespaced (-kustomize +chart):\n%s", diff)
	}
	byKey := func(objs []object) map[string]*unstructured.Unstructured {
		m := map[string]*unstructured.Unstructured{}
		for _, o := range objs {
			m[o.key()] = o.u
		}
		return m
	}
	want, got := byKey(kust), byKey(chart)
	for key, w := range want {
		g, ok := got[key]
		if !ok {
			continue // reported above
		}
		var fields []string
		switch w.GetKind() {
		case "ClusterRole", "Role":
			fields = []string{"rules"}
		case "ClusterRoleBinding", "RoleBinding":
			fields = []string{"roleRef", "subjects"}
		default:
			continue
		}
		for _, f := range fields {
			if diff := cmp.Diff(w.Object[f], g.Object[f]); diff != "" {
				t.Errorf("%s %s differ (-kustomize +chart):\n%s", key, f, diff)
			}
		}
	}
	name := releaseName + "-controller-manager"
	wantArgs := one[appsv1.Deployment](t, kust, "Deployment", name).Spec.Template.Spec.Containers[0].Args
	gotArgs := one[appsv1.Deployment](t, chart, "Deployment", name).Spec.Template.Spec.Containers[0].Args
	if diff := cmp.Diff(wantArgs, gotArgs); diff != "" {
		t.Errorf("manager args differ (-kustomize +chart):\n%s", diff)
	}
	if !slices.Contains(gotArgs, "--watch-namespaces=tenant-a,tenant-b") {
		t.Errorf("args %v lack --watch-namespaces", gotArgs)
	}
}

// policyName names the annotation policy and its binding in every install whose
// names are config/default's (release enterprise-operator for the chart).
const policyName = releaseName + "-annotations"

// msgPaused is the annotation policy's message for a bad paused annotation.
const msgPaused = `platform.enterprise-operator.dev/paused must be "true" or "false"`

// TestAnnotationPolicyInEveryInstall checks that each way of installing ships the
// annotation policy of config/policy, cluster-scoped and bound, spec for spec.
func TestAnnotationPolicyInEveryInstall(t *testing.T) {
	read := func(file string) *unstructured.Unstructured {
		b, err := os.ReadFile(filepath.Join(repoRoot, "config", "policy", file))
		if err != nil {
			t.Fatal(err)
		}
		objs := parse(t, b)
		if len(objs) != 1 {
			t.Fatalf("config/policy/%s holds %d objects, want 1", file, len(objs))
		}
		return objs[0].u
	}
	wantPolicy, wantBinding := read("annotations_policy.yaml"), read("annotations_binding.yaml")
	if v, _, _ := unstructured.NestedSlice(wantPolicy.Object, "spec", "validations"); len(v) == 0 {
		t.Fatal("config/policy/annotations_policy.yaml has no validations")
	}
	// Only the names follow the install.
	unstructured.RemoveNestedField(wantBinding.Object, "spec", "policyName")

	kustomized, err := exec.Command(kubectl, "kustomize", filepath.Join(repoRoot, "config", "default")).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize config/default: %v", err)
	}
	for src, stream := range map[string][]byte{
		"dist/install.yaml":                installYAML,
		"kubectl kustomize config/default": kustomized,
		"helm template":                    chartYAML,
	} {
		objs := parse(t, stream)
		policies, bindings := byKind(objs, "ValidatingAdmissionPolicy"), byKind(objs, "ValidatingAdmissionPolicyBinding")
		if len(policies) != 1 || len(bindings) != 1 {
			t.Errorf("%s: %d ValidatingAdmissionPolicies and %d bindings, want 1 and 1", src, len(policies), len(bindings))
			continue
		}
		policy, ok := policies[policyName]
		if !ok {
			t.Errorf("%s: no ValidatingAdmissionPolicy %s", src, policyName)
			continue
		}
		binding, ok := bindings[policyName]
		if !ok {
			t.Errorf("%s: no ValidatingAdmissionPolicyBinding %s", src, policyName)
			continue
		}
		// Kustomize's namespace transformer does not know these kinds are
		// cluster-scoped; config/default removes the namespace it adds.
		for _, o := range []object{policy, binding} {
			if ns := o.u.GetNamespace(); ns != "" {
				t.Errorf("%s: %s in namespace %q; it is cluster-scoped", src, o.key(), ns)
			}
		}
		if diff := cmp.Diff(wantPolicy.Object["spec"], policy.u.Object["spec"]); diff != "" {
			t.Errorf("%s: the policy's spec differs from config/policy (-want +got):\n%s", src, diff)
		}
		if got, _, _ := unstructured.NestedString(binding.u.Object, "spec", "policyName"); got != policyName {
			t.Errorf("%s: the binding binds policy %q, want %q", src, got, policyName)
		}
		got := binding.u.DeepCopy()
		unstructured.RemoveNestedField(got.Object, "spec", "policyName")
		if diff := cmp.Diff(wantBinding.Object["spec"], got.Object["spec"]); diff != "" {
			t.Errorf("%s: the binding's spec differs from config/policy (-want +got):\n%s", src, diff)
		}
	}
}

// TestImage checks that IMG reaches the single manifest and image.* the chart.
func TestImage(t *testing.T) {
	for img, want := range map[string]string{
		"example.com/team/enterprise-operator:v1.2.3":       "example.com/team/enterprise-operator:v1.2.3",
		"registry.local:5000/eo:0.1":                        "registry.local:5000/eo:0.1",
		"example.com/eo@sha256:" + strings.Repeat("ab", 32): "example.com/eo@sha256:" + strings.Repeat("ab", 32),
	} {
		out := filepath.Join(t.TempDir(), "install.yaml")
		if b, err := runMake("build-installer", "IMG="+img, "INSTALLER="+out); err != nil {
			t.Fatalf("make build-installer IMG=%s: %v\n%s", img, err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		d := one[appsv1.Deployment](t, parse(t, b), "Deployment", releaseName+"-controller-manager")
		if got := d.Spec.Template.Spec.Containers[0].Image; got != want {
			t.Errorf("IMG=%s: image %q, want %q", img, got, want)
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "enterprise-operator:latest"},
		{[]string{"--set", "image.repository=example.com/eo", "--set", "image.tag=v2"}, "example.com/eo:v2"},
		{[]string{"--set", "image.tag=v2", "--set", "image.digest=sha256:00ff"}, "enterprise-operator@sha256:00ff"},
	} {
		b, err := helmTemplate(namespace, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		d := one[appsv1.Deployment](t, parse(t, b), "Deployment", releaseName+"-controller-manager")
		if got := d.Spec.Template.Spec.Containers[0].Image; got != tc.want {
			t.Errorf("helm template %v: image %q, want %q", tc.args, got, tc.want)
		}
	}
}

// customValues exercises every value that changes the Deployment.
var customValues = []string{
	"--set", "replicaCount=2",
	"--set", "resyncInterval=5m",
	"--set", "maxConcurrentReconciles=8",
	"--set", "credentialCheckInterval=1h",
	"--set", "watchNamespaces={team-a,team-b}",
	"--set", "leaderElection.enabled=false",
	"--set", "metrics.port=9090",
	"--set", "healthProbe.port=9091",
	"--set-json", `extraArgs=["--zap-log-level=debug"]`,
	"--set-json", `resources={"requests":{"cpu":"10m","memory":"32Mi"}}`,
	"--set-json", `nodeSelector={"kubernetes.io/os":"linux"}`,
	"--set-json", `tolerations=[{"key":"dedicated","operator":"Equal","value":"operators","effect":"NoSchedule"}]`,
	"--set-json", `affinity={"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}]}}}`,
	"--set", "priorityClassName=system-cluster-critical",
	"--set-json", `podAnnotations={"example.com/a":"b"}`,
	"--set-json", `imagePullSecrets=[{"name":"regcred"}]`,
}

func TestChartValues(t *testing.T) {
	b, err := helmTemplate("team-ops", customValues...)
	if err != nil {
		t.Fatal(err)
	}
	objs := parse(t, b)
	d := one[appsv1.Deployment](t, objs, "Deployment", releaseName+"-controller-manager")
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	wantArgs := []string{
		"--metrics-bind-address=:9090",
		"--health-probe-bind-address=:9091",
		"--resync-interval=5m",
		"--max-concurrent-reconciles=8",
		"--credential-check-interval=1h",
		"--watch-namespaces=team-a,team-b",
		"--zap-log-level=debug",
	}
	if diff := cmp.Diff(wantArgs, c.Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if *d.Spec.Replicas != 2 || d.Namespace != "team-ops" {
		t.Errorf("replicas %d namespace %q", *d.Spec.Replicas, d.Namespace)
	}
	if c.Ports[0].ContainerPort != 9090 || c.Ports[1].ContainerPort != 9091 {
		t.Errorf("ports %+v", c.Ports)
	}
	// Helm merges maps into the defaults: the limits stay unless set to null.
	if c.Resources.Requests.Cpu().String() != "10m" || c.Resources.Limits.Cpu().String() != "1" {
		t.Errorf("resources %+v", c.Resources)
	}
	if pod.NodeSelector["kubernetes.io/os"] != "linux" || len(pod.Tolerations) != 1 || pod.Affinity == nil ||
		pod.PriorityClassName != "system-cluster-critical" || len(pod.ImagePullSecrets) != 1 ||
		d.Spec.Template.Annotations["example.com/a"] != "b" {
		t.Errorf("scheduling fields not rendered: %+v", pod)
	}
	// watchNamespaces narrows RBAC to those namespaces (see values.yaml and
	// docs/install.md): no ClusterRole with everything, Roles where the manager works.
	if _, ok := byKind(objs, "ClusterRole")[releaseName+"-manager-role"]; ok {
		t.Error("watchNamespaces still renders the cluster-wide manager ClusterRole")
	}
	for _, r := range one[rbacv1.ClusterRole](t, objs, "ClusterRole", releaseName+"-manager-cluster-role").Rules {
		if slices.Contains(r.Resources, "secrets") {
			t.Errorf("the ClusterRole of a namespaced install grants Secrets: %+v", r)
		}
	}
	for _, ns := range []string{"team-a", "team-b"} {
		rb := byNamespacedKind(objs, "RoleBinding", ns)[releaseName+"-manager-rolebinding"]
		if rb == nil || byNamespacedKind(objs, "Role", ns)[releaseName+"-manager-role"] == nil {
			t.Errorf("no manager Role and RoleBinding in watched namespace %s", ns)
		}
	}
	for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
		for _, o := range objs {
			if o.u.GetKind() != kind {
				continue
			}
			subjects, _, _ := unstructured.NestedSlice(o.u.Object, "subjects")
			for _, sub := range subjects {
				if ns := sub.(map[string]any)["namespace"]; ns != "team-ops" {
					t.Errorf("%s subject in %q, want the release namespace", o.key(), ns)
				}
			}
		}
	}

	// Defaults pass only the flags config/manager passes; the operator's own
	// defaults apply to the rest.
	d = one[appsv1.Deployment](t, parse(t, chartYAML), "Deployment", releaseName+"-controller-manager")
	wantArgs = []string{"--leader-elect", "--metrics-bind-address=:8080", "--health-probe-bind-address=:8081"}
	if diff := cmp.Diff(wantArgs, d.Spec.Template.Spec.Containers[0].Args); diff != "" {
		t.Errorf("default args (-want +got):\n%s", diff)
	}

	// metrics.port=0 disables the endpoint and its port.
	b, err = helmTemplate(namespace, "--set", "metrics.port=0")
	if err != nil {
		t.Fatal(err)
	}
	c = one[appsv1.Deployment](t, parse(t, b), "Deployment", releaseName+"-controller-manager").Spec.Template.Spec.Containers[0]
	if !slices.Contains(c.Args, "--metrics-bind-address=0") || len(c.Ports) != 1 || c.Ports[0].Name != "health" {
		t.Errorf("metrics.port=0: args %v ports %+v", c.Args, c.Ports)
	}

	// Without RBAC and ServiceAccount creation the chart uses the named account.
	b, err = helmTemplate(namespace, "--set", "rbac.create=false", "--set", "serviceAccount.create=false", "--set", "serviceAccount.name=existing")
	if err != nil {
		t.Fatal(err)
	}
	objs = parse(t, b)
	for _, kind := range []string{"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount"} {
		if n := len(byKind(objs, kind)); n != 0 {
			t.Errorf("rbac.create=false serviceAccount.create=false still renders %d %s", n, kind)
		}
	}
	if sa := one[appsv1.Deployment](t, objs, "Deployment", releaseName+"-controller-manager").Spec.Template.Spec.ServiceAccountName; sa != "existing" {
		t.Errorf("serviceAccountName %q, want existing", sa)
	}
	if _, err := helmTemplate(namespace, "--set", "serviceAccount.create=false"); err == nil {
		t.Error("serviceAccount.create=false without serviceAccount.name renders")
	}

	// annotationPolicy.create=false leaves the policy out, and only the policy.
	b, err = helmTemplate(namespace, "--set", "annotationPolicy.create=false")
	if err != nil {
		t.Fatal(err)
	}
	objs = parse(t, b)
	for _, kind := range []string{"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"} {
		if n := len(byKind(objs, kind)); n != 0 {
			t.Errorf("annotationPolicy.create=false still renders %d %s", n, kind)
		}
	}
	if got, want := len(objs), len(parse(t, chartYAML))-2; got != want {
		t.Errorf("annotationPolicy.create=false renders %d objects, want %d", got, want)
	}
}

func TestHelmLint(t *testing.T) {
	for _, args := range [][]string{nil, customValues} {
		cmd := exec.Command(helm, append([]string{"lint", "--strict", chartPath}, args...)...)
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("helm lint --strict %v: %v\n%s", args, err, out)
		}
	}
}

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
