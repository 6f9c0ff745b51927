package controller

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// rotatedTokens are the tokens the rotation spec puts in Secrets; none may leak.
var rotatedTokens []string

var _ = Describe("PlatformConfig credential rotation", func() {
	It("follows a rotated token Secret without a restart, and reports invalid credentials", func() {
		tokA, tokB, bad := "rotA-"+testenv.RandHex(16), "rotB-"+testenv.RandHex(16), "bad-"+testenv.RandHex(16)
		rotatedTokens = append(rotatedTokens, tokA, tokB, bad)
		clientID := "rotation-" + testenv.RandHex(4)
		sim.AddCredential(platformsim.Credential{ClientID: clientID, Tokens: []string{tokA}, Name: "rotation"})

		secret := &corev1.Secret{
			// Labelled: its rotations are followed at once (see the spec on unlabelled ones).
			ObjectMeta: metav1.ObjectMeta{Namespace: operatorNS, Name: "rotating-" + testenv.RandHex(4), Labels: optInLabels()},
			Data:       map[string][]byte{"token": []byte(tokA)},
		}
		Expect(k8s.Create(ctx, secret)).To(Succeed())
		pc := &v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "rotating-" + testenv.RandHex(4)},
			Spec: v1alpha1.PlatformConfigSpec{
				BaseURL: sim.URL(),
				Auth: v1alpha1.PlatformAuth{BearerToken: &v1alpha1.BearerTokenAuth{
					TokenSecretRef: v1alpha1.NamespacedSecretKeyReference{Namespace: operatorNS, Name: secret.Name, Key: "token"},
				}},
				RateLimit:         v1alpha1.RateLimit{RequestsPerSecond: 100, Burst: 100},
				NamespaceSelector: &v1alpha1.LabelSelector{MatchLabels: map[string]v1alpha1.LabelValue{"tenant": "true"}},
			},
		}
		Expect(k8s.Create(ctx, pc)).To(Succeed())
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonCredentialsValid)

		e := newEnterprise(newTenant(), "rotated")
		e.Spec.PlatformConfigRef.Name = pc.Name
		Expect(k8s.Create(ctx, e)).To(Succeed())
		waitReady(e)
		id := e.Status.ExternalID
		admins := func() []string { return enterpriseState(id).AdditionalAdmins }
		setToken := func(tok string) {
			GinkgoHelper()
			update(secret, func(s *corev1.Secret) { s.Data["token"] = []byte(tok) })
		}

		By("rotating to a new valid token and retiring the old one")
		sim.AddCredential(platformsim.Credential{ClientID: clientID, Tokens: []string{tokA, tokB}, Name: "rotation"})
		setToken(tokB)
		sim.AddCredential(platformsim.Credential{ClientID: clientID, Tokens: []string{tokB}, Name: "rotation"})
		update(e, func(e *v1alpha1.Enterprise) { e.Spec.AdditionalAdmins = []string{"after-rotation@example.com"} })
		Eventually(admins, eventuallyTO, 100*time.Millisecond).Should(ConsistOf("after-rotation@example.com"))
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonCredentialsValid)
		Consistently(func() bool {
			Expect(k8s.Get(ctx, objKey(pc), pc)).To(Succeed())
			return conditionOf(pc, v1alpha1.ConditionReady).Status == metav1.ConditionTrue
		}, quiet, 200*time.Millisecond).Should(BeTrue(), "the retired token is no longer used")

		By("rotating to a token the platform refuses")
		setToken(bad)
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonCredentialsInvalid)
		Expect(conditionOf(pc, v1alpha1.ConditionReady).Message).NotTo(ContainSubstring(bad))

		By("rotating back to a valid token")
		setToken(tokB)
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonCredentialsValid)
		update(e, func(e *v1alpha1.Enterprise) { e.Spec.AdditionalAdmins = []string{"after-recovery@example.com"} })
		Eventually(admins, eventuallyTO, 100*time.Millisecond).Should(ConsistOf("after-recovery@example.com"))
		waitReady(e)

		By("rotating to another token while the platform is down: not Ready until a check accepts it")
		tokC := "rotC-" + testenv.RandHex(16)
		rotatedTokens = append(rotatedTokens, tokC)
		sim.AddCredential(platformsim.Credential{ClientID: clientID, Tokens: []string{tokB, tokC}, Name: "rotation"})
		Expect(sim.SetFaults(platformsim.Faults{FailNext: map[string]int{"getCurrentUser": 1000}, ErrorStatus: 503})).To(Succeed())
		DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
		setToken(tokC)
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonPlatformUnavailable)
		Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed())
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonCredentialsValid)
	})
})

