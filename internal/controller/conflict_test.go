package controller

import (
	"context"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// A reconcile that reads a stale copy (the cache behind the operator's own finalizer
// write) conflicts when it adds the finalizer (just before its first create). The newer version's events do not pass
// the predicates, so the reconcile must ask to run again rather than end quietly: a
// wake-up (its Enterprise became Ready) would otherwise be lost until the next wait
// expired.
var _ = Describe("a finalizer write that conflicts", func() {
	It("is retried soon instead of dropping the reconcile", func() {
		ent := readyEnterprise()
		role := newRole(ent.Namespace, ent.Name, "stale", newKey())
		Expect(k8s.Create(ctx, role)).To(Succeed())
		cleanup(role)
		stale := role.DeepCopy() // as created: no finalizer, the first resourceVersion

		// The running operator adds the finalizer, so the real object moves on.
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, objKey(role), role)).To(Succeed())
			g.Expect(controllerutil.ContainsFinalizer(role, v1alpha1.Finalizer)).To(BeTrue())
		}, eventuallyTO).Should(Succeed())

		// A client over the real API server whose reads return the stale copy.
		real, err := client.NewWithWatch(restCfg, client.Options{Scheme: k8s.Scheme()})
		Expect(err).NotTo(HaveOccurred())
		staleReads := interceptor.NewClient(real, interceptor.Funcs{
			Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
				if r, ok := obj.(*v1alpha1.EnterpriseRole); ok && key == objKey(stale) {
					stale.DeepCopyInto(r)
					return nil
				}
				return c.Get(ctx, key, obj, opts...)
			},
		})
		// A platform where the role is missing: the reconcile stores its finalizer and
		// create-pending mark first, and that write conflicts on the stale copy.
		fake := &fakeExternal{}
		r := &managed.Reconciler[*v1alpha1.EnterpriseRole]{
			Client:    staleReads,
			NewObject: func() *v1alpha1.EnterpriseRole { return &v1alpha1.EnterpriseRole{} },
			Connector: fakeConnector{fake},
		}
		res, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: objKey(stale)})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.RequeueAfter).To(BeNumerically(">", 0), "the conflicted reconcile asks to run again")
		Expect(fake.creates).To(BeZero(), "nothing is created before the finalizer is stored")
	})
})

// A spec edit while a create is on its way moves the object's resourceVersion past the
// one its reconcile stored the finalizer at. The create's status (its id) must still be
// written: a conditional status patch would conflict, and the id would be lost.
var _ = Describe("a spec edit during a create", func() {
	It("keeps the create's id in status", func() {
		// Its Enterprise does not exist: the running operator only waits, never binds.
		role := newRole(newTenant(), "nowhere", "edited-meanwhile", newKey())
		Expect(k8s.Create(ctx, role)).To(Succeed())
		cleanup(role)
		fake := &fakeExternal{onCreate: func() {
			update(role, func(r *v1alpha1.EnterpriseRole) { r.Spec.Description = "edited meanwhile" })
		}}
		direct, err := client.New(restCfg, client.Options{Scheme: k8s.Scheme()})
		Expect(err).NotTo(HaveOccurred())
		r := &managed.Reconciler[*v1alpha1.EnterpriseRole]{
			Client:    direct,
			NewObject: func() *v1alpha1.EnterpriseRole { return &v1alpha1.EnterpriseRole{} },
			Connector: fakeConnector{fake},
		}
		// The running operator writes the role's status once (it waits for the
		// Enterprise); a direct reconcile that read the object before that write loses
		// its finalizer patch to a conflict and, as designed, creates nothing. Let that
		// write land first, and reconcile again should it still collide.
		waitCondition(role, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		Eventually(func(g Gomega) int {
			_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: objKey(role)})
			g.Expect(err).NotTo(HaveOccurred())
			return fake.creates
		}, eventuallyTO, 100*time.Millisecond).Should(Equal(1))
		Expect(managedStatus(role).ExternalID).To(Equal("fake"), "the create's id survived the edit")
	})
})

// fakeExternal is a platform on which the object does not exist; it counts creates
// and runs onCreate, if set, during each.
type fakeExternal struct {
	creates  int
	onCreate func()
	// observeErr, if set, is what every Observe returns.
	observeErr error
}

var _ managed.External[*v1alpha1.EnterpriseRole] = &fakeExternal{}

func (f *fakeExternal) Observe(context.Context, *v1alpha1.EnterpriseRole) (managed.Observation, error) {
	return managed.Observation{}, f.observeErr
}

func (f *fakeExternal) Create(context.Context, *v1alpha1.EnterpriseRole) (managed.Observation, error) {
	f.creates++
	if f.onCreate != nil {
		f.onCreate()
	}
	return managed.Observation{Exists: true, ExternalID: "fake", UpToDate: true}, nil
}

func (f *fakeExternal) Update(_ context.Context, _ *v1alpha1.EnterpriseRole, o managed.Observation) (managed.Observation, error) {
	return o, nil
}

func (f *fakeExternal) Delete(context.Context, *v1alpha1.EnterpriseRole) error { return nil }

type fakeConnector struct{ ext *fakeExternal }

func (c fakeConnector) Connect(context.Context, *v1alpha1.EnterpriseRole) (managed.External[*v1alpha1.EnterpriseRole], error) {
	return c.ext, nil
}

// A platform failure warns only when it repeats, and then at most once per window: the
// first failure of an outage is the circuit breaker's to report, on the PlatformConfig.
var _ = Describe("Warning events of a failing object", func() {
	It("skip a first platform failure, record the repeat, and hold back the next", func() {
		role := newRole(newTenant(), "nowhere", "flaky-events", newKey())
		Expect(k8s.Create(ctx, role)).To(Succeed())
		cleanup(role)
		// The running operator writes its waiting status once; let it land first.
		waitCondition(role, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		direct, err := client.New(restCfg, client.Options{Scheme: k8s.Scheme()})
		Expect(err).NotTo(HaveOccurred())
		rec := &recordingRecorder{}
		r := &managed.Reconciler[*v1alpha1.EnterpriseRole]{
			Client:    direct,
			Recorder:  rec,
			NewObject: func() *v1alpha1.EnterpriseRole { return &v1alpha1.EnterpriseRole{} },
			Connector: fakeConnector{&fakeExternal{observeErr: &platform.Error{
				Kind: platform.KindUnavailable, Operation: "getEnterpriseRole", StatusCode: 503, Message: "down"}}},
			WarningWindow: time.Hour,
		}
		var warnings []int
		for range 3 {
			_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: objKey(role)})
			Expect(platform.IsUnavailable(err)).To(BeTrue(), "%v", err)
			warnings = append(warnings, rec.count(managed.EventReconcileError))
		}
		Expect(warnings).To(Equal([]int{0, 1, 1}), "warnings after each of three failures")
		waitCondition(role, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonPlatformUnavailable)
	})
})

// recordingRecorder counts events by reason.
type recordingRecorder struct {
	mu      sync.Mutex
	reasons []string
}

func (r *recordingRecorder) Eventf(_ runtime.Object, _ runtime.Object, _, reason, _, _ string, _ ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons = append(r.reasons, reason)
}

func (r *recordingRecorder) count(reason string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, x := range r.reasons {
		if x == reason {
			n++
		}
	}
	return n
}
