package controller

import (
	"strings"
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

// childKind describes one child kind of an Enterprise for the behaviour every
// platform-backed kind shares (create, update, drift, delete, adopt, pause,
// ObserveOnly, crash safety). Each kind's file fills one in and adds its own specs.
type childKind struct {
	kind     string
	createOp string
	// writeOps are the operationIds that write this kind on the platform.
	writeOps []string
	// newObj returns an unsaved object named name whose natural key derives from key.
	newObj func(ns, enterprise, name, key string) managed.Object
	// objects lists the kind's platform objects in an enterprise: id -> natural key.
	objects func(entID string) map[string]string
	// keyOf is the natural key the platform shows for key.
	keyOf func(key string) string
	// becomeReady waits until obj is Ready (a Domain publishes its DNS record first).
	becomeReady func(obj managed.Object)
	// renamable: an adopted object's natural key follows the spec.
	renamable bool
	// keepImmutable, when set, copies into a renaming adopter the fields of the
	// platform object made from oldKey that the platform cannot change (a user's
	// username).
	keepImmutable func(obj managed.Object, oldKey string)

	// edit changes the spec; edited reports the platform has the change.
	edit   func(obj managed.Object)
	edited func(entID, id string) bool
	// drift changes the platform object behind the operator's back; drifted reports
	// the change is there; driftField is the name status.drift gives it.
	drift      func(entID, id string)
	drifted    func(entID, id string) bool
	driftField string

	// objectWrites, when set, counts writes to one platform object that writeOps do not
	// show per object (a Domain's DNS checks); it must not change while nothing may write.
	objectWrites func(entID, id string) int

	// precreate creates, through a platform client, the object newObj(key) describes.
	precreate func(p platform.Client, ns, entID, key string) string
}

func newKey() string { return "k" + testenv.RandHex(5) }

// allChildKinds is every child kind of an Enterprise, for specs about a whole tenant.
func allChildKinds() []childKind {
	return []childKind{roleKind, userKind, groupKind, domainKind, webhookKind}
}

func describeChildKind(k childKind) bool {
	return Describe(k.kind+" (managed behaviour)", Ordered, func() {
		var ent *v1alpha1.Enterprise
		BeforeAll(func() { ent = readyEnterprise() })
		entID := func() string { return ent.Status.ExternalID }
		create := func(name, key string, mutate ...func(managed.Object)) managed.Object {
			GinkgoHelper()
			obj := k.newObj(ent.Namespace, ent.Name, name, key)
			for _, m := range mutate {
				m(obj)
			}
			Expect(k8s.Create(ctx, obj)).To(Succeed())
			cleanup(obj)
			return obj
		}
		// writes counts the kind's platform writes, plus those to the object id.
		writes := func(id string) int {
			n := opCalls(k.writeOps...)
			if k.objectWrites != nil {
				n += k.objectWrites(entID(), id)
			}
			return n
		}
		countKey := func(key string) int { return countKeyIn(k, entID(), key) }

		It("creates the platform object and becomes Ready", func() {
			key := newKey()
			obj := create("created", key)
			k.becomeReady(obj)
			st := obj.GetManagedStatus()
			Expect(st.ExternalID).NotTo(BeEmpty())
			Expect(st.ObservedGeneration).To(Equal(obj.GetGeneration()))
			Expect(obj.GetFinalizers()).To(ContainElement(v1alpha1.Finalizer))
			Expect(k.objects(entID())).To(HaveKeyWithValue(st.ExternalID, k.keyOf(key)))
			Expect(conditionOf(obj, v1alpha1.ConditionSynced).Status).To(Equal(metav1.ConditionTrue))
		})

		if k.edit != nil {
			It("applies spec edits and reverts platform drift at the next resync", func() {
				obj := create("edited", newKey())
				k.becomeReady(obj)
				id := obj.GetManagedStatus().ExternalID
				Expect(k.edited(entID(), id)).To(BeFalse())

				update(obj, k.edit)
				Eventually(func() bool { return k.edited(entID(), id) }, eventuallyTO, 100*time.Millisecond).Should(BeTrue())
				Eventually(func() int64 { return managedStatus(obj).ObservedGeneration }, eventuallyTO).Should(Equal(obj.GetGeneration()))

				k.drift(entID(), id)
				Expect(k.drifted(entID(), id)).To(BeTrue())
				Eventually(func() bool { return k.drifted(entID(), id) }, eventuallyTO, 100*time.Millisecond).Should(BeFalse())
				Expect(k.edited(entID(), id)).To(BeTrue())
				Expect(k.objects(entID())).To(HaveKey(id))
			})
		}

		It("deletes the platform object with deletionPolicy Delete and keeps it with Orphan", func() {
			for _, policy := range []v1alpha1.DeletionPolicy{v1alpha1.DeletionPolicyDelete, v1alpha1.DeletionPolicyOrphan} {
				obj := create("del-"+strings.ToLower(string(policy)), newKey(), func(o managed.Object) {
					o.GetManagedSpec().DeletionPolicy = policy
				})
				k.becomeReady(obj)
				id := obj.GetManagedStatus().ExternalID
				Expect(k.objects(entID())).To(HaveKey(id))
				deleteAndWait(obj)
				if policy == v1alpha1.DeletionPolicyDelete {
					Expect(k.objects(entID())).NotTo(HaveKey(id), "deleted on the platform")
				} else {
					Expect(k.objects(entID())).To(HaveKey(id), "left on the platform")
				}
			}
		})

		It("adopts an existing platform object by its natural key", func() {
			key := newKey()
			id := k.precreate(platformClient(), ent.Namespace, entID(), key)
			before := len(k.objects(entID()))
			obj := create("adopted-key", key)
			k.becomeReady(obj)
			Expect(obj.GetManagedStatus().ExternalID).To(Equal(id))
			Expect(k.objects(entID())).To(HaveLen(before), "no second object")
			Expect(countKey(key)).To(Equal(1))
		})

		It("adopts an existing platform object by the external-id annotation", func() {
			oldKey, key := newKey(), newKey()
			if !k.renamable {
				key = oldKey
			}
			id := k.precreate(platformClient(), ent.Namespace, entID(), oldKey)
			before := len(k.objects(entID()))
			obj := create("adopted-id", key, func(o managed.Object) {
				o.SetAnnotations(map[string]string{v1alpha1.AnnotationExternalID: id})
				if k.keepImmutable != nil {
					k.keepImmutable(o, oldKey)
				}
			})
			k.becomeReady(obj)
			Expect(obj.GetManagedStatus().ExternalID).To(Equal(id))
			Expect(k.objects(entID())).To(HaveLen(before), "no second object")
			Expect(k.objects(entID())).To(HaveKeyWithValue(id, k.keyOf(key)))
		})

		if k.edit != nil {
			It("makes no platform write while paused", func() {
				obj := create("paused", newKey())
				k.becomeReady(obj)
				id := obj.GetManagedStatus().ExternalID

				annotate(obj, v1alpha1.AnnotationPaused, "true")
				waitCondition(obj, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonPaused)
				before := writes(id)
				update(obj, k.edit)
				k.drift(entID(), id)
				Consistently(func() int { return writes(id) }, quiet, 100*time.Millisecond).Should(Equal(before))
				Expect(k.edited(entID(), id)).To(BeFalse())
				Expect(k.drifted(entID(), id)).To(BeTrue())

				annotate(obj, v1alpha1.AnnotationPaused, "")
				Eventually(func() bool { return k.edited(entID(), id) && !k.drifted(entID(), id) },
					eventuallyTO, 100*time.Millisecond).Should(BeTrue(), "resumes once unpaused")
				waitCondition(obj, v1alpha1.ConditionSynced, metav1.ConditionTrue)
			})
		}

		It("only observes with managementPolicy ObserveOnly", func() {
			key := newKey()
			id := k.precreate(platformClient(), ent.Namespace, entID(), key)
			if k.drift != nil {
				k.drift(entID(), id)
			}
			before := writes(id)
			obj := create("observed", key, func(o managed.Object) {
				o.GetManagedSpec().ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly
			})
			if k.drift != nil {
				waitCondition(obj, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDrifted)
				Expect(conditionOf(obj, v1alpha1.ConditionSynced).Reason).To(Equal(v1alpha1.ReasonDrifted))
				Expect(obj.GetManagedStatus().Drift).To(ContainElement(k.driftField))
			} else {
				waitCondition(obj, v1alpha1.ConditionSynced, metav1.ConditionTrue)
			}
			Expect(obj.GetManagedStatus().ExternalID).To(Equal(id))
			Consistently(func() int { return writes(id) }, quiet, 100*time.Millisecond).Should(Equal(before))
			if k.drift != nil {
				Expect(k.drifted(entID(), id)).To(BeTrue(), "drift is reported, not reverted")
			}

			deleteAndWait(obj)
			Expect(k.objects(entID())).To(HaveKey(id), "ObserveOnly never deletes")
			Expect(writes(id)).To(Equal(before))
		})

		It("stalls on a create the platform rejects (400), with its message, without retrying", func() {
			Expect(sim.SetFaults(platformsim.Faults{RejectNext: map[string]int{k.createOp: 1}})).To(Succeed())
			DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
			before := sim.CallCount(k.createOp)
			obj := create("rejected", newKey())
			waitCondition(obj, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec)
			for _, t := range []string{v1alpha1.ConditionSynced, v1alpha1.ConditionReady} {
				c := conditionOf(obj, t)
				Expect(c.Status).To(Equal(metav1.ConditionFalse))
				Expect(c.Message).To(ContainSubstring("injected rejection"))
				Expect(c.Message).To(ContainSubstring("requestId"))
			}
			Consistently(func() int { return sim.CallCount(k.createOp) - before }, quiet, 200*time.Millisecond).
				Should(Equal(1), "a rejected create is not retried")
			Expect(obj.GetManagedStatus().ExternalID).To(BeEmpty())
		})

		It("creates exactly one platform object when the create response is lost", func() {
			Expect(sim.SetFaults(platformsim.Faults{DropResponse: map[string]int{k.createOp: 1}})).To(Succeed())
			DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
			key := newKey()
			obj := create("dropped", key)
			k.becomeReady(obj)
			Expect(sim.Faults().DropResponse[k.createOp]).To(BeZero(), "the create response was dropped")
			Expect(countKey(key)).To(Equal(1))
			Expect(k.objects(entID())).To(HaveKey(obj.GetManagedStatus().ExternalID))
		})
	})
}
