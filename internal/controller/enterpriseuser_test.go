package controller

import (
	"context"
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

// newUser returns an EnterpriseUser whose password lives in the Secret <name>-pw.
func newUser(ns, enterprise, name, username string) *v1alpha1.EnterpriseUser {
	return &v1alpha1.EnterpriseUser{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.EnterpriseUserSpec{
			EnterpriseRef: v1alpha1.LocalObjectReference{Name: enterprise},
			Username:      username, Email: username + "@example.com", FirstName: "First",
			PasswordSecretRef: &v1alpha1.SecretKeyReference{Name: name + "-pw", Key: "password"},
		},
	}
}

// userState returns the simulator's user (zero when missing).
func userState(entID, id string) platformsim.User {
	for _, u := range enterpriseState(entID).Users {
		if u.ID == id {
			return u
		}
	}
	return platformsim.User{}
}

var userWriteOps = []string{"createEnterpriseUser", "updateEnterpriseUser", "deleteEnterpriseUser",
	"suspendEnterpriseUser", "activateEnterpriseUser", "resetEnterpriseUserPassword"}

var userKind = childKind{
	kind:     "EnterpriseUser",
	createOp: "createEnterpriseUser",
	writeOps: userWriteOps,
	newObj:   func(ns, ent, name, key string) managed.Object { return newUser(ns, ent, name, key) },
	objects: func(entID string) map[string]string {
		out := map[string]string{}
		for _, u := range enterpriseState(entID).Users {
			out[u.ID] = u.Email
		}
		return out
	},
	keyOf:       func(key string) string { return key + "@example.com" },
	becomeReady: func(obj managed.Object) { waitReady(obj) },
	renamable:   true,
	// The platform cannot rename a user: an adopter keeps the username and moves the rest.
	keepImmutable: func(obj managed.Object, oldKey string) { obj.(*v1alpha1.EnterpriseUser).Spec.Username = oldKey },
	edit: func(obj managed.Object) {
		obj.(*v1alpha1.EnterpriseUser).Spec.Department = "Engineering"
	},
	edited: func(entID, id string) bool { return userState(entID, id).Department == "Engineering" },
	drift: func(entID, id string) {
		Expect(sim.MutateUser(entID, id, func(u *platformsim.User) { u.Title = "hacked" })).To(Succeed())
	},
	drifted:    func(entID, id string) bool { return userState(entID, id).Title == "hacked" },
	driftField: "title",
	precreate: func(p platform.Client, _, entID, key string) string {
		u, err := p.CreateUser(context.Background(), entID, platform.UserCreate{
			Username: key, Password: "Pre-" + testenv.RandHex(12), Email: key + "@example.com", FirstName: "First",
		})
		Expect(err).NotTo(HaveOccurred())
		return u.ID
	},
}

var _ = describeChildKind(userKind)

var _ = Describe("EnterpriseUser", Ordered, func() {
	var ent *v1alpha1.Enterprise
	BeforeAll(func() { ent = readyEnterprise() })

	It("waits for a missing Enterprise with a reason naming it", func() {
		u := newUser(ent.Namespace, "nowhere", "lost", "lost"+testenv.RandHex(3))
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		waitCondition(u, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		Expect(conditionOf(u, v1alpha1.ConditionSynced).Message).To(Equal("waiting for Enterprise nowhere to exist"))
		Expect(u.Status.ExternalID).To(BeEmpty())
	})

	It("records the state of a user it adopts in the reconcile that adopts it", func() {
		key := newKey()
		id := userKind.precreate(platformClient(), ent.Namespace, ent.Status.ExternalID, key)
		u := newUser(ent.Namespace, ent.Name, "adopted-state", key)
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		waitReady(u)
		// Storing the finalizer on adoption must not wipe what Observe recorded.
		Expect(u.Status.ExternalID).To(Equal(id))
		Expect(u.Status.State).To(Equal(platformsim.StatusActive))
		Expect(u.Finalizers).To(ContainElement(v1alpha1.Finalizer))
	})

	It("suspends and re-activates the user", func() {
		u := newUser(ent.Namespace, ent.Name, "suspendee", "susp"+testenv.RandHex(3))
		u.Spec.Suspended = true
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		waitReady(u)
		id := u.Status.ExternalID
		Expect(userState(ent.Status.ExternalID, id).Status).To(Equal(platformsim.StatusSuspended))
		Expect(u.Status.State).To(Equal(platformsim.StatusSuspended))
		Expect(conditionOf(u, v1alpha1.ConditionSuspended).Status).To(Equal(metav1.ConditionTrue))

		update(u, func(u *v1alpha1.EnterpriseUser) { u.Spec.Suspended = false })
		waitCondition(u, v1alpha1.ConditionSuspended, metav1.ConditionFalse, v1alpha1.ReasonUserActive)
		Expect(u.Status.State).To(Equal(platformsim.StatusActive))
		Expect(userState(ent.Status.ExternalID, id).Status).To(Equal(platformsim.StatusActive))

		update(u, func(u *v1alpha1.EnterpriseUser) { u.Spec.Suspended = true })
		waitCondition(u, v1alpha1.ConditionSuspended, metav1.ConditionTrue, v1alpha1.ReasonUserSuspended)
		Expect(userState(ent.Status.ExternalID, id).Status).To(Equal(platformsim.StatusSuspended))

		By("re-suspending a user activated on the platform behind the operator's back")
		Expect(sim.MutateUser(ent.Status.ExternalID, id, func(pu *platformsim.User) { pu.Status = platformsim.StatusActive })).To(Succeed())
		Eventually(func() string { return userState(ent.Status.ExternalID, id).Status }, eventuallyTO, 100*time.Millisecond).
			Should(Equal(platformsim.StatusSuspended))
	})

	It("creates the user with the password of the referenced Secret", func() {
		password := "Given-" + testenv.RandHex(12)
		ensureSecret(ent.Namespace, "given-pw", "password", password)
		u := newUser(ent.Namespace, ent.Name, "given", "given"+testenv.RandHex(3))
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		waitReady(u)
		Expect(userState(ent.Status.ExternalID, u.Status.ExternalID).PasswordSHA256).To(Equal(sha(password)))
		Expect(secretValue(ent.Namespace, "given-pw", "password")).To(Equal(password), "a given password is not replaced")
	})

	It("generates a password and writes it to the Secret when the Secret is missing", func() {
		u := newUser(ent.Namespace, ent.Name, "generated", "gen"+testenv.RandHex(3))
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		waitReady(u)
		password := secretValue(ent.Namespace, "generated-pw", "password")
		Expect(len(password)).To(BeNumerically(">=", 16))
		Expect(userState(ent.Status.ExternalID, u.Status.ExternalID).PasswordSHA256).To(Equal(sha(password)))
		s := &corev1.Secret{}
		Expect(k8s.Get(ctx, objKey(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ent.Namespace, Name: "generated-pw"}}), s)).To(Succeed())
		Expect(s.OwnerReferences).To(ContainElement(HaveField("UID", u.UID)))
	})

	It("creates a user without a passwordSecretRef", func() {
		u := newUser(ent.Namespace, ent.Name, "invited", "inv"+testenv.RandHex(3))
		u.Spec.PasswordSecretRef = nil
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		waitReady(u)
		Expect(userState(ent.Status.ExternalID, u.Status.ExternalID).Email).To(Equal(u.Spec.Email))
	})

	It("resets the password once per annotation value and writes it only to the Secret", func() {
		u := newUser(ent.Namespace, ent.Name, "resettee", "reset"+testenv.RandHex(3))
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		waitReady(u)
		entID, id := ent.Status.ExternalID, u.Status.ExternalID
		initial := secretValue(ent.Namespace, "resettee-pw", "password")
		Expect(initial).NotTo(BeEmpty())
		Expect(userState(entID, id).PasswordResets).To(BeZero())

		resetTo := func(value string, resets int, previous string) string {
			GinkgoHelper()
			annotate(u, v1alpha1.AnnotationResetPassword, value)
			Eventually(func() string { return managedUser(u).Status.LastPasswordReset }, eventuallyTO, 100*time.Millisecond).Should(Equal(value))
			Expect(userState(entID, id).PasswordResets).To(Equal(resets))
			temp := secretValue(ent.Namespace, "resettee-pw", "password")
			Expect(temp).NotTo(Equal(previous), "the Secret holds the new temporary password")
			Expect(userState(entID, id).PasswordSHA256).To(Equal(sha(temp)))
			return temp
		}
		first := resetTo("2024-01-01T00:00:00Z", 1, initial)
		second := resetTo("2024-01-02T00:00:00Z", 2, first)

		By("reconciling again with the same annotation value")
		annotate(u, "example.com/touch", "1")
		Consistently(func() int { return userState(entID, id).PasswordResets }, quiet, 200*time.Millisecond).Should(Equal(2),
			"one reset per annotation value, not one per reconcile")
		Expect(secretValue(ent.Namespace, "resettee-pw", "password")).To(Equal(second))
		for _, p := range []string{initial, first, second} {
			Expect(statusJSON(u)).NotTo(ContainSubstring(p))
		}
	})
})

func managedUser(u *v1alpha1.EnterpriseUser) *v1alpha1.EnterpriseUser {
	GinkgoHelper()
	Expect(k8s.Get(ctx, objKey(u), u)).To(Succeed())
	return u
}
