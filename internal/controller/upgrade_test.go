package controller

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// oldRelease writes obj as a release before ownership records left it: the finalizer
// in place, bound by status.externalID, Ready. The object is created paused, so the
// running operator leaves it alone until unpause.
func oldRelease(obj managed.Object, id string) {
	GinkgoHelper()
	obj.SetAnnotations(map[string]string{v1alpha1.AnnotationPaused: "true"})
	obj.SetFinalizers([]string{v1alpha1.Finalizer})
	Expect(k8s.Create(ctx, obj)).To(Succeed())
	Eventually(func() error {
		if err := k8s.Get(ctx, objKey(obj), obj); err != nil {
			return err
		}
		st := obj.GetManagedStatus()
		st.ExternalID = id
		st.ObservedGeneration = obj.GetGeneration()
		st.Conditions = nil
		managed.SetCondition(&st.Conditions, obj.GetGeneration(), v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonAvailable, "the platform object matches the spec")
		managed.SetCondition(&st.Conditions, obj.GetGeneration(), v1alpha1.ConditionSynced, metav1.ConditionTrue, v1alpha1.ReasonReconcileSuccess, "the platform object matches the spec")
		return k8s.Status().Update(ctx, obj)
	}, eventuallyTO).Should(Succeed())
}

var _ = Describe("Upgrading from a release without ownership records", func() {
	createOps := []string{"createEnterprise", "createEnterpriseUser", "createEnterpriseRole"}

	It("records the ownership of what an Enterprise is bound to, and re-creates or stalls nothing", func() {
		ns := newTenant()
		e := newEnterprise(ns, "legacy")
		id := precreateEnterprise(e)
		u, err := platformClient().CreateUser(context.Background(), id, platform.UserCreate{
			Username: "legacy-user", Password: "Pre-" + testenv.RandHex(12), Email: "legacy-user@example.com", FirstName: "First",
		})
		Expect(err).NotTo(HaveOccurred())
		user := newUser(ns, e.Name, "legacy-user", "legacy-user")
		user.Spec.PasswordSecretRef = nil
		oldRelease(e, id)
		oldRelease(user, u.ID)
		created := opCalls(createOps...)

		for _, o := range []managed.Object{e, user} {
			annotate(o, v1alpha1.AnnotationPaused, "")
		}
		Eventually(func() []platformsim.ThirdPartyIdentifier { return enterpriseState(id).ThirdPartyIdentifiers }, eventuallyTO).
			Should(ConsistOf(platformsim.ThirdPartyIdentifier{ID: ns + "/legacy", Label: v1alpha1.OwnerRecordLabel}))
		for _, o := range []managed.Object{e, user} {
			waitCondition(o, v1alpha1.ConditionSynced, metav1.ConditionTrue, v1alpha1.ReasonReconcileSuccess)
			waitReady(o)
			Expect(conditionOf(o, v1alpha1.ConditionStalled)).To(BeNil())
		}
		Expect(e.Status.ExternalID).To(Equal(id))
		Expect(user.Status.ExternalID).To(Equal(u.ID))
		Expect(e.Status.Drift).To(BeEmpty(), "the record is never reported as drift")
		Expect(opCalls(createOps...)).To(Equal(created), "nothing was created again")
		deleteAndWait(user)
		deleteAndWait(e)
		Expect(enterpriseExists(id)).To(BeFalse())
	})

	It("leaves an enterprise two Enterprises were bound to with the older one; the other releases it, and its deletion leaves it", func() {
		owner := newEnterprise(newTenant(), "owner")
		id := precreateEnterprise(owner)
		oldRelease(owner, id)
		cleanup(owner)
		// Creation timestamps have a resolution of one second: make the order certain.
		Eventually(func() bool { return time.Since(owner.CreationTimestamp.Time) > time.Second }, eventuallyTO).Should(BeTrue())
		intruder := newEnterprise(newTenant(), "intruder")
		intruder.Spec.OrganizationID = owner.Spec.OrganizationID
		oldRelease(intruder, id)

		annotate(intruder, v1alpha1.AnnotationPaused, "")
		annotate(owner, v1alpha1.AnnotationPaused, "")
		waitCondition(intruder, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionDenied)
		Expect(intruder.Status.ExternalID).To(BeEmpty(), "released")
		Expect(conditionOf(intruder, v1alpha1.ConditionSynced).Message).NotTo(ContainSubstring(owner.Namespace))
		waitReady(owner)
		Expect(owner.Status.ExternalID).To(Equal(id))
		Eventually(func() []platformsim.ThirdPartyIdentifier { return enterpriseState(id).ThirdPartyIdentifiers }, eventuallyTO).
			Should(ConsistOf(platformsim.ThirdPartyIdentifier{ID: owner.Namespace + "/owner", Label: v1alpha1.OwnerRecordLabel}))

		deleteAndWait(intruder)
		Expect(enterpriseExists(id)).To(BeTrue(), "the intruder's deletion leaves the enterprise")
		waitReady(owner)
	})
})
