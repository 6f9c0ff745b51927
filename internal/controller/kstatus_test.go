package controller

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// kstatusOf computes what Flux's health checks (kstatus) make of an object as it is
// in the API server right now.
func kstatusOf(obj client.Object) status.Status {
	GinkgoHelper()
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	Expect(err).NotTo(HaveOccurred())
	res, err := status.Compute(&unstructured.Unstructured{Object: m})
	Expect(err).NotTo(HaveOccurred())
	return res.Status
}

// setFaults injects platform faults for the rest of the spec.
func setFaults(f platformsim.Faults) {
	GinkgoHelper()
	Expect(sim.SetFaults(f)).To(Succeed())
	DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
}

// The states a GitOps wait meets, each produced on the real control plane and read with
// kstatus (what Flux's `wait: true` and `kubectl wait`-style tools compute). Argo CD's
// reading of the same states is tested in test/health.
var _ = Describe("kstatus (Flux health) on real objects", Ordered, func() {
	var ent *v1alpha1.Enterprise
	BeforeAll(func() { ent = readyEnterprise() })
	role := func(name string) *v1alpha1.EnterpriseRole {
		GinkgoHelper()
		r := newRole(ent.Namespace, ent.Name, name, name+"-"+testenv.RandHex(4))
		Expect(k8s.Create(ctx, r)).To(Succeed())
		cleanup(r)
		return r
	}
	readyRole := func(name string) *v1alpha1.EnterpriseRole {
		GinkgoHelper()
		r := role(name)
		waitReady(r)
		Expect(kstatusOf(r)).To(Equal(status.CurrentStatus))
		Expect(conditionOf(r, v1alpha1.ConditionReconciling)).To(BeNil())
		return r
	}
	editRole := func(r *v1alpha1.EnterpriseRole) {
		GinkgoHelper()
		update(r, func(r *v1alpha1.EnterpriseRole) {
			r.Spec.Permissions = append(r.Spec.Permissions, "users:write")
		})
	}
	expectReconciling := func(obj client.Object, reason string) {
		GinkgoHelper()
		c := conditionOf(obj, v1alpha1.ConditionReconciling)
		Expect(c).NotTo(BeNil(), "Reconciling")
		Expect(c.Status).To(Equal(metav1.ConditionTrue))
		Expect(c.Reason).To(Equal(reason), c.Message)
		Expect(c.ObservedGeneration).To(Equal(obj.GetGeneration()))
	}

	It("is Failed when a create stalls", func() {
		setFaults(platformsim.Faults{RejectNext: map[string]int{"createEnterpriseRole": 1}})
		r := role("stalled-create")
		waitCondition(r, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec)
		Expect(r.Status.ObservedGeneration).To(Equal(r.Generation))
		Expect(conditionOf(r, v1alpha1.ConditionReconciling)).To(BeNil())
		Expect(kstatusOf(r)).To(Equal(status.FailedStatus))
	})

	It("is Failed when a spec change of a Ready object stalls, and InProgress then Current once fixed", func() {
		r := readyRole("stalled-change")
		setFaults(platformsim.Faults{RejectNext: map[string]int{"updateEnterpriseRole": 1}})
		editRole(r)
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, objKey(r), r)).To(Succeed())
			c := conditionOf(r, v1alpha1.ConditionStalled)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.ObservedGeneration).To(Equal(r.Generation), "stalled on the new generation")
		}, eventuallyTO, 100*time.Millisecond).Should(Succeed())
		Expect(r.Status.ObservedGeneration).To(Equal(r.Generation), "the stalled generation is observed, as Flux's controllers do")
		Expect(conditionOf(r, v1alpha1.ConditionReconciling)).To(BeNil())
		Expect(kstatusOf(r)).To(Equal(status.FailedStatus))

		By("fixing the spec (the rejection was one-off)")
		update(r, func(r *v1alpha1.EnterpriseRole) { r.Spec.Description = "fixed" })
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, objKey(r), r)).To(Succeed())
			g.Expect(r.Status.ObservedGeneration).To(Equal(r.Generation))
			g.Expect(conditionOf(r, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue))
		}, eventuallyTO, 100*time.Millisecond).Should(Succeed())
		Expect(conditionOf(r, v1alpha1.ConditionStalled)).To(BeNil())
		Expect(kstatusOf(r)).To(Equal(status.CurrentStatus))
	})

	It("is InProgress, with Reconciling=True, while the update of a Ready object is retried", func() {
		r := readyRole("retried-update")
		setFaults(platformsim.Faults{FailNext: map[string]int{"updateEnterpriseRole": 1_000_000}, ErrorStatus: 503})
		editRole(r)
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, objKey(r), r)).To(Succeed())
			c := conditionOf(r, v1alpha1.ConditionSynced)
			g.Expect(c.Reason).To(Equal(v1alpha1.ReasonPlatformUnavailable))
			g.Expect(c.ObservedGeneration).To(Equal(r.Generation))
		}, eventuallyTO, 100*time.Millisecond).Should(Succeed())
		Expect(conditionOf(r, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue), "Ready stays for the applied generation")
		Expect(r.Status.ObservedGeneration).To(BeNumerically("<", r.Generation))
		expectReconciling(r, v1alpha1.ReasonPlatformUnavailable)
		Expect(conditionOf(r, v1alpha1.ConditionStalled)).To(BeNil())
		Expect(kstatusOf(r)).To(Equal(status.InProgressStatus))
		// Still retrying, still InProgress: nothing turns it Failed or Current meanwhile.
		calls := sim.CallCount("updateEnterpriseRole")
		Eventually(func() int { return sim.CallCount("updateEnterpriseRole") }, eventuallyTO, 100*time.Millisecond).Should(BeNumerically(">", calls))
		Expect(kstatusOf(r)).To(Equal(status.InProgressStatus))

		By("the platform recovering")
		Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed())
		Eventually(func() status.Status { return kstatusOf(r) }, eventuallyTO, 100*time.Millisecond).Should(Equal(status.CurrentStatus))
		Expect(conditionOf(r, v1alpha1.ConditionReconciling)).To(BeNil())
	})

	It("is InProgress, with Reconciling=True, while waiting for a dependency", func() {
		waiting := &v1alpha1.EnterpriseRole{
			ObjectMeta: metav1.ObjectMeta{Namespace: ent.Namespace, Name: "waits"},
			Spec: v1alpha1.EnterpriseRoleSpec{
				EnterpriseRef: v1alpha1.LocalObjectReference{Name: "not-there-yet"}, Name: "waits",
			},
		}
		Expect(k8s.Create(ctx, waiting)).To(Succeed())
		cleanup(waiting)
		waitCondition(waiting, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		expectReconciling(waiting, v1alpha1.ReasonWaitingForDependency)
		Expect(kstatusOf(waiting)).To(Equal(status.InProgressStatus))
	})

	It("is InProgress while a Domain waits for its DNS record, although its spec is applied", func() {
		d := &v1alpha1.Domain{
			ObjectMeta: metav1.ObjectMeta{Namespace: ent.Namespace, Name: "pending"},
			Spec: v1alpha1.DomainSpec{
				EnterpriseRef: v1alpha1.LocalObjectReference{Name: ent.Name}, DomainName: "pending-" + testenv.RandHex(4) + ".example.com",
			},
		}
		Expect(k8s.Create(ctx, d)).To(Succeed())
		cleanup(d)
		waitCondition(d, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonVerificationPending)
		Expect(d.Status.ObservedGeneration).To(Equal(d.Generation))
		expectReconciling(d, v1alpha1.ReasonVerificationPending)
		Expect(kstatusOf(d)).To(Equal(status.InProgressStatus))
	})

	It("reads a paused object by its conditions: Current if it was Ready, InProgress with a spec change pending", func() {
		r := readyRole("paused")
		annotate(r, v1alpha1.AnnotationPaused, "true")
		waitCondition(r, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonPaused)
		Expect(conditionOf(r, v1alpha1.ConditionReconciling)).To(BeNil())
		Expect(kstatusOf(r)).To(Equal(status.CurrentStatus))

		editRole(r)
		Consistently(func() status.Status { return kstatusOf(r) }, 2*testResync, 100*time.Millisecond).
			Should(Equal(status.InProgressStatus), "the change waits for the pause to end")
		Expect(conditionOf(r, v1alpha1.ConditionReconciling)).To(BeNil(), "paused is not on its way anywhere")
	})

	It("is Terminating while a deletion is retried", func() {
		r := readyRole("deleting")
		setFaults(platformsim.Faults{FailNext: map[string]int{"deleteEnterpriseRole": 1_000_000}, ErrorStatus: 503})
		Expect(k8s.Delete(ctx, r)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, objKey(r), r)).To(Succeed())
			g.Expect(conditionOf(r, v1alpha1.ConditionSynced).Reason).To(Equal(v1alpha1.ReasonDeletionBlocked))
		}, eventuallyTO, 100*time.Millisecond).Should(Succeed())
		expectReconciling(r, v1alpha1.ReasonDeletionBlocked)
		Expect(kstatusOf(r)).To(Equal(status.TerminatingStatus))

		Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed())
		waitGone(r)
	})
})
