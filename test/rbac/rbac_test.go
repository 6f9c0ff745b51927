package rbac

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller"
	"enterprise-operator/internal/platform"
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

// The audit policy logs every request with its metadata (who, verb, resource,
// namespace, response code), never a body.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
`

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

// ---- the control plane ----

type controlPlane struct {
	ctx      context.Context
	root     string // the repository's
	cfg      *rest.Config
	admin    client.Client
	auditLog string
}

func startControlPlane(t *testing.T) *controlPlane {
	t.Helper()
	dir := t.TempDir()
	cp := &controlPlane{ctx: t.Context(), auditLog: filepath.Join(dir, "audit.log")}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := testenv.Start(cp.ctx, testenv.Options{
		Log:              os.Stderr,
		APIServerFlags:   map[string]string{"audit-policy-file": policy, "audit-log-path": cp.auditLog},
		AdmissionPlugins: []string{"OwnerReferencesPermissionEnforcement"},
	})
	if err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	cp.root, cp.cfg, cp.admin = env.Root, env.Config, env.Client
	return cp
}

func (cp *controlPlane) ensureNamespace(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if err := cp.admin.Create(cp.ctx, ns); client.IgnoreAlreadyExists(err) != nil {
		t.Fatal(err)
	}
}

// tokenConfig is a rest.Config that authenticates as the ServiceAccount with a token
// from the TokenRequest API, as a pod's projected token would.
func (cp *controlPlane) tokenConfig(t *testing.T, ns, name string) *rest.Config {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cp.cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(cp.ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr(int64(3600))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenRequest for %s/%s: %v", ns, name, err)
	}
	cfg := rest.AnonymousClientConfig(cp.cfg)
	cfg.BearerToken = tr.Status.Token
	return cfg
}

func ptr[T any](v T) *T { return &v }

// ---- the run ----

type scenario struct {
	cp         *controlPlane
	tenant     string
	operatorNS string
	namespaced bool

	platform   *testenv.Platform
	config     string // the sample PlatformConfig's name
	cancel     context.CancelFunc
	managerErr chan error
}

// startSimulator starts the platform for a PlatformConfig named like the sample's;
// run creates that PlatformConfig and its token Secret.
func (s *scenario) startSimulator(t *testing.T) {
	t.Helper()
	p, err := testenv.StartPlatform(s.cp.ctx, testenv.PlatformOptions{
		Namespace: s.operatorNS,
		Config: v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: s.config},
			Spec: v1alpha1.PlatformConfigSpec{
				RateLimit:         v1alpha1.RateLimit{RequestsPerSecond: 100, Burst: 100},
				NamespaceSelector: &v1alpha1.LabelSelector{MatchLabels: map[string]v1alpha1.LabelValue{tenantLabel: "true"}},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	s.platform = p
}

// startManager starts the manager the way cmd/main.go does (its cache options, every
// controller, leader election), with short intervals so the run reaches every path.
func (s *scenario) startManager(t *testing.T, cfg *rest.Config, watch []string) {
	t.Helper()
	managerLog.Reset()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controller.CacheOptions(watch),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Each install's run starts a manager in this process, with the same controllers.
		Controller:              config.Controller{SkipNameValidation: ptr(true)},
		LeaderElection:          true,
		LeaderElectionID:        leaderElectionID,
		LeaderElectionNamespace: s.operatorNS,
		// Renewals (updates of the Lease) every half second.
		LeaseDuration: ptr(4 * time.Second),
		RenewDeadline: ptr(3 * time.Second),
		RetryPeriod:   ptr(500 * time.Millisecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(s.cp.ctx)
	if err := controller.SetupWithManager(ctx, mgr, controller.Options{
		ResyncInterval: 2 * time.Second,
		// The refused PlatformConfig is checked again every second: its repeated event
		// is patched into a series.
		CredentialCheckInterval: time.Second,
		MaxConcurrentReconciles: 4,
		UserAgent:               "enterprise-operator/rbac-test",
		RetryBaseDelay:          100 * time.Millisecond,
		RetryMaxDelay:           time.Second,
		// A repeated warning is recorded again after a millisecond instead of minutes.
		WarningWindow: time.Millisecond,
		NewPlatformClient: func(c platform.Config) (platform.Client, error) {
			c.RetryBackoff, c.MaxRetryBackoff = 10*time.Millisecond, 50*time.Millisecond
			return platform.New(c)
		},
	}); err != nil {
		cancel()
		t.Fatal(err)
	}
	s.cancel = cancel
	s.managerErr = make(chan error, 1)
	go func() { s.managerErr <- mgr.Start(ctx) }()
	t.Cleanup(cancel)
}

func (s *scenario) stopManager(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.managerErr:
		if err != nil {
			t.Errorf("the manager stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the manager did not stop within 30s")
	}
}

// run is the representative run. Each step names the rules it is there for.
func (s *scenario) run(t *testing.T, samples []*unstructured.Unstructured) {
	g := NewWithT(t)
	g.SetDefaultEventuallyTimeout(timeout)
	g.SetDefaultEventuallyPollingInterval(poll)
	k := s.cp.admin
	ctx := s.cp.ctx

	// PlatformConfigs: list/watch, patch (finalizer), status patch; their credential
	// Secrets: get (in the operator's namespace); Namespaces: list/watch (their
	// namespaceSelector). The refused one names a Secret that does not exist: the same
	// CredentialsInvalid event at every check, so events create and then patch (a
	// series), in "default", since a PlatformConfig is cluster-scoped. (A token the
	// platform refuses would not do: the note carries the platform's request id, so no
	// two events are alike.)
	optIn := map[string]string{v1alpha1.LabelSecret: v1alpha1.LabelSecretOptIn}
	pc, err := s.platform.Install(ctx, k)
	g.Expect(err).NotTo(HaveOccurred())
	refused := &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: refusedConfig}, Spec: *pc.Spec.DeepCopy()}
	refused.Spec.Auth.BearerToken.TokenSecretRef.Name = refusedConfig + "-token"
	g.Expect(k.Create(ctx, refused)).To(Succeed())
	s.waitCondition(g, &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: s.config}}, v1alpha1.ConditionReady, "True")
	s.waitCondition(g, &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: refusedConfig}}, v1alpha1.ConditionReady, "False")

	// The tenant (config/samples): every namespaced kind list/watch, patch (finalizer,
	// create-pending mark), status patch, events create; the Webhook's labelled signing
	// Secret: get; alice's absent password Secret: get, then create (generated).
	g.Expect(k.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.tenant, Name: "acme-webhook-signing", Labels: optIn},
		StringData: map[string]string{"secret": testenv.RandHex(16)},
	})).To(Succeed())
	for _, o := range samples {
		g.Expect(k.Create(ctx, o)).To(Succeed(), "%s %s", o.GetKind(), o.GetName())
	}
	if s.namespaced {
		// An Enterprise outside the watched namespaces, which the manager must not see.
		g.Expect(k.Create(ctx, outsider(s.config))).To(Succeed())
	}
	for _, o := range samples {
		s.waitApplied(g, o)
	}
	pw := &corev1.Secret{}
	g.Eventually(func() error {
		return k.Get(ctx, client.ObjectKey{Namespace: s.tenant, Name: "alice-password"}, pw)
	}).Should(Succeed(), "the generated password Secret")
	g.Expect(pw.OwnerReferences).To(ConsistOf(HaveField("Name", "alice")))

	// A Webhook whose signing Secret lacks its key stalls, with a Stalled warning. The
	// event names the Webhook's resourceVersion, which the first stall's status patch
	// changes; after that each change of the (labelled, so watched) Secret reconciles
	// the Webhook again without changing it, and the same event again (the manager's
	// WarningWindow is short here) is patched into a series: events patch in the
	// tenant's namespace.
	signing := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.tenant, Name: "signing-without-key", Labels: optIn},
		StringData: map[string]string{"other": testenv.RandHex(8)},
	}
	g.Expect(k.Create(ctx, signing)).To(Succeed())
	stalled := &v1alpha1.Webhook{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.tenant, Name: "stalled"},
		Spec: v1alpha1.WebhookSpec{
			EnterpriseRef:    v1alpha1.LocalObjectReference{Name: "acme"},
			URL:              "https://hooks.acme.example.com/stalled",
			Events:           []string{"user.created"},
			SigningSecretRef: v1alpha1.SecretKeyReference{Name: signing.Name, Key: "secret"},
		},
	}
	g.Expect(k.Create(ctx, stalled)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k.Get(ctx, client.ObjectKeyFromObject(stalled), stalled)).To(Succeed())
		g.Expect(stalled.Status.Conditions).To(ContainElement(And(
			HaveField("Type", v1alpha1.ConditionStalled), HaveField("Reason", v1alpha1.ReasonSecretNotFound))))
	}).Should(Succeed())
	pokes := 0
	g.Eventually(func(g Gomega) {
		pokes++
		g.Expect(k.Patch(ctx, signing, client.RawPatch("application/merge-patch+json",
			[]byte(fmt.Sprintf(`{"metadata":{"annotations":{"poke":"%d"}}}`, pokes))))).To(Succeed())
		s.expectSeries(g, s.tenant, stalled.Name)
	}).WithPolling(500 * time.Millisecond).Should(Succeed())

	// Edits of every kind: the same patches again, with the platform updated.
	for _, o := range samples {
		if patch := specEdits[o.GetKind()]; patch != "" {
			g.Expect(k.Patch(ctx, o, client.RawPatch("application/merge-patch+json", []byte(patch)))).To(Succeed(), o.GetKind())
		}
	}
	for _, o := range samples {
		s.waitApplied(g, o)
	}

	// A password reset: secrets update (the operator's own Secret).
	alice := &v1alpha1.EnterpriseUser{}
	g.Expect(k.Get(ctx, client.ObjectKey{Namespace: s.tenant, Name: "alice"}, alice)).To(Succeed())
	g.Expect(k.Patch(ctx, alice, client.RawPatch("application/merge-patch+json",
		[]byte(`{"metadata":{"annotations":{"`+v1alpha1.AnnotationResetPassword+`":"r1"}}}`)))).To(Succeed())
	g.Eventually(func() (string, error) {
		err := k.Get(ctx, client.ObjectKeyFromObject(alice), alice)
		return alice.Status.LastPasswordReset, err
	}).Should(Equal("r1"))

	// Leader election: leases get, create (the first acquisition), update (renewals);
	// its "became leader" event: core events create.
	g.Eventually(func(g Gomega) {
		var lease unstructured.Unstructured
		lease.SetAPIVersion("coordination.k8s.io/v1")
		lease.SetKind("Lease")
		g.Expect(k.Get(ctx, client.ObjectKey{Namespace: s.operatorNS, Name: leaderElectionID}, &lease)).To(Succeed())
		acquired, _, _ := unstructured.NestedString(lease.Object, "spec", "acquireTime")
		renewed, _, _ := unstructured.NestedString(lease.Object, "spec", "renewTime")
		g.Expect(renewed).NotTo(Equal(acquired), "the Lease was not renewed yet")
	}).Should(Succeed())
	g.Eventually(func(g Gomega) {
		var events corev1.EventList
		g.Expect(k.List(ctx, &events, client.InNamespace(s.operatorNS))).To(Succeed())
		g.Expect(events.Items).To(ContainElement(HaveField("Reason", "LeaderElection")))
	}).Should(Succeed())
	// The refused PlatformConfig's event repeated: a series, patched.
	g.Eventually(func(g Gomega) { s.expectSeries(g, metav1.NamespaceDefault, refusedConfig) }).Should(Succeed())

	if s.namespaced {
		out := outsider(s.config)
		g.Expect(k.Get(ctx, client.ObjectKeyFromObject(out), out)).To(Succeed())
		g.Expect(out.Finalizers).To(BeEmpty(), "the manager reconciled an Enterprise outside its namespaces")
		g.Expect(out.Status.Conditions).To(BeEmpty(), "the manager reconciled an Enterprise outside its namespaces")
		g.Expect(k.Delete(ctx, out)).To(Succeed())
	}

	// Deleting the Enterprise deletes its children first: delete on each child kind.
	for _, o := range samples {
		if o.GetKind() == "Enterprise" {
			g.Expect(k.Delete(ctx, o)).To(Succeed())
		}
	}
	for _, o := range samples {
		s.waitGone(g, o)
	}
	// PlatformConfigs release their finalizer (patch) once no Enterprise uses them.
	for _, name := range []string{s.config, refusedConfig} {
		pc := &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: name}}
		g.Expect(k.Delete(ctx, pc)).To(Succeed())
		s.waitGone(g, pc)
	}
}

// specEdits change every kind's spec (Domains have nothing to edit but their name).
var specEdits = map[string]string{
	"Enterprise":     `{"spec":{"additionalAdmins":["auditor@acme.example.com"]}}`,
	"EnterpriseRole": `{"spec":{"description":"Edited by test/rbac."}}`,
	"EnterpriseUser": `{"spec":{"title":"Edited by test/rbac"}}`,
	"UserGroup":      `{"spec":{"description":"Edited by test/rbac."}}`,
	"Webhook":        `{"spec":{"events":["user.created"]}}`,
}

func outsider(config string) *v1alpha1.Enterprise {
	return &v1alpha1.Enterprise{
		ObjectMeta: metav1.ObjectMeta{Namespace: outsiderNS, Name: "outsider"},
		Spec: v1alpha1.EnterpriseSpec{
			PlatformConfigRef: v1alpha1.PlatformConfigReference{Name: config},
			OrganizationID:    testenv.RandHex(16),
			AdminEmail:        "admin@outsider.example.com",
		},
	}
}

// samples returns config/samples' namespaced objects, in the tenant namespace, and
// remembers the name of the PlatformConfig they use (the test makes its own).
func (s *scenario) samples(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	dir := filepath.Join(s.cp.root, "config", "samples")
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var kust struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(raw, &kust); err != nil {
		t.Fatal(err)
	}
	var out []*unstructured.Unstructured
	kinds := map[string]bool{}
	for _, f := range kust.Resources {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		objs, err := testenv.DecodeYAML(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, u := range objs {
			kinds[u.GetKind()] = true
			if u.GetKind() == "PlatformConfig" {
				s.config = u.GetName()
				continue
			}
			u.SetNamespace(s.tenant)
			out = append(out, u)
		}
	}
	for _, k := range []string{"PlatformConfig", "Enterprise", "EnterpriseRole", "EnterpriseUser", "UserGroup", "Domain", "Webhook"} {
		if !kinds[k] {
			t.Fatalf("config/samples has no %s; the run needs one of each kind", k)
		}
	}
	return out
}

// waitApplied waits until the object's generation is applied (Synced); every kind
// but Domain, which waits for its DNS record, is also Ready.
func (s *scenario) waitApplied(g Gomega, o *unstructured.Unstructured) {
	g.Eventually(func(g Gomega) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(o.GroupVersionKind())
		g.Expect(s.cp.admin.Get(s.cp.ctx, client.ObjectKeyFromObject(o), u)).To(Succeed())
		observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
		g.Expect(observed).To(Equal(u.GetGeneration()), "%s %s: generation not applied yet", o.GetKind(), o.GetName())
		want := map[string]string{v1alpha1.ConditionSynced: "True"}
		if o.GetKind() != "Domain" {
			want[v1alpha1.ConditionReady] = "True"
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for typ, status := range want {
			g.Expect(conds).To(ContainElement(And(HaveKeyWithValue("type", typ), HaveKeyWithValue("status", status))),
				"%s %s: %v", o.GetKind(), o.GetName(), conds)
		}
	}).Should(Succeed())
}

// expectSeries expects an event about the object named regarding to have been
// repeated, so patched into a series.
func (s *scenario) expectSeries(g Gomega, ns, regarding string) {
	var events eventsv1.EventList
	g.Expect(s.cp.admin.List(s.cp.ctx, &events, client.InNamespace(ns))).To(Succeed())
	var about []string
	for _, e := range events.Items {
		if e.Regarding.Name == regarding {
			if e.Series != nil {
				return
			}
			about = append(about, e.Reason+": "+e.Note)
		}
	}
	g.Expect(about).To(BeNil(), "no event about %s in %s was repeated", regarding, ns)
}

func (s *scenario) waitCondition(g Gomega, pc *v1alpha1.PlatformConfig, typ, status string) {
	g.Eventually(func(g Gomega) {
		g.Expect(s.cp.admin.Get(s.cp.ctx, client.ObjectKeyFromObject(pc), pc)).To(Succeed())
		g.Expect(pc.Status.Conditions).To(ContainElement(And(HaveField("Type", typ), HaveField("Status", metav1.ConditionStatus(status)))),
			"PlatformConfig %s: %v", pc.Name, pc.Status.Conditions)
	}).Should(Succeed())
}

func (s *scenario) waitGone(g Gomega, o client.Object) {
	gvk, err := apiutil.GVKForObject(o, scheme)
	g.Expect(err).NotTo(HaveOccurred())
	g.Eventually(func() error {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		err := s.cp.admin.Get(s.cp.ctx, client.ObjectKeyFromObject(o), u)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("%s %s is still there: finalizers %v, conditions %v", gvk.Kind, o.GetName(), u.GetFinalizers(), u.Object["status"])
	}).Should(Succeed())
}
