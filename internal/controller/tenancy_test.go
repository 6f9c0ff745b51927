package controller

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// Two tenants, one PlatformConfig: tenant B writes whatever it likes in its own
// namespace and tries to reach tenant A's platform objects. Nothing it does may bind,
// change or delete them, or tell it anything about them.
var _ = Describe("Two tenants on one PlatformConfig", Ordered, func() {
	var (
		a      *v1alpha1.Enterprise
		aObjs  = map[string]managed.Object{} // by kind
		aKeys  = map[string]string{}         // natural keys, by kind
		before string                        // A's platform state, as JSON
	)
	aState := func() string { return platformJSON(a.Status.ExternalID) }
	// secretsOfA are strings that identify tenant A; none may reach tenant B.
	secretsOfA := func() []string {
		out := []string{a.Namespace, "victim", a.Spec.AdminEmail, a.Status.AdminUserID}
		for _, o := range aObjs {
			out = append(out, o.GetName())
		}
		return out
	}
	// leaksNothing checks every condition of objs and every event in their namespace.
	leaksNothing := func(forbidden []string, objs ...managed.Object) {
		GinkgoHelper()
		var texts []string
		for _, o := range objs {
			Expect(k8s.Get(ctx, objKey(o), o)).To(Succeed())
			for _, c := range o.GetManagedStatus().Conditions {
				texts = append(texts, c.Message)
			}
			texts = append(texts, o.GetManagedStatus().ExternalID)
		}
		evs := &eventsv1.EventList{}
		Expect(k8s.List(ctx, evs, client.InNamespace(objs[0].GetNamespace()))).To(Succeed())
		for _, e := range evs.Items {
			texts = append(texts, e.Note)
		}
		for _, t := range texts {
			for _, f := range forbidden {
				Expect(t).NotTo(ContainSubstring(f), "tenant B sees %q", f)
			}
		}
	}
	expectAUnchanged := func() {
		GinkgoHelper()
		Expect(aState()).To(Equal(before), "tenant A's platform objects are byte-for-byte unchanged")
	}

	BeforeAll(func() {
		a = newEnterprise(newTenant(), "victim")
		Expect(k8s.Create(ctx, a)).To(Succeed())
		waitReady(a)
		for _, k := range allChildKinds() {
			aKeys[k.kind] = newKey()
			obj := k.newObj(a.Namespace, a.Name, "victim-"+strings.ToLower(k.kind), aKeys[k.kind])
			Expect(k8s.Create(ctx, obj)).To(Succeed())
			k.becomeReady(obj)
			aObjs[k.kind] = obj
		}
		Expect(k8s.Get(ctx, objKey(a), a)).To(Succeed())
		before = aState()
		Expect(enterpriseState(a.Status.ExternalID).ThirdPartyIdentifiers).To(ContainElement(
			HaveField("Label", v1alpha1.OwnerRecordLabel)), "the operator records who owns what it created")
	})
	AfterAll(func() {
		expectAUnchanged()
		for _, o := range aObjs {
			waitReady(o)
		}
		waitReady(a)
	})

	It("refuses B's Enterprise carrying A's enterprise id (same organization), and B's children and deletions never reach A", func() {
		ns := newTenant()
		b := newEnterprise(ns, "intruder")
		b.Spec.OrganizationID = a.Spec.OrganizationID
		b.Annotations = map[string]string{v1alpha1.AnnotationExternalID: a.Status.ExternalID}
		Expect(k8s.Create(ctx, b)).To(Succeed())
		objs := []managed.Object{b}
		for _, k := range allChildKinds() {
			byID := k.newObj(ns, b.Name, "by-id-"+strings.ToLower(k.kind), newKey())
			byID.SetAnnotations(map[string]string{v1alpha1.AnnotationExternalID: aObjs[k.kind].GetManagedStatus().ExternalID})
			byKey := k.newObj(ns, b.Name, "by-key-"+strings.ToLower(k.kind), aKeys[k.kind])
			for _, o := range []managed.Object{byID, byKey} {
				Expect(k8s.Create(ctx, o)).To(Succeed())
				objs = append(objs, o)
			}
		}
		waitCondition(b, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionDenied)
		for _, o := range objs[1:] {
			waitCondition(o, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		}
		Consistently(func() string { return managedStatus(b).ExternalID }, quiet, 200*time.Millisecond).Should(BeEmpty())
		expectAUnchanged()
		leaksNothing(secretsOfA(), objs...)

		By("deleting B's objects: each goes at once, and A keeps everything")
		for _, o := range objs {
			// The Enterprise's deletion may already have taken its children.
			Expect(client.IgnoreNotFound(k8s.Delete(ctx, o))).To(Succeed())
		}
		for _, o := range objs {
			waitGoneWithin(o, neverCreatedDeleteTO)
		}
		expectAUnchanged()
	})

	It("refuses it with another organization, saying no more than for an id that does not exist", func() {
		ns := newTenant()
		taken := newEnterprise(ns, "other-org")
		taken.Annotations = map[string]string{v1alpha1.AnnotationExternalID: a.Status.ExternalID}
		missing := newEnterprise(ns, "missing")
		missing.Spec.OrganizationID = taken.Spec.OrganizationID
		ghost := testenv.RandHex(16)
		missing.Annotations = map[string]string{v1alpha1.AnnotationExternalID: ghost}
		for _, e := range []*v1alpha1.Enterprise{taken, missing} {
			Expect(k8s.Create(ctx, e)).To(Succeed())
			cleanup(e)
			waitCondition(e, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionDenied)
		}
		leaksNothing(append(secretsOfA(), a.Spec.OrganizationID), taken)
		// The two answers differ only in what B wrote itself: no oracle for whether
		// an id exists or whose it is.
		msg := func(e *v1alpha1.Enterprise) string { return conditionOf(e, v1alpha1.ConditionSynced).Message }
		Expect(strings.NewReplacer(a.Status.ExternalID, "ID", "other-org", "NAME").Replace(msg(taken))).
			To(Equal(strings.NewReplacer(ghost, "ID", "missing", "NAME").Replace(msg(missing))))
		expectAUnchanged()
	})

	It("keeps B's children inside B's own enterprise, by id and by natural key", func() {
		b := newEnterprise(newTenant(), "neighbour")
		Expect(k8s.Create(ctx, b)).To(Succeed())
		cleanup(b)
		waitReady(b)
		Expect(b.Status.ExternalID).NotTo(Equal(a.Status.ExternalID))
		var objs []managed.Object
		for _, k := range allChildKinds() {
			byID := k.newObj(b.Namespace, b.Name, "by-id-"+strings.ToLower(k.kind), newKey())
			aID := aObjs[k.kind].GetManagedStatus().ExternalID
			byID.SetAnnotations(map[string]string{v1alpha1.AnnotationExternalID: aID})
			Expect(k8s.Create(ctx, byID)).To(Succeed())
			cleanup(byID)
			waitCondition(byID, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonNotFound)
			Expect(byID.GetManagedStatus().ExternalID).To(BeEmpty(), "%s: A's object is not found from B's enterprise", k.kind)

			byKey := k.newObj(b.Namespace, b.Name, "by-key-"+strings.ToLower(k.kind), aKeys[k.kind])
			Expect(k8s.Create(ctx, byKey)).To(Succeed())
			cleanup(byKey)
			waitCondition(byKey, v1alpha1.ConditionSynced, metav1.ConditionTrue)
			Expect(byKey.GetManagedStatus().ExternalID).NotTo(Equal(aObjs[k.kind].GetManagedStatus().ExternalID))
			Expect(k.objects(b.Status.ExternalID)).To(HaveKey(byKey.GetManagedStatus().ExternalID), "%s: created in B's own enterprise", k.kind)
			objs = append(objs, byID, byKey)
		}
		leaksNothing(secretsOfA(), objs...)
		for _, o := range objs {
			deleteAndWait(o)
		}
		expectAUnchanged()
	})
})

var _ = Describe("Adopting an enterprise without an ownership record", func() {
	It("needs the PlatformConfig's grant for the namespace; once recorded, no other namespace adopts it", func() {
		pre := newEnterprise(newTenant(), "made-elsewhere")
		id := precreateEnterprise(pre)
		adopt := func(ns, name string) *v1alpha1.Enterprise {
			GinkgoHelper()
			e := newEnterprise(ns, name)
			e.Spec.OrganizationID = pre.Spec.OrganizationID
			e.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan
			e.Annotations = map[string]string{v1alpha1.AnnotationExternalID: id}
			Expect(k8s.Create(ctx, e)).To(Succeed())
			cleanup(e)
			return e
		}

		By("refusing a namespace the grant does not select")
		denied := adopt(newTenant(), "not-granted")
		waitCondition(denied, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionDenied)
		Expect(conditionOf(denied, v1alpha1.ConditionSynced).Message).To(ContainSubstring("spec.adoption"))
		Expect(enterpriseState(id).ThirdPartyIdentifiers).To(BeEmpty())

		By("adopting in a granted namespace and recording it")
		first := adopt(newAdoptingTenant(), "adopter")
		waitReady(first)
		Expect(first.Status.ExternalID).To(Equal(id))
		Eventually(func() []platformsim.ThirdPartyIdentifier { return enterpriseState(id).ThirdPartyIdentifiers }, eventuallyTO).
			Should(ConsistOf(platformsim.ThirdPartyIdentifier{ID: first.Namespace + "/adopter", Label: v1alpha1.OwnerRecordLabel}))

		By("refusing another granted namespace, while the adopter lives and after it is gone")
		second := adopt(newAdoptingTenant(), "adopter")
		waitCondition(second, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionDenied)
		Expect(conditionOf(second, v1alpha1.ConditionSynced).Message).NotTo(ContainSubstring(first.Namespace))
		deleteAndWait(first)
		Expect(enterpriseExists(id)).To(BeTrue(), "orphaned")
		annotate(second, "test.enterprise-operator.dev/retry", "1")
		Consistently(func() string { return managedStatus(second).ExternalID }, quiet, 200*time.Millisecond).Should(BeEmpty())
		Expect(conditionOf(second, v1alpha1.ConditionStalled).Reason).To(Equal(v1alpha1.ReasonAdoptionDenied))
	})
})

// neverCreatedDeleteTO bounds the deletion of an object that never reached the
// platform: it needs no platform call, only the operator's own finalizer release.
const neverCreatedDeleteTO = 10 * time.Second

// waitGoneWithin waits until obj is gone, for at most d.
func waitGoneWithin(obj client.Object, d time.Duration) {
	GinkgoHelper()
	Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, objKey(obj), obj))
	}, d, 100*time.Millisecond).Should(BeTrue(), "%T %s/%s still exists with finalizers %v", obj, obj.GetNamespace(), obj.GetName(), obj.GetFinalizers())
}