var _ = Describe("PlatformConfig when the platform is briefly unavailable", func() {
	It("stays Ready on proven credentials, reports the failed check in Synced, and recovers", func() {
		pc := &v1alpha1.PlatformConfig{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: configName}, pc)).To(Succeed())
		waitCondition(pc, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonCredentialsValid)

		// Every credential check fails until the faults are lifted (the client's own
		// retries of the read included).
		Expect(sim.SetFaults(platformsim.Faults{FailNext: map[string]int{"getCurrentUser": 1000}, ErrorStatus: 503})).To(Succeed())
		DeferCleanup(func() { Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed()) })
		annotate(pc, "test.enterprise-operator.dev/check", testenv.RandHex(4))
		waitCondition(pc, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonPlatformUnavailable)
		Expect(conditionOf(pc, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue), "a platform blip says nothing about the credentials")

		// Objects that use it are not held back by it meanwhile: they go ahead, or meet
		// the platform's failures themselves (its circuit breaker may be open, since the
		// checks keep failing), but are never told to wait for the PlatformConfig.
		e := newEnterprise(newTenant(), "blip")
		Expect(k8s.Create(ctx, e)).To(Succeed())
		cleanup(e)
		messages := func() string {
			Expect(k8s.Get(ctx, objKey(e), e)).To(Succeed())
			var all []string
			for _, c := range e.Status.Conditions {
				all = append(all, c.Reason+": "+c.Message)
			}
			return strings.Join(all, "; ")
		}
		Eventually(messages, eventuallyTO, 100*time.Millisecond).ShouldNot(BeEmpty())
		Consistently(messages, 3*time.Second, 100*time.Millisecond).ShouldNot(ContainSubstring("waiting for PlatformConfig"))

		Expect(sim.SetFaults(platformsim.Faults{})).To(Succeed())
		waitCondition(pc, v1alpha1.ConditionSynced, metav1.ConditionTrue)
		Expect(conditionOf(pc, v1alpha1.ConditionReady).Reason).To(Equal(v1alpha1.ReasonCredentialsValid))
		waitReady(e)
	})
})

var _ = Describe("PlatformConfig whose platform redirects to a cloud metadata address", func() {
	It("is Stalled with reason ForbiddenAddress, naming the refused address", func() {
		// Admission accepts http on loopback; where the answer then leads is only seen
		// when the operator connects.
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/iam/security-credentials/", http.StatusTemporaryRedirect)
		}))
		DeferCleanup(redirector.Close)
		pc := &v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "metadata-redirect-" + testenv.RandHex(4)},
			Spec: v1alpha1.PlatformConfigSpec{
				BaseURL: redirector.URL,
				Auth: v1alpha1.PlatformAuth{BearerToken: &v1alpha1.BearerTokenAuth{
					TokenSecretRef: v1alpha1.NamespacedSecretKeyReference{Namespace: operatorNS, Name: "sim-token", Key: "token"},
				}},
			},
		}
		Expect(k8s.Create(ctx, pc)).To(Succeed())
		cleanup(pc)

		waitCondition(pc, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonForbiddenAddress)
		Expect(conditionOf(pc, v1alpha1.ConditionStalled).Message).To(ContainSubstring("refusing to connect to 169.254.169.254:80"))
		ready := conditionOf(pc, v1alpha1.ConditionReady)
		Expect(ready.Status).To(Equal(metav1.ConditionFalse))
		Expect(ready.Reason).To(Equal(v1alpha1.ReasonForbiddenAddress))

		// The Warning event says what it is, not "CredentialsInvalid".
		Eventually(func(g Gomega) []string {
			events := &eventsv1.EventList{}
			g.Expect(k8s.List(ctx, events)).To(Succeed())
			var reasons []string
			for _, e := range events.Items {
				if e.Regarding.Name == pc.Name {
					reasons = append(reasons, e.Reason)
				}
			}
			return reasons
		}, eventuallyTO, 100*time.Millisecond).Should(ContainElement(v1alpha1.ReasonForbiddenAddress))
	})
})
