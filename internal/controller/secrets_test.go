package controller

import (
	"context"
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// These specs play a second tenant who may write EnterpriseUsers and Webhooks in a
// namespace but not read its Secrets, and who names a Secret of someone else's in one
// of them hoping the operator ships its value to the platform or overwrites it.

// createSecret creates a Secret with the given labels (nil: none) and data.
func createSecret(ns, name string, labels map[string]string, data map[string]string) *corev1.Secret {
	GinkgoHelper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	Expect(k8s.Create(ctx, s)).To(Succeed())
	return s
}

// secretNow re-reads a Secret from the API server.
func secretNow(s *corev1.Secret) *corev1.Secret {
	GinkgoHelper()
	out := &corev1.Secret{}
	Expect(k8s.Get(ctx, objKey(s), out)).To(Succeed())
	return out
}

// expectSecretUntouched asserts the Secret was not written at all since before: same
// resourceVersion, so the same data, byte for byte, and the same metadata.
func expectSecretUntouched(before *corev1.Secret) {
	GinkgoHelper()
	now := secretNow(before)
	Expect(now.Data).To(Equal(before.Data), "Secret %s/%s data changed", before.Namespace, before.Name)
	Expect(now.ResourceVersion).To(Equal(before.ResourceVersion), "Secret %s/%s was written", before.Namespace, before.Name)
}

// expectNeverOnPlatform asserts no platform user has value as its password and no
// webhook signs with it.
func expectNeverOnPlatform(value string) {
	GinkgoHelper()
	h := sha(value)
	for _, e := range sim.State().Enterprises {
		for _, u := range e.Users {
			Expect(u.PasswordSHA256).NotTo(Equal(h), "platform user %s has the Secret's value as its password", u.Email)
		}
		for _, w := range e.Webhooks {
			Expect(w.SigningSecretSHA256).NotTo(Equal(h), "platform webhook %s signs with the Secret's value", w.URL)
		}
	}
}

// expectNotExposed asserts value is in none of the objects' status, none of the
// namespace's Events and not in the manager's logs.
func expectNotExposed(value string, objs ...client.Object) {
	GinkgoHelper()
	for _, o := range objs {
		Expect(statusJSON(o)).NotTo(ContainSubstring(value), "status of %s", o.GetName())
	}
	events := &eventsv1.EventList{}
	Expect(k8s.List(ctx, events, client.InNamespace(objs[0].GetNamespace()))).To(Succeed())
	b, err := json.Marshal(events)
	Expect(err).NotTo(HaveOccurred())
	Expect(string(b)).NotTo(ContainSubstring(value), "Events")
	Expect(logs.String()).NotTo(ContainSubstring(value), "manager logs")
}

// platformUser returns the enterprise's platform user with this email (zero if none).
func platformUser(entID, email string) platformsim.User {
	for _, u := range enterpriseState(entID).Users {
		if u.Email == email {
			return u
		}
	}
	return platformsim.User{}
}

// precreateUser creates a user on the platform, as if made before the operator ran, so
// an EnterpriseUser adopts it without reading its password Secret.
func precreateUser(entID, username string) string {
	GinkgoHelper()
	u, err := platformClient().CreateUser(context.Background(), entID, platform.UserCreate{
		Username: username, Password: "Pre-" + testenv.RandHex(12), Email: username + "@example.com", FirstName: "First",
	})
	Expect(err).NotTo(HaveOccurred())
	return u.ID
}

// expectStalledOnSecret waits for obj to stall with reason SecretNotAllowed and returns
// the message, which names the Secret.
func expectStalledOnSecret(obj client.Object, ns, secret string) string {
	GinkgoHelper()
	waitCondition(obj, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretNotAllowed)
	for _, t := range []string{v1alpha1.ConditionReady, v1alpha1.ConditionSynced} {
		c := conditionOf(obj, t)
		Expect(c.Status).To(Equal(metav1.ConditionFalse), t)
		Expect(c.Reason).To(Equal(v1alpha1.ReasonSecretNotAllowed), t)
	}
	msg := conditionOf(obj, v1alpha1.ConditionStalled).Message
	Expect(msg).To(ContainSubstring("Secret " + ns + "/" + secret + " "))
	return msg
}

const optInLabel = v1alpha1.LabelSecret + "=" + v1alpha1.LabelSecretOptIn

var _ = Describe("Secrets the operator may use", func() {
	It("does not send an unlabelled Secret it did not create to the platform as a password", func() {
		e := readyEnterprise()
		dbPassword := "db-" + testenv.RandHex(16)
		db := createSecret(e.Namespace, "db-credentials", nil, map[string]string{"password": dbPassword, "username": "app"})

		u := newUser(e.Namespace, e.Name, "mallory", "mallory"+testenv.RandHex(3))
		u.Spec.PasswordSecretRef = &v1alpha1.SecretKeyReference{Name: "db-credentials", Key: "password"}
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)

		msg := expectStalledOnSecret(u, e.Namespace, "db-credentials")
		Expect(msg).To(ContainSubstring(optInLabel), "the message says which label opts the Secret in")
		Expect(u.Status.ExternalID).To(BeEmpty())
		Consistently(func() platformsim.User { return platformUser(e.Status.ExternalID, u.Spec.Email) }, quiet, 200*time.Millisecond).
			Should(BeZero(), "no user is created on the platform")
		expectNeverOnPlatform(dbPassword)
		expectNotExposed(dbPassword, u)
		expectSecretUntouched(db)
	})

	It("uses a Secret once it gets the label, which wakes the stalled user", func() {
		e := readyEnterprise()
		password := "Opted-" + testenv.RandHex(12)
		s := createSecret(e.Namespace, "later-opt-in", nil, map[string]string{"password": password})
		u := newUser(e.Namespace, e.Name, "patient", "patient"+testenv.RandHex(3))
		u.Spec.PasswordSecretRef = &v1alpha1.SecretKeyReference{Name: s.Name, Key: "password"}
		Expect(k8s.Create(ctx, u)).To(Succeed())
		cleanup(u)
		expectStalledOnSecret(u, e.Namespace, s.Name)

		// A stalled object is not resynced: only the label-selected Secret watch, which
		// sees the newly labelled Secret as added, can bring it back.
		update(s, func(s *corev1.Secret) { s.Labels = optInLabels() })
		waitReady(u)
		Expect(conditionOf(u, v1alpha1.ConditionStalled)).To(BeNil())
		Expect(userState(e.Status.ExternalID, u.Status.ExternalID).PasswordSHA256).To(Equal(sha(password)))
		Expect(secretValue(e.Namespace, s.Name, "password")).To(Equal(password), "a Secret it did not create is never written")
	})

	DescribeTable("does not write a reset password into a Secret it did not create",
		func(labels map[string]string) {
			e := readyEnterprise()
			value := "Theirs-" + testenv.RandHex(12)
			s := createSecret(e.Namespace, "their-secret", labels, map[string]string{"password": value, "other": "keep-" + testenv.RandHex(8)})
			username := "resetme" + testenv.RandHex(3)
			if labels == nil {
				// An unlabelled Secret cannot be the user's initial password: the user
				// exists on the platform already and is adopted without reading it.
				precreateUser(e.Status.ExternalID, username)
			}
			u := newUser(e.Namespace, e.Name, "resetme", username)
			u.Spec.PasswordSecretRef = &v1alpha1.SecretKeyReference{Name: s.Name, Key: "password"}
			Expect(k8s.Create(ctx, u)).To(Succeed())
			cleanup(u)
			waitReady(u)
			if labels != nil {
				Expect(userState(e.Status.ExternalID, u.Status.ExternalID).PasswordSHA256).To(Equal(sha(value)), "a labelled Secret is read")
			}
			passwordBefore := userState(e.Status.ExternalID, u.Status.ExternalID).PasswordSHA256
			before := secretNow(s)

			annotate(u, v1alpha1.AnnotationResetPassword, "2024-01-01T00:00:00Z")
			msg := expectStalledOnSecret(u, e.Namespace, s.Name)
			Expect(msg).To(ContainSubstring("writes only Secrets it created"))
			Expect(msg).To(ContainSubstring("does not exist yet"), "the message says how to get a Secret the operator writes")
			Consistently(func() int { return userState(e.Status.ExternalID, u.Status.ExternalID).PasswordResets }, quiet, 200*time.Millisecond).
				Should(BeZero(), "the platform password is not reset when the temporary one could not be stored")
			Expect(userState(e.Status.ExternalID, u.Status.ExternalID).PasswordSHA256).To(Equal(passwordBefore))
			Expect(managedUser(u).Status.LastPasswordReset).To(BeEmpty())
			expectSecretUntouched(before)
			expectNotExposed(value, u)
		},
		Entry("an unlabelled Secret", nil),
		Entry("a Secret labelled "+optInLabel, optInLabels()),
	)

	It("keeps the password Secret it generated for alice to alice: bob can neither read nor write it", func() {
		e := readyEnterprise()
		alice := newUser(e.Namespace, e.Name, "alice", "alice"+testenv.RandHex(3))
		Expect(k8s.Create(ctx, alice)).To(Succeed())
		cleanup(alice)
		waitReady(alice)
		generated := secretNow(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "alice-pw"}})
		Expect(generated.Labels).To(HaveKeyWithValue(v1alpha1.LabelSecret, v1alpha1.LabelSecretGenerated))
		Expect(generated.OwnerReferences).To(ConsistOf(HaveField("UID", alice.UID)))
		alicePassword := string(generated.Data["password"])
		Expect(userState(e.Status.ExternalID, alice.Status.ExternalID).PasswordSHA256).To(Equal(sha(alicePassword)))

		By("bob naming it for his initial password")
		bob := newUser(e.Namespace, e.Name, "bob", "bob"+testenv.RandHex(3))
		bob.Spec.PasswordSecretRef = &v1alpha1.SecretKeyReference{Name: "alice-pw", Key: "password"}
		Expect(k8s.Create(ctx, bob)).To(Succeed())
		cleanup(bob)
		expectStalledOnSecret(bob, e.Namespace, "alice-pw")
		Consistently(func() platformsim.User { return platformUser(e.Status.ExternalID, bob.Spec.Email) }, quiet, 200*time.Millisecond).
			Should(BeZero())
		for _, u := range enterpriseState(e.Status.ExternalID).Users {
			if u.ID != alice.Status.ExternalID {
				Expect(u.PasswordSHA256).NotTo(Equal(sha(alicePassword)), "user %s has alice's password", u.Email)
			}
		}
		expectNotExposed(alicePassword, bob)

		By("carol, adopted from the platform, asking for a reset into it")
		carolName := "carol" + testenv.RandHex(3)
		precreateUser(e.Status.ExternalID, carolName)
		carol := newUser(e.Namespace, e.Name, "carol", carolName)
		carol.Spec.PasswordSecretRef = &v1alpha1.SecretKeyReference{Name: "alice-pw", Key: "password"}
		Expect(k8s.Create(ctx, carol)).To(Succeed())
		cleanup(carol)
		waitReady(carol)
		annotate(carol, v1alpha1.AnnotationResetPassword, "r1")
		expectStalledOnSecret(carol, e.Namespace, "alice-pw")
		Expect(userState(e.Status.ExternalID, carol.Status.ExternalID).PasswordResets).To(BeZero())
		expectSecretUntouched(generated)

		By("alice's own reset still writing it")
		annotate(alice, v1alpha1.AnnotationResetPassword, "r1")
		Eventually(func() string { return managedUser(alice).Status.LastPasswordReset }, eventuallyTO, 100*time.Millisecond).Should(Equal("r1"))
		temp := secretValue(e.Namespace, "alice-pw", "password")
		Expect(temp).NotTo(Equal(alicePassword))
		Expect(userState(e.Status.ExternalID, alice.Status.ExternalID).PasswordSHA256).To(Equal(sha(temp)))
		Expect(secretNow(generated).Labels).To(HaveKeyWithValue(v1alpha1.LabelSecret, v1alpha1.LabelSecretGenerated))
	})

	It("does not send an unlabelled signing Secret to the platform until it gets the label, and stops using it when the label goes", func() {
		e := readyEnterprise()
		signing := "whsec-theirs-" + testenv.RandHex(12)
		s := createSecret(e.Namespace, "partner-signing", nil, map[string]string{"secret": signing})
		w := &v1alpha1.Webhook{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "partner"},
			Spec: v1alpha1.WebhookSpec{
				EnterpriseRef:    v1alpha1.LocalObjectReference{Name: e.Name},
				URL:              hook.Server.URL + "/partner-" + testenv.RandHex(3),
				Events:           []string{"user.created"},
				SigningSecretRef: v1alpha1.SecretKeyReference{Name: s.Name, Key: "secret"},
			},
		}
		Expect(k8s.Create(ctx, w)).To(Succeed())
		cleanup(w)
		msg := expectStalledOnSecret(w, e.Namespace, s.Name)
		Expect(msg).To(ContainSubstring(optInLabel))
		Expect(msg).To(ContainSubstring("spec.signingSecretRef"))
		Consistently(func() []platformsim.WebhookSnapshot { return enterpriseState(e.Status.ExternalID).Webhooks }, quiet, 200*time.Millisecond).
			Should(BeEmpty(), "no webhook is created on the platform")
		expectNeverOnPlatform(signing)
		expectNotExposed(signing, w)

		By("labelling the Secret")
		update(s, func(s *corev1.Secret) { s.Labels = optInLabels() })
		waitReady(w)
		Expect(webhookState(e.Status.ExternalID, w.Status.ExternalID).SigningSecretSHA256).To(Equal(sha(signing)))

		By("removing the label again")
		update(s, func(s *corev1.Secret) { s.Labels = nil })
		expectStalledOnSecret(w, e.Namespace, s.Name)
		rotated := "whsec-rotated-" + testenv.RandHex(12)
		update(s, func(s *corev1.Secret) { s.Data["secret"] = []byte(rotated) })
		Consistently(func() string { return webhookState(e.Status.ExternalID, w.Status.ExternalID).SigningSecretSHA256 }, quiet, 200*time.Millisecond).
			Should(Equal(sha(signing)), "a Secret that lost its label is not read, rotated or not")
		expectNeverOnPlatform(rotated)
	})

	It("keeps the metadata of labelled Secrets only in the manager's cache", func() {
		ns := newTenant()
		other := newTenant()
		labelled := createSecret(ns, "cached", optInLabels(), map[string]string{"k": "v-" + testenv.RandHex(8)})
		unlabelled := createSecret(ns, "not-cached", nil, map[string]string{"k": "v-" + testenv.RandHex(8)})
		generated := createSecret(ns, "generated-elsewhere",
			map[string]string{v1alpha1.LabelSecret: v1alpha1.LabelSecretGenerated}, map[string]string{"k": "v-" + testenv.RandHex(8)})
		elsewhere := createSecret(other, "cached-elsewhere", optInLabels(), map[string]string{"k": "v-" + testenv.RandHex(8)})

		names := func(c client.Reader, ns string) func(Gomega) []string {
			return func(g Gomega) []string {
				list := &metav1.PartialObjectMetadataList{}
				list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("SecretList"))
				g.Expect(c.List(ctx, list, client.InNamespace(ns))).To(Succeed())
				var out []string
				for _, s := range list.Items {
					out = append(out, s.Name)
				}
				return out
			}
		}
		By("the manager's cache (all namespaces)")
		Eventually(names(mgrCache, ns), eventuallyTO, 100*time.Millisecond).Should(ContainElement(labelled.Name))
		Eventually(names(mgrCache, other), eventuallyTO, 100*time.Millisecond).Should(ContainElement(elsewhere.Name))
		Consistently(names(mgrCache, ns), 2*time.Second, 200*time.Millisecond).Should(ConsistOf(labelled.Name))
		m := secretMetadata()
		Expect(apierrors.IsNotFound(mgrCache.Get(ctx, objKey(unlabelled), m))).To(BeTrue(), "an unlabelled Secret is not in the cache")
		Expect(apierrors.IsNotFound(mgrCache.Get(ctx, objKey(generated), m))).To(BeTrue(), "a generated Secret is not in the cache")

		By("a cache restricted to one namespace (--watch-namespaces)")
		c := startCache([]string{ns}, nil)
		Expect(names(c, ns)(Default)).To(ConsistOf(labelled.Name))
		Expect(names(c, metav1.NamespaceAll)(Default)).To(ConsistOf(labelled.Name), "Secrets of other namespaces are not cached")
	})

	It("reads an unlabelled PlatformConfig credential Secret, and follows its rotation at the next credential check", func() {
		tok, bad := "unlab-"+testenv.RandHex(16), "unlab-bad-"+testenv.RandHex(16)
		rotatedTokens = append(rotatedTokens, tok, bad)
		clientID := "unlabelled-" + testenv.RandHex(4)
		sim.AddCredential(platformsim.Credential{ClientID: clientID, Tokens: []string{tok}, Name: "unlabelled"})
		s := createSecret(operatorNS, "unlabelled-"+testenv.RandHex(4), nil, map[string]string{"token": tok})
		pc := &v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "unlabelled-" + testenv.RandHex(4)},
			Spec: v1alpha1.PlatformConfigSpec{
				BaseURL: sim.URL(),
				Auth: v1alpha1.PlatformAuth{BearerToken: &v1alpha1.BearerTokenAuth{
					TokenSecretRef: v1alpha1.NamespacedSecretKeyReference{Namespace: operatorNS, Name: s.Name, Key: "token"},
				}},
				RateLimit: v1alpha1.RateLimit{RequestsPerSecond: 100, Burst: 100},
			},
		}
		Expect(k8s.Create(ctx, pc)).To(Succeed())
		DeferCleanup(func() { deleteAndWait(pc) })
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonCredentialsValid)

		// The suite checks credentials every 5s; nothing else reports this rotation.
		update(s, func(s *corev1.Secret) { s.Data["token"] = []byte(bad) })
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonCredentialsInvalid)
		Expect(conditionOf(pc, v1alpha1.ConditionReady).Message).NotTo(ContainSubstring(bad))
	})
})
