package controller

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platformsim"
)

var _ = Describe("Enterprise", func() {
	It("creates the enterprise on the platform and becomes Ready", func() {
		e := readyEnterprise()
		Expect(e.Status.ExternalID).NotTo(BeEmpty())
		Expect(e.Status.AdminUserID).NotTo(BeEmpty())
		Expect(e.Status.ObservedGeneration).To(Equal(e.Generation))
		Expect(e.Finalizers).To(ContainElement(v1alpha1.Finalizer))
		Expect(enterpriseState(e.Status.ExternalID).OrganizationID).To(Equal(e.Spec.OrganizationID))
	})

	It("creates exactly one enterprise when the create response is lost", func() {
		Expect(sim.SetFaults(platformsim.Faults{DropResponse: map[string]int{"createEnterprise": 1}})).To(Succeed())
		DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
		e := newEnterprise(newTenant(), "dropped")
		Expect(k8s.Create(ctx, e)).To(Succeed())
		waitReady(e)
		n := 0
		for _, s := range sim.State().Enterprises {
			if s.OrganizationID == e.Spec.OrganizationID {
				n++
			}
		}
		Expect(n).To(Equal(1))
	})

	It("recreates an enterprise deleted on the platform with a key of its own, once even when the answer is lost", func() {
		e := readyEnterprise()
		cleanup(e)
		gone := e.Status.ExternalID
		firstKey := enterpriseState(gone).IdempotencyKey
		Expect(firstKey).To(ContainSubstring(string(e.UID)))

		Expect(sim.SetFaults(platformsim.Faults{DropResponse: map[string]int{"createEnterprise": 1}})).To(Succeed())
		DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
		Expect(sim.Delete("enterprise", gone, "")).To(Succeed())

		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, objKey(e), e)).To(Succeed())
			g.Expect(e.Status.ExternalID).NotTo(Equal(gone))
		}, eventuallyTO, 100*time.Millisecond).Should(Succeed())
		waitReady(e)
		Expect(sim.Faults().DropResponse).To(BeEmpty(), "the recreate's first answer was lost")
		Expect(countOrg(e.Spec.OrganizationID)).To(Equal(1))
		// Not the first key: a platform that remembers keys after deletion would answer
		// the deleted enterprise to it.
		Expect(enterpriseState(e.Status.ExternalID).IdempotencyKey).To(Equal(firstKey + "-after-" + gone))
	})

	It("waits with a reason naming a missing PlatformConfig", func() {
		e := newEnterprise(newTenant(), "orphan")
		e.Spec.PlatformConfigRef.Name = "missing"
		Expect(k8s.Create(ctx, e)).To(Succeed())
		waitCondition(e, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		Expect(conditionOf(e, v1alpha1.ConditionSynced).Message).To(Equal("waiting for PlatformConfig missing to exist"))
	})
})

var _ = Describe("Enterprise rejected by the platform", func() {
	It("stalls on a create the platform rejects (400), with its message, without retrying", func() {
		Expect(sim.SetFaults(platformsim.Faults{RejectNext: map[string]int{"createEnterprise": 1}})).To(Succeed())
		DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
		before := sim.CallCount("createEnterprise")
		e := newEnterprise(newTenant(), "rejected")
		Expect(k8s.Create(ctx, e)).To(Succeed())
		waitCondition(e, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec)
		Expect(conditionOf(e, v1alpha1.ConditionSynced).Message).To(And(ContainSubstring("injected rejection"), ContainSubstring("requestId")))
		Consistently(func() int { return sim.CallCount("createEnterprise") - before }, quiet, 200*time.Millisecond).
			Should(Equal(1), "a rejected create is not retried")

		By("recovering once the spec changes")
		update(e, func(e *v1alpha1.Enterprise) { e.Spec.AdditionalAdmins = []string{"ops@example.com"} })
		waitReady(e)
	})
})
