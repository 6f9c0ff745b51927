package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// countKeyIn counts the platform objects of kind k in an enterprise with natural key key.
func countKeyIn(k childKind, entID, key string) int {
	n := 0
	for _, v := range k.objects(entID) {
		if v == k.keyOf(key) {
			n++
		}
	}
	return n
}

// platformJSON is the simulator's whole view of one enterprise, to prove nothing moved.
func platformJSON(entID string) string {
	GinkgoHelper()
	b, err := json.Marshal(enterpriseState(entID))
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// One platform object, one owner: inside one tenant, two objects claiming the same
// platform object (by natural key, by external-id, or both created at once) never both
// manage it.
var _ = Describe("One owner per platform object", func() {
	for _, k := range allChildKinds() {
		It(k.kind+": a second object with the same natural key or id stalls naming the holder, and its deletion leaves the platform object", func() {
			ent := readyEnterprise()
			ns, entID := ent.Namespace, ent.Status.ExternalID
			key := newKey()
			first := k.newObj(ns, ent.Name, "first", key)
			Expect(k8s.Create(ctx, first)).To(Succeed())
			cleanup(first)
			k.becomeReady(first)
			id := first.GetManagedStatus().ExternalID

			sameKey := k.newObj(ns, ent.Name, "same-key", key)
			sameID := k.newObj(ns, ent.Name, "same-id", newKey())
			sameID.SetAnnotations(map[string]string{v1alpha1.AnnotationExternalID: id})
			for _, o := range []managed.Object{sameKey, sameID} {
				Expect(k8s.Create(ctx, o)).To(Succeed())
				cleanup(o)
				waitCondition(o, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAlreadyManaged)
				Expect(o.GetManagedStatus().ExternalID).To(BeEmpty())
			}
			noun := map[string]string{"EnterpriseUser": "user", "UserGroup": "group", "EnterpriseRole": "role", "Domain": "domain", "Webhook": "webhook"}[k.kind]
			Expect(conditionOf(sameID, v1alpha1.ConditionSynced).Message).To(HavePrefix(
				fmt.Sprintf("platform %s %s is already managed by %s %s/first", noun, id, k.kind, ns)))
			Expect(conditionOf(sameKey, v1alpha1.ConditionSynced).Message).To(ContainSubstring(
				fmt.Sprintf("is already claimed by %s %s/first", k.kind, ns)))

			By("never fighting over the platform object: it does not move across resyncs")
			state := platformJSON(entID)
			Consistently(func() string { return platformJSON(entID) }, quiet, 200*time.Millisecond).Should(Equal(state))
			Expect(countKeyIn(k, entID, key)).To(Equal(1))

			By("deleting the losers: the platform object stays with its owner")
			deleteAndWait(sameKey)
			deleteAndWait(sameID)
			Expect(k.objects(entID)).To(HaveKey(id))
			waitReady(first)

			By("deleting the owner deletes it")
			deleteAndWait(first)
			Expect(k.objects(entID)).NotTo(HaveKey(id))
		})
	}

	It("resolves two objects created at once with one natural key to exactly one owner", func() {
		ent := readyEnterprise()
		ns, entID := ent.Namespace, ent.Status.ExternalID
		for _, k := range allChildKinds() {
			key := newKey()
			x := k.newObj(ns, ent.Name, "race-x-"+strings.ToLower(k.kind), key)
			y := k.newObj(ns, ent.Name, "race-y-"+strings.ToLower(k.kind), key)
			Expect(k8s.Create(ctx, x)).To(Succeed())
			Expect(k8s.Create(ctx, y)).To(Succeed())
			cleanup(x)
			cleanup(y)
			var holder, loser managed.Object
			Eventually(func(g Gomega) {
				g.Expect(k8s.Get(ctx, objKey(x), x)).To(Succeed())
				g.Expect(k8s.Get(ctx, objKey(y), y)).To(Succeed())
				bound := 0
				for _, o := range []managed.Object{x, y} {
					if o.GetManagedStatus().ExternalID != "" {
						bound++
						holder = o
					} else {
						loser = o
					}
				}
				g.Expect(bound).To(Equal(1), "exactly one of the two is bound")
				c := conditionOf(loser, v1alpha1.ConditionStalled)
				g.Expect(c).NotTo(BeNil())
				g.Expect(c.Reason).To(Equal(v1alpha1.ReasonAlreadyManaged))
				g.Expect(c.Message).To(ContainSubstring(ns + "/" + holder.GetName()))
			}, eventuallyTO, 100*time.Millisecond).Should(Succeed(), k.kind)
			Expect(countKeyIn(k, entID, key)).To(Equal(1), k.kind)
		}
	})

	It("reports a username the platform cannot change as drift and stalls, without writing to the user", func() {
		ent := readyEnterprise()
		entID := ent.Status.ExternalID
		key := newKey()
		pre, err := platformClient().CreateUser(context.Background(), entID, platform.UserCreate{
			Username: key + "-platform", Password: "Pre-" + testenv.RandHex(12), Email: key + "@example.com", FirstName: "Platform",
		})
		Expect(err).NotTo(HaveOccurred())
		state := platformJSON(entID)
		u := newUser(ent.Namespace, ent.Name, "renamed", key) // username key, email key@example.com
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		waitCondition(u, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec)
		Expect(u.Status.Drift).To(ContainElement("username"))
		Expect(conditionOf(u, v1alpha1.ConditionSynced).Message).To(And(
			ContainSubstring(key+"-platform"), ContainSubstring("cannot rename")))
		Expect(platformJSON(entID)).To(Equal(state), "nothing of the platform user was rewritten")
		Expect(userState(entID, pre.ID).FirstName).To(Equal("Platform"))
	})
})

// What never reached the platform always deletes: no platform call is needed to know
// there is nothing to delete, whatever the object's dependencies say.
var _ = Describe("Objects that never reached the platform", func() {
	// (An invalid memberSelector used to be one of these; admission refuses it now,
	// test/crd.)
	It("delete within seconds: unresolvable roleRefs, a role only in another namespace, a refused Secret, a namespace the PlatformConfig refuses", func() {
		ent := readyEnterprise()
		ns := ent.Namespace

		noRole := newUser(ns, ent.Name, "no-role", "norole"+testenv.RandHex(3))
		noRole.Spec.RoleRefs = []v1alpha1.LocalObjectReference{{Name: "never-created"}}

		other := readyEnterprise()
		elsewhere := newRole(other.Namespace, other.Name, "elsewhere", "elsewhere")
		Expect(k8s.Create(ctx, elsewhere)).To(Succeed())
		cleanup(elsewhere)
		foreignRole := newUser(ns, ent.Name, "foreign-role", "foreign"+testenv.RandHex(3))
		foreignRole.Spec.RoleRefs = []v1alpha1.LocalObjectReference{{Name: "elsewhere"}}

		// A Secret not meant for the operator: refused before anything is sent.
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "not-for-us"},
			Data: map[string][]byte{"password": []byte("Unrelated-" + testenv.RandHex(8))}})).To(Succeed())
		refusedSecret := newUser(ns, ent.Name, "refused-secret", "refused"+testenv.RandHex(3))
		refusedSecret.Spec.PasswordSecretRef = &v1alpha1.SecretKeyReference{Name: "not-for-us", Key: "password"}

		for _, o := range []managed.Object{noRole, foreignRole, refusedSecret} {
			Expect(k8s.Create(ctx, o)).To(Succeed())
		}
		waitCondition(noRole, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		waitCondition(foreignRole, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		waitCondition(refusedSecret, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretNotAllowed)
		for _, o := range []managed.Object{noRole, foreignRole, refusedSecret} {
			Expect(o.GetFinalizers()).To(BeEmpty(), "%s never reached the platform: no finalizer", o.GetName())
			Expect(o.GetAnnotations()).NotTo(HaveKey(v1alpha1.AnnotationCreatePending), o.GetName())
		}

		refused := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "not-a-tenant-"}}
		Expect(k8s.Create(ctx, refused)).To(Succeed())
		forbidden := newEnterprise(refused.Name, "forbidden")
		Expect(k8s.Create(ctx, forbidden)).To(Succeed())
		waiting := newUser(refused.Name, "forbidden", "waiting", "waiting"+testenv.RandHex(3))
		Expect(k8s.Create(ctx, waiting)).To(Succeed())
		waitCondition(forbidden, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonForbidden)
		waitCondition(waiting, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)

		creates := opCalls("createEnterpriseUser", "createEnterpriseGroup", "createEnterprise")
		for _, o := range []managed.Object{noRole, foreignRole, refusedSecret, forbidden} {
			Expect(k8s.Delete(ctx, o)).To(Succeed())
		}
		for _, o := range []managed.Object{noRole, foreignRole, refusedSecret, forbidden, waiting} {
			waitGoneWithin(o, neverCreatedDeleteTO)
		}
		Expect(opCalls("createEnterpriseUser", "createEnterpriseGroup", "createEnterprise")).To(Equal(creates))
	})

	It("do not hold their Enterprise's deletion", func() {
		ent := readyEnterprise()
		stuck := newUser(ent.Namespace, ent.Name, "stuck", "stuck"+testenv.RandHex(3))
		stuck.Spec.RoleRefs = []v1alpha1.LocalObjectReference{{Name: "never-created"}}
		Expect(k8s.Create(ctx, stuck)).To(Succeed())
		waitCondition(stuck, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		Expect(k8s.Delete(ctx, ent)).To(Succeed())
		waitGoneWithin(stuck, neverCreatedDeleteTO)
		waitGoneWithin(ent, neverCreatedDeleteTO)
		Expect(enterpriseExists(ent.Status.ExternalID)).To(BeFalse())
	})

	It("a create whose answer was lost is still looked up and deleted", func() {
		ent := readyEnterprise()
		// The create is slow and its answer is lost: the object is deleted while it is
		// on its way, and every lookup fails for a while after.
		slowLost := platformsim.Faults{DropResponse: map[string]int{"createEnterpriseRole": 1},
			OperationLatency: map[string]platformsim.Duration{"createEnterpriseRole": platformsim.Duration(3 * time.Second)}}
		Expect(sim.SetFaults(slowLost)).To(Succeed())
		DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
		r := newRole(ent.Namespace, ent.Name, "lost-answer", "lost-answer")
		Expect(k8s.Create(ctx, r)).To(Succeed())
		Eventually(func() map[string]string {
			Expect(k8s.Get(ctx, objKey(r), r)).To(Succeed())
			return r.Annotations
		}, eventuallyTO, 50*time.Millisecond).Should(HaveKey(v1alpha1.AnnotationCreatePending), "the create is under way")
		failLookups := sim.Faults()
		failLookups.ErrorRate = map[string]float64{"listEnterpriseRoles": 1}
		Expect(sim.SetFaults(failLookups)).To(Succeed())
		Expect(k8s.Delete(ctx, r)).To(Succeed())

		Eventually(func() int { return len(enterpriseState(ent.Status.ExternalID).Roles) }, eventuallyTO).Should(Equal(1), "the create reached the platform")
		waitCondition(r, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonDeletionBlocked)
		Expect(r.Status.ExternalID).To(BeEmpty(), "its answer never arrived")

		Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed())
		waitGone(r)
		Expect(enterpriseState(ent.Status.ExternalID).Roles).To(BeEmpty(), "found by its name and deleted")
	})
})
