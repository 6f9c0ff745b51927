//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

// Names of the namespaced install.
const (
	nsRelease = "eo"
	// nsServiceAccount is the chart's ServiceAccount for release nsRelease.
	nsServiceAccount = nsRelease + "-enterprise-operator-controller-manager"
	// nsWatched is the only namespace the install watches; nsOutside is a tenant
	// namespace it does not.
	nsWatched = "e2e-watched"
	nsOutside = "e2e-outside"
	// nsLeaderElectionID is cmd/main.go's.
	nsLeaderElectionID = "enterprise-operator.platform.enterprise-operator.dev"
)

// TestNamespacedInstall installs the Helm chart with watchNamespaces (Roles in the
// watched namespace, a ClusterRole for the cluster-scoped kinds only) and runs the
// built manager as the chart's ServiceAccount: its kubeconfig holds a token from the
// TokenRequest API and nothing else, and it gets the flags the chart's Deployment
// passes. A small tenant (PlatformConfig, Enterprise, EnterpriseUser with a generated
// password Secret) becomes Ready, leader election holds its Lease, nothing the
// manager asked was refused, an Enterprise in a namespace it does not watch is left
// alone, and the ServiceAccount itself is told it may not list Secrets cluster-wide.
func TestNamespacedInstall(t *testing.T) {
	g := NewWithT(t)
	e := setupWith(t, envOptions{logDir: "e2e-namespaced", noManager: true})
	for _, ns := range []string{systemNS, nsWatched, nsOutside} {
		e.kubectl(t, "create", "namespace", ns)
		e.kubectl(t, "label", "namespace", ns, "tenant=true")
	}

	// The chart as a cluster admin installs it (CRDs are already there).
	if out, err := exec.Command("make", "--no-print-directory", "-C", e.root, "helm").CombinedOutput(); err != nil {
		t.Fatalf("make helm: %v\n%s", err, out)
	}
	helm := exec.Command(filepath.Join(e.root, "bin", "helm"), "template", nsRelease, filepath.Join(e.root, "charts", "enterprise-operator"),
		"--namespace", systemNS, "--set", "watchNamespaces={"+nsWatched+"}")
	var stderr bytes.Buffer
	helm.Stderr = &stderr
	rendered, err := helm.Output()
	g.Expect(err).NotTo(HaveOccurred(), "helm template: %s", stderr.String())
	manifest := filepath.Join(e.logDir, "install.yaml")
	g.Expect(os.WriteFile(manifest, rendered, 0o644)).To(Succeed())
	e.kubectl(t, "apply", "--server-side", "-f", manifest)
	objs := decodeAll(t, rendered)
	for _, o := range objs {
		if o.GetKind() != "ClusterRole" {
			continue
		}
		var cr rbacv1.ClusterRole
		g.Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &cr)).To(Succeed())
		for _, r := range cr.Rules {
			g.Expect(r.Resources).NotTo(ContainElement("secrets"), "ClusterRole %s grants Secrets", cr.Name)
		}
	}

	// The manager's identity: the ServiceAccount's token, nothing else.
	token := strings.TrimSpace(e.kubectl(t, "create", "token", nsServiceAccount, "-n", systemNS, "--duration=1h"))
	saKubeconfig := e.serviceAccountKubeconfig(t, token)
	canI := func(args ...string) string {
		cmd := exec.Command(e.kubectlBin, append([]string{"--kubeconfig", saKubeconfig, "auth", "can-i"}, args...)...)
		out, _ := cmd.Output() // "no" exits 1
		return strings.TrimSpace(string(out))
	}
	g.Expect(strings.TrimSpace(e.kubectlAs(t, saKubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"))).
		To(Equal("system:serviceaccount:" + systemNS + ":" + nsServiceAccount))
	// SelfSubjectAccessReviews, asked with the manager's own token.
	for _, p := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "secrets", "--all-namespaces"}, "no"},
		{[]string{"watch", "secrets", "--all-namespaces"}, "no"},
		{[]string{"get", "secrets", "-n", nsOutside}, "no"},
		{[]string{"list", "secrets", "-n", nsWatched}, "yes"},
		{[]string{"get", "secrets", "-n", systemNS}, "yes"},
		{[]string{"list", "secrets", "-n", systemNS}, "no"},
		{[]string{"list", "enterprises.platform.enterprise-operator.dev", "--all-namespaces"}, "no"},
		{[]string{"list", "enterprises.platform.enterprise-operator.dev", "-n", nsOutside}, "no"},
		{[]string{"list", "enterprises.platform.enterprise-operator.dev", "-n", nsWatched}, "yes"},
		{[]string{"list", "platformconfigs.platform.enterprise-operator.dev"}, "yes"},
	} {
		g.Expect(canI(p.args...)).To(Equal(p.want), "can-i %s", strings.Join(p.args, " "))
	}

	// The built manager with the chart's flags; only the listen addresses move to
	// loopback, and the Lease's namespace is given (the manager is not in a pod).
	args := deploymentArgs(t, objs)
	g.Expect(args).To(ContainElement("--watch-namespaces=" + nsWatched))
	g.Expect(args).To(ContainElement("--leader-elect"))
	args = slices.DeleteFunc(args, func(a string) bool {
		return strings.HasPrefix(a, "--metrics-bind-address=") || strings.HasPrefix(a, "--health-probe-bind-address=")
	})
	e.metricsAddr = freeLoopbackAddr(t)
	args = append(args, "--metrics-bind-address="+e.metricsAddr, "--health-probe-bind-address=0",
		"--leader-election-namespace="+systemNS, "--zap-encoder=console")
	managerEnv := append(os.Environ(), "KUBECONFIG="+saKubeconfig)
	p, err := testenv.StartProc("manager", filepath.Join(e.logDir, "manager.log"), managerEnv, filepath.Join(e.root, "bin", "manager"), args...)
	g.Expect(err).NotTo(HaveOccurred())
	e.mu.Lock()
	e.manager = p
	e.mu.Unlock()
	t.Logf("manager started as %s with %v (log %s)", nsServiceAccount, args, p.LogPath)

	// A small tenant; its credential Secret lives with the operator, not with the tenant.
	optIn := v1alpha1.LabelSecret + "=" + v1alpha1.LabelSecretOptIn
	e.kubectl(t, "create", "secret", "generic", "platform-token", "-n", systemNS, "--from-literal=token="+simToken)
	e.kubectl(t, "label", "secret", "platform-token", "-n", systemNS, optIn)
	tenant := filepath.Join(e.logDir, "tenant.yaml")
	g.Expect(os.WriteFile(tenant, []byte(fmt.Sprintf(namespacedTenant, e.simURL, systemNS, nsWatched, nsOutside)), 0o644)).To(Succeed())
	e.kubectl(t, "apply", "-f", tenant)
	e.kubectl(t, "wait", "--for=condition=Ready", "platformconfig/namespaced", "--timeout=60s")
	e.kubectl(t, "wait", "-n", nsWatched, "--for=condition=Ready", "--timeout=60s", "enterprise/acme", "enterpriseuser/alice")
	g.Expect(e.kubectl(t, "get", "secret", "alice-password", "-n", nsWatched, "-o", "jsonpath={.metadata.ownerReferences[0].name}")).
		To(Equal("alice"), "the generated password Secret")
	entID := e.kubectl(t, "get", "enterprise", "acme", "-n", nsWatched, "-o", "jsonpath={.status.externalID}")
	ent, err := e.enterprise(entID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ent.Users).To(ContainElement(HaveField("Email", "alice@acme.example.com")))

	// The Lease is held, by this manager.
	g.Expect(e.kubectl(t, "get", "lease", nsLeaderElectionID, "-n", systemNS, "-o", "jsonpath={.spec.holderIdentity}")).NotTo(BeEmpty())
	// By now the manager has had every chance to touch the Enterprise it does not
	// watch: it did not, and it is not on the platform.
	g.Expect(e.kubectl(t, "get", "enterprise", "outsider", "-n", nsOutside, "-o", "jsonpath={.metadata.finalizers}{.status}")).To(BeEmpty())
	s, err := e.state()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.Enterprises).To(HaveLen(1))
	// Nothing was refused: client-go logs a refused request (a watch, an event) as
	// "forbidden" and carries on, so look.
	log, err := os.ReadFile(p.LogPath)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(strings.ToLower(string(log))).NotTo(ContainSubstring("forbidden"), "the manager was refused a request; see %s", p.LogPath)

	// Deletion runs under the same Roles: the children first, then the Enterprise.
	e.kubectl(t, "delete", "enterprise", "acme", "-n", nsWatched, "--timeout=60s")
	e.kubectl(t, "delete", "platformconfig", "namespaced", "--timeout=60s")
	g.Eventually(e.state).WithTimeout(30 * time.Second).Should(HaveField("Enterprises", BeEmpty()))
}

