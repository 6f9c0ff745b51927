package controller

import (
	"context"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

var enterpriseWriteOps = []string{"createEnterprise", "updateEnterprise", "deleteEnterprise"}

// enterpriseExists reports whether the simulator has an enterprise with that id.
func enterpriseExists(id string) bool { return enterpriseState(id).ID == id }

// countOrg counts the simulator's enterprises of one organization.
func countOrg(org string) int {
	n := 0
	for _, e := range sim.State().Enterprises {
		if e.OrganizationID == org {
			n++
		}
	}
	return n
}

// precreateEnterprise creates an enterprise through a platform client, as if someone
// had made it before the operator managed it.
func precreateEnterprise(e *v1alpha1.Enterprise) string {
	GinkgoHelper()
	out, err := platformClient().CreateEnterprise(context.Background(), platform.EnterpriseCreate{
		OrganizationID: e.Spec.OrganizationID, AdminEmail: e.Spec.AdminEmail, IdempotencyKey: "pre-" + testenv.RandHex(8),
		AdditionalAdmins: []string{}, ThirdPartyIdentifiers: []platform.ThirdPartyIdentifier{},
	})
	Expect(err).NotTo(HaveOccurred())
	return out.EnterpriseID
}

var _ = Describe("Enterprise lifecycle", func() {
	admins := func(id string) []string { return enterpriseState(id).AdditionalAdmins }

	It("applies spec edits and reverts platform drift at the next resync", func() {
		e := readyEnterprise()
		id := e.Status.ExternalID
		update(e, func(e *v1alpha1.Enterprise) { e.Spec.AdditionalAdmins = []string{"second@example.com"} })
		Eventually(func() []string { return admins(id) }, eventuallyTO, 100*time.Millisecond).Should(ConsistOf("second@example.com"))

		Expect(sim.MutateEnterprise(id, func(pe *platformsim.Enterprise) { pe.AdditionalAdmins = []string{"intruder@example.com"} })).To(Succeed())
		Eventually(func() []string { return admins(id) }, eventuallyTO, 100*time.Millisecond).Should(ConsistOf("second@example.com"))
		waitCondition(e, v1alpha1.ConditionSynced, metav1.ConditionTrue)
		Expect(e.Status.ObservedGeneration).To(Equal(e.Generation))
	})

	It("deletes the enterprise with deletionPolicy Delete and keeps it with Orphan", func() {
		del := readyEnterprise()
		deleteAndWait(del)
		Expect(enterpriseExists(del.Status.ExternalID)).To(BeFalse())

		orphan := newEnterprise(newTenant(), "orphaned")
		orphan.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan
		Expect(k8s.Create(ctx, orphan)).To(Succeed())
		waitReady(orphan)
		deleteAndWait(orphan)
		Expect(enterpriseExists(orphan.Status.ExternalID)).To(BeTrue())
	})

	It("adopts an existing enterprise by the external-id annotation where adoption is granted, and records its ownership", func() {
		e := newEnterprise(newAdoptingTenant(), "adopted")
		id := precreateEnterprise(e)
		e.Spec.AdditionalAdmins = []string{"adopter@example.com"}
		e.Annotations = map[string]string{v1alpha1.AnnotationExternalID: id}
		Expect(k8s.Create(ctx, e)).To(Succeed())
		waitReady(e)
		Expect(e.Status.ExternalID).To(Equal(id))
		Expect(countOrg(e.Spec.OrganizationID)).To(Equal(1))
		Expect(admins(id)).To(ConsistOf("adopter@example.com"))
		Eventually(func() []platformsim.ThirdPartyIdentifier { return enterpriseState(id).ThirdPartyIdentifiers }, eventuallyTO).
			Should(ContainElement(platformsim.ThirdPartyIdentifier{ID: e.Namespace + "/" + e.Name, Label: v1alpha1.OwnerRecordLabel}))
	})

	It("makes no platform write while paused", func() {
		e := readyEnterprise()
		id := e.Status.ExternalID
		annotate(e, v1alpha1.AnnotationPaused, "true")
		waitCondition(e, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonPaused)
		before := opCalls(enterpriseWriteOps...)
		update(e, func(e *v1alpha1.Enterprise) { e.Spec.AdditionalAdmins = []string{"paused@example.com"} })
		Expect(sim.MutateEnterprise(id, func(pe *platformsim.Enterprise) { pe.AdditionalAdmins = []string{"intruder@example.com"} })).To(Succeed())
		Consistently(func() int { return opCalls(enterpriseWriteOps...) }, quiet, 100*time.Millisecond).Should(Equal(before))
		Expect(admins(id)).To(ConsistOf("intruder@example.com"))

		annotate(e, v1alpha1.AnnotationPaused, "")
		Eventually(func() []string { return admins(id) }, eventuallyTO, 100*time.Millisecond).Should(ConsistOf("paused@example.com"))
	})

	It("only observes with managementPolicy ObserveOnly and reports drift", func() {
		e := newEnterprise(newAdoptingTenant(), "observed")
		id := precreateEnterprise(e)
		e.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly
		e.Spec.AdditionalAdmins = []string{"wanted@example.com"}
		e.Annotations = map[string]string{v1alpha1.AnnotationExternalID: id}
		before := opCalls(enterpriseWriteOps...)
		Expect(k8s.Create(ctx, e)).To(Succeed())
		waitCondition(e, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDrifted)
		Expect(conditionOf(e, v1alpha1.ConditionSynced).Reason).To(Equal(v1alpha1.ReasonDrifted))
		Expect(e.Status.Drift).To(ConsistOf("additionalAdmins"))
		Expect(e.Status.ExternalID).To(Equal(id))
		Consistently(func() int { return opCalls(enterpriseWriteOps...) }, quiet, 100*time.Millisecond).Should(Equal(before))
		Expect(admins(id)).To(BeEmpty())

		By("reporting in sync once the platform matches")
		Expect(sim.MutateEnterprise(id, func(pe *platformsim.Enterprise) { pe.AdditionalAdmins = []string{"wanted@example.com"} })).To(Succeed())
		waitCondition(e, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonObserveOnly)
		Expect(managedStatus(e).Drift).To(BeEmpty())

		deleteAndWait(e)
		Expect(enterpriseExists(id)).To(BeTrue(), "ObserveOnly never deletes")
		Expect(opCalls(enterpriseWriteOps...)).To(Equal(before))
	})

	It("deletes its children first, says which block it, and leaks nothing", func() {
		e := readyEnterprise()
		ns, id := e.Namespace, e.Status.ExternalID
		role := newRole(ns, e.Name, "child-role", "child-role")
		user := newUser(ns, e.Name, "child-user", "child"+testenv.RandHex(3))
		user.Spec.RoleRefs = []v1alpha1.LocalObjectReference{{Name: "child-role"}}
		group := newGroup(ns, e.Name, "child-group", "child-group")
		group.Spec.Members = []v1alpha1.LocalObjectReference{{Name: "child-user"}}
		hookObj := newWebhook(ns, e.Name, "child-hook", "child-hook")
		domain := newDomain(ns, e.Name, "child-domain", newKey())
		for _, o := range []managedObject{role, user, group, hookObj, domain} {
			Expect(k8s.Create(ctx, o)).To(Succeed())
		}
		for _, o := range []managedObject{role, user, group, hookObj} {
			waitReady(o)
		}
		waitCondition(domain, v1alpha1.ConditionSynced, metav1.ConditionTrue)
		snap := enterpriseState(id)
		Expect(snap.Users).To(ContainElement(HaveField("ID", user.Status.ExternalID)))
		Expect(snap.Roles).To(HaveLen(1))
		Expect(snap.Groups).To(HaveLen(1))
		Expect(snap.Webhooks).To(HaveLen(1))
		Expect(snap.Domains).To(HaveLen(1))

		By("holding one child back with the pause annotation")
		annotate(group, v1alpha1.AnnotationPaused, "true")
		waitCondition(group, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonPaused)
		Expect(k8s.Delete(ctx, e)).To(Succeed())
		for _, o := range []managedObject{role, user, hookObj, domain} {
			waitGone(o)
		}
		waitCondition(e, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonDeletionBlocked)
		msg := conditionOf(e, v1alpha1.ConditionSynced).Message
		Expect(msg).To(ContainSubstring("UserGroup/child-group"))
		Expect(msg).NotTo(ContainSubstring("EnterpriseRole/child-role"))
		Expect(enterpriseExists(id)).To(BeTrue(), "the enterprise waits for its children")
		snap = enterpriseState(id)
		Expect(snap.Users).NotTo(ContainElement(HaveField("ID", user.Status.ExternalID)), "children deleted on the platform first")
		Expect(snap.Roles).To(BeEmpty())
		Expect(snap.Webhooks).To(BeEmpty())
		Expect(snap.Domains).To(BeEmpty())
		Expect(snap.Groups).To(HaveLen(1))

		annotate(group, v1alpha1.AnnotationPaused, "")
		waitGone(group)
		waitGone(e)
		Expect(enterpriseExists(id)).To(BeFalse())
		Expect(slices.ContainsFunc(sim.State().Enterprises, func(s platformsim.EnterpriseSnapshot) bool {
			return s.OrganizationID == e.Spec.OrganizationID
		})).To(BeFalse(), "nothing leaked on the platform")
	})
})
