package controller

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platformsim"
)

// A whole tenant against a platform that fails a quarter of all requests, answers
// slowly, and commits one create of every kind without answering it: every object
// still becomes Ready, the platform holds exactly one of each, and deleting the
// Enterprise takes the whole tenant with it, neither hanging nor leaving anything
// behind.
var _ = Describe("a misbehaving platform", func() {
	const perKind = 3

	It("converges a whole tenant without duplicates and deletes it without leaks", func() {
		kinds := allChildKinds()
		faults := platformsim.Faults{
			Latency:      platformsim.Duration(5 * time.Millisecond),
			ErrorRate:    map[string]float64{platformsim.AllOperations: 0.25},
			DropResponse: map[string]int{"createEnterprise": 1},
		}
		for _, k := range kinds {
			faults.DropResponse[k.createOp] = 1
		}
		injectedBefore := sim.InjectedFaults()
		Expect(sim.SetFaults(faults)).To(Succeed())
		DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })

		ent := newEnterprise(newTenant(), "flaky")
		Expect(k8s.Create(ctx, ent)).To(Succeed())
		cleanup(ent)
		objs := map[string][]managed.Object{}
		keys := map[string][]string{}
		for _, k := range kinds {
			for i := range perKind {
				key := newKey()
				obj := k.newObj(ent.Namespace, ent.Name, fmt.Sprintf("%s-%d", key, i), key)
				Expect(k8s.Create(ctx, obj)).To(Succeed())
				cleanup(obj)
				objs[k.kind] = append(objs[k.kind], obj)
				keys[k.kind] = append(keys[k.kind], k.keyOf(key))
			}
		}

		waitReady(ent)
		for _, k := range kinds {
			for _, obj := range objs[k.kind] {
				k.becomeReady(obj)
			}
		}
		// The faults really fired: without them this spec proves nothing.
		Expect(sim.Faults().DropResponse).To(BeEmpty(), "every create lost one answer")
		Expect(sim.InjectedFaults()-injectedBefore).To(BeNumerically(">", len(faults.DropResponse)), "the simulator injected errors too")

		entID := ent.Status.ExternalID
		Expect(countOrg(ent.Spec.OrganizationID)).To(Equal(1), "enterprises in the organization")
		for _, k := range kinds {
			// Exactly one platform object per natural key: a lost answer or a failed
			// step never made a second one. (Users also include the enterprise's admin.)
			perKey := map[string]int{}
			for _, key := range k.objects(entID) {
				perKey[key]++
			}
			for _, key := range keys[k.kind] {
				Expect(perKey[key]).To(Equal(1), "%s %q on the platform", k.kind, key)
			}
			for _, obj := range objs[k.kind] {
				Expect(k.objects(entID)).To(HaveKey(obj.GetManagedStatus().ExternalID), "%s %s is bound to its platform object", k.kind, obj.GetName())
			}
		}

		// Deleting the Enterprise alone takes the whole tenant: it deletes its
		// children, waits for each to release its platform object while the platform
		// keeps failing, then goes itself.
		Expect(k8s.Delete(ctx, ent)).To(Succeed())
		for _, k := range kinds {
			for _, obj := range objs[k.kind] {
				waitGone(obj)
			}
		}
		waitGone(ent)
		Expect(enterpriseExists(entID)).To(BeFalse(), "the enterprise is deleted on the platform")
		Expect(countOrg(ent.Spec.OrganizationID)).To(BeZero())
	})
})
