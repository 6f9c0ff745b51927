package rbac

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

const (
	// leaderElectionID is cmd/main.go's.
	leaderElectionID = "enterprise-operator.platform.enterprise-operator.dev"
	// tenantLabel marks the namespaces the PlatformConfig serves (its namespaceSelector,
	// which makes the manager read Namespaces).
	tenantLabel = "tenant"
	// outsiderNS is a tenant namespace a namespaced install does not watch.
	outsiderNS = "outsider"
	// refusedConfig is a PlatformConfig whose token the platform refuses.
	refusedConfig = "refused"

	timeout = 60 * time.Second
	poll    = 100 * time.Millisecond
)

var (
	scheme *runtime.Scheme
	// managerLog holds what the manager of the current run logged, shown on failure.
	managerLog = &testenv.LogBuffer{}
	setLogger  sync.Once
)

func init() {
	s, err := testenv.NewScheme()
	if err != nil {
		panic(err)
	}
	scheme = s
}

// TestManagerCallsMatchRBAC runs the manager as each install's ServiceAccount and
// compares its requests with the install's rules (see the package comment).
func TestManagerCallsMatchRBAC(t *testing.T) {
	if testing.Short() {
		t.Skip("needs kube-apiserver and etcd")
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := testenv.AssetsDir(t.Context(), root, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	setLogger.Do(func() { ctrl.SetLogger(zap.New(zap.WriteTo(managerLog), zap.UseDevMode(true))) })
	for _, dir := range []string{"config/default", "config/namespaced"} {
		t.Run(dir, func(t *testing.T) { runInstall(t, root, filepath.Join(assets, "kubectl"), dir) })
	}
}

func runInstall(t *testing.T, root, kubectl, dir string) {
	g := NewWithT(t)
	objs, err := testenv.Kustomize(t.Context(), kubectl, filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	inst := installOf(t, objs)
	t.Logf("%s: manager %s/%s, --watch-namespaces=%s", dir, inst.namespace, inst.serviceAccount, strings.Join(inst.watch, ","))

	cp := startControlPlane(t)
	user := "system:serviceaccount:" + inst.namespace + ":" + inst.serviceAccount
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		// Also when the run stopped half-way: a refused request is the likely cause.
		if calls, err := readAudit(cp.auditLog, user); err == nil {
			t.Logf("the manager's requests:\n%s", strings.Join(callLines(calls), "\n"))
		}
		t.Logf("the manager's log (last 80 lines):\n%s", managerLog.Tail(80))
	})
	tenant := "tenant-a"
	if len(inst.watch) > 0 {
		tenant = inst.watch[0]
	}
	for _, ns := range append(slices.Clone(inst.watch), tenant, outsiderNS) {
		cp.ensureNamespace(t, ns, map[string]string{tenantLabel: "true"})
	}
	// The install's RBAC as a cluster admin would apply it: its Namespace first.
	for _, kind := range []string{"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"} {
		for _, o := range objs {
			if o.GetKind() == kind {
				g.Expect(cp.admin.Create(cp.ctx, o.DeepCopy())).To(Succeed(), "%s %s/%s", kind, o.GetNamespace(), o.GetName())
			}
		}
	}

	s := &scenario{cp: cp, tenant: tenant, operatorNS: inst.namespace, namespaced: len(inst.watch) > 0}
	samples := s.samples(t)
	s.startSimulator(t)
	s.startManager(t, cp.tokenConfig(t, inst.namespace, inst.serviceAccount), inst.watch)
	s.run(t, samples)
	s.stopManager(t)

	calls, err := readAudit(cp.auditLog, user)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(calls).NotTo(BeEmpty(), "the audit log has no request of %s", user)
	grants, problems, err := grantsFor(objs, inst.namespace, inst.serviceAccount)
	g.Expect(err).NotTo(HaveOccurred())
	for _, p := range problems {
		t.Errorf("%s: %s", dir, p)
	}
	diff := compare(calls, grants)
	for _, c := range diff.Refused {
		t.Errorf("%s: the API server refused the manager's request %s", dir, c)
	}
	for _, m := range diff.Missing {
		t.Errorf("%s: a call without a rule: %s", dir, m)
	}
	for _, u := range diff.Unused {
		t.Errorf("%s: a rule without a call: %s (remove the rule, or make the run reach the call that needs it)", dir, u)
	}

	if s.namespaced {
		// Nothing cluster-wide on Secrets, and the manager never reached outside its
		// namespaces: cluster-wide only for the cluster-scoped kinds; besides the
		// watched namespaces only its own (credential Secret, Lease, leader event) and
		// default (PlatformConfig events).
		for _, gr := range grants {
			if gr.Resource == "secrets" && gr.Namespace == "" {
				t.Errorf("%s: %s grants Secrets cluster-wide", dir, gr)
			}
		}
		allowed := append(slices.Clone(inst.watch), inst.namespace, metav1.NamespaceDefault)
		for _, c := range calls {
			if c.NonResource != "" {
				continue
			}
			base, _, _ := strings.Cut(c.Resource, "/")
			if c.Namespace == "" && !clusterScoped[c.Group+"/"+base] {
				t.Errorf("%s: the manager called %s cluster-wide", dir, c)
			}
			if c.Namespace != "" && !slices.Contains(allowed, c.Namespace) {
				t.Errorf("%s: the manager called %s outside its namespaces", dir, c)
			}
		}
	}
}

// clusterScoped are the cluster-scoped resources the manager reads (group/resource).
var clusterScoped = map[string]bool{"/namespaces": true, v1alpha1.GroupVersion.Group + "/platformconfigs": true}

// callLines lists the distinct requests, refused ones marked.
func callLines(calls []call) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range calls {
		c.URI = ""
		s := c.String()
		if c.Code == 403 {
			s = "REFUSED " + s
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, "  "+s)
		}
	}
	slices.Sort(out)
	return out
}

// ---- the install ----

// install is what the rendered Deployment says about the manager.
type install struct {
	namespace      string
	serviceAccount string
	watch          []string
}

func installOf(t *testing.T, objs []*unstructured.Unstructured) install {
	t.Helper()
	var deps []appsv1.Deployment
	for _, o := range objs {
		if o.GetKind() == "Deployment" {
			var d appsv1.Deployment
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &d); err != nil {
				t.Fatal(err)
			}
			deps = append(deps, d)
		}
	}
	if len(deps) != 1 || len(deps[0].Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("want one Deployment with one container, got %d", len(deps))
	}
	d := deps[0]
	inst := install{namespace: d.Namespace, serviceAccount: d.Spec.Template.Spec.ServiceAccountName}
	leaderElect := false
	for _, a := range d.Spec.Template.Spec.Containers[0].Args {
		if v, ok := strings.CutPrefix(a, "--watch-namespaces="); ok {
			inst.watch = strings.Split(v, ",")
		}
		leaderElect = leaderElect || a == "--leader-elect"
	}
	if !leaderElect {
		t.Fatal("the install runs the manager without --leader-elect, but the test elects a leader")
	}
	return inst
}