// namespacedTenant: the simulator's URL, the operator's namespace, the watched
// namespace and the namespace not watched.
const namespacedTenant = `apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: PlatformConfig
metadata:
  name: namespaced
spec:
  baseURL: %[1]s
  auth:
    bearerToken:
      tokenSecretRef: {namespace: %[2]s, name: platform-token, key: token}
  namespaceSelector:
    matchLabels: {tenant: "true"}
---
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: Enterprise
metadata: {name: acme, namespace: %[3]s}
spec:
  platformConfigRef: {name: namespaced}
  organizationID: 59cd72485007a239fb00282ed480da1f
  adminEmail: it-admin@acme.example.com
---
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: EnterpriseUser
metadata: {name: alice, namespace: %[3]s}
spec:
  enterpriseRef: {name: acme}
  username: alice@acme.example.com
  email: alice@acme.example.com
  firstName: Alice
  lastName: Anders
  passwordSecretRef: {name: alice-password, key: password}
---
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: Enterprise
metadata: {name: outsider, namespace: %[4]s}
spec:
  platformConfigRef: {name: namespaced}
  organizationID: 0e1f6a1fb0bd4b4fa1b2c3d4e5f60718
  adminEmail: admin@outsider.example.com
`

// serviceAccountKubeconfig writes a kubeconfig for the test's kube-apiserver whose
// only credential is token.
func (e *env) serviceAccountKubeconfig(t *testing.T, token string) string {
	t.Helper()
	kc, err := clientcmd.LoadFromFile(e.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx, ok := kc.Contexts[kc.CurrentContext]
	if !ok {
		t.Fatalf("%s has no current context", e.kubeconfig)
	}
	kc.AuthInfos = map[string]*clientcmdapi.AuthInfo{ctx.AuthInfo: {Token: token}}
	path := filepath.Join(e.logDir, "manager.kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// kubectlAs runs kubectl with another kubeconfig and fails the test on error.
func (e *env) kubectlAs(t *testing.T, kubeconfig string, args ...string) string {
	t.Helper()
	out, err := exec.Command(e.kubectlBin, append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func decodeAll(t *testing.T, stream []byte) []*unstructured.Unstructured {
	t.Helper()
	objs, err := testenv.DecodeYAML(stream)
	if err != nil {
		t.Fatalf("decoding the rendered chart: %v", err)
	}
	return objs
}

// deploymentArgs returns the manager container's args of the rendered Deployment.
func deploymentArgs(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		var d appsv1.Deployment
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &d); err != nil {
			t.Fatal(err)
		}
		return slices.Clone(d.Spec.Template.Spec.Containers[0].Args)
	}
	t.Fatal("the chart rendered no Deployment")
	return nil
}
