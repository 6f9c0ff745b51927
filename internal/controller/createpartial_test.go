package controller

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

var _ = Describe("A create that fails after the object exists", func() {
	It("records the new id at once and finishes the rest later (suspending a new user)", func() {
		e := readyEnterprise()
		Expect(sim.SetFaults(platformsim.Faults{FailNext: map[string]int{"suspendEnterpriseUser": 5}})).To(Succeed())
		DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
		u := newUser(e.Namespace, e.Name, "erin", "erin-"+testenv.RandHex(3))
		u.Spec.Suspended = true
		lookups := sim.CallCount("listEnterpriseUsers")
		Expect(k8s.Create(ctx, u)).To(Succeed())

		By("the id is in status while the suspend still fails")
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, objKey(u), u)).To(Succeed())
			g.Expect(u.Status.ExternalID).NotTo(BeEmpty())
			g.Expect(conditionOf(u, v1alpha1.ConditionReady)).NotTo(BeNil())
			g.Expect(conditionOf(u, v1alpha1.ConditionReady).Status).NotTo(Equal("True"))
		}, eventuallyTO).Should(Succeed())

		By("then it ends suspended, with exactly one platform user")
		Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed())
		waitReady(u)
		Expect(userState(e.Status.ExternalID, u.Status.ExternalID).Status).To(Equal(platformsim.StatusSuspended))
		n := 0
		for _, pu := range enterpriseState(e.Status.ExternalID).Users {
			if pu.Email == u.Spec.Email {
				n++
			}
		}
		Expect(n).To(Equal(1))
		Expect(sim.CallCount("listEnterpriseUsers")-lookups).To(Equal(1),
			"one natural-key lookup before the create; the id was kept, so none after")
	})
})
