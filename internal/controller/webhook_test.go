package controller

import (
	"context"
	"encoding/json"
	"slices"
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

// hookSigningSecret is the signing secret of every Webhook in a namespace, kept in the
// Secret hook-signing (key "secret").
func hookSigningSecret(ns string) string {
	GinkgoHelper()
	ensureSecret(ns, "hook-signing", "secret", "whsec-"+testenv.RandHex(16))
	return secretValue(ns, "hook-signing", "secret")
}

func newWebhook(ns, enterprise, name, path string) *v1alpha1.Webhook {
	hookSigningSecret(ns)
	return &v1alpha1.Webhook{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.WebhookSpec{
			EnterpriseRef:    v1alpha1.LocalObjectReference{Name: enterprise},
			URL:              hook.Server.URL + "/" + path,
			Events:           []string{"user.created"},
			SigningSecretRef: v1alpha1.SecretKeyReference{Name: "hook-signing", Key: "secret"},
		},
	}
}

// webhookState returns the simulator's webhook (zero when missing).
func webhookState(entID, id string) platformsim.WebhookSnapshot {
	for _, w := range enterpriseState(entID).Webhooks {
		if w.ID == id {
			return w
		}
	}
	return platformsim.WebhookSnapshot{}
}

var webhookKind = childKind{
	kind:     "Webhook",
	createOp: "createEnterpriseWebhook",
	writeOps: []string{"createEnterpriseWebhook", "updateEnterpriseWebhook", "deleteEnterpriseWebhook", "testEnterpriseWebhook"},
	newObj:   func(ns, ent, name, key string) managed.Object { return newWebhook(ns, ent, name, key) },
	objects: func(entID string) map[string]string {
		out := map[string]string{}
		for _, w := range enterpriseState(entID).Webhooks {
			out[w.ID] = w.URL
		}
		return out
	},
	keyOf:       func(key string) string { return hook.Server.URL + "/" + key },
	becomeReady: func(obj managed.Object) { waitReady(obj) },
	renamable:   true,
	edit: func(obj managed.Object) {
		obj.(*v1alpha1.Webhook).Spec.Events = []string{"user.created", "user.deleted"}
	},
	edited: func(entID, id string) bool { return slices.Contains(webhookState(entID, id).Events, "user.deleted") },
	drift: func(entID, id string) {
		Expect(sim.MutateWebhook(entID, id, func(w *platformsim.Webhook) { w.Active = false })).To(Succeed())
	},
	drifted:    func(entID, id string) bool { return !webhookState(entID, id).Active },
	driftField: "active",
	precreate: func(p platform.Client, ns, entID, key string) string {
		w, err := p.CreateWebhook(context.Background(), entID, platform.WebhookSpec{
			URL: hook.Server.URL + "/" + key, Events: []string{"user.created"}, Active: true, SigningSecret: hookSigningSecret(ns),
		})
		Expect(err).NotTo(HaveOccurred())
		return w.ID
	},
}

var _ = describeChildKind(webhookKind)

var _ = Describe("Webhook", Ordered, func() {
	var ent *v1alpha1.Enterprise
	BeforeAll(func() { ent = readyEnterprise() })

	It("creates the webhook with the signing secret of its Secret", func() {
		w := newWebhook(ent.Namespace, ent.Name, "signed", "signed")
		Expect(k8s.Create(ctx, w)).To(Succeed())
		cleanup(w)
		waitReady(w)
		Expect(webhookState(ent.Status.ExternalID, w.Status.ExternalID).SigningSecretSHA256).
			To(Equal(sha(hookSigningSecret(ent.Namespace))))
	})

	It("tests the webhook once per annotation value with a signed delivery", func() {
		w := newWebhook(ent.Namespace, ent.Name, "tested", "tested")
		Expect(k8s.Create(ctx, w)).To(Succeed())
		cleanup(w)
		waitReady(w)
		id := w.Status.ExternalID
		secret := hookSigningSecret(ent.Namespace)
		deliveries := func() (n int) {
			for _, d := range hook.Received() {
				b, sig := d.Body, d.Header.Get(platformsim.SignatureHeader)
				var ev platformsim.WebhookEvent
				if json.Unmarshal(b, &ev) != nil || ev.WebhookID != id {
					continue
				}
				Expect(platformsim.VerifySignature(secret, b, sig)).To(BeTrue(), "signature of %s", b)
				Expect(platformsim.VerifySignature("wrong", b, sig)).To(BeFalse())
				Expect(ev.Type).To(Equal(platformsim.TestEventType))
				n++
			}
			return n
		}
		Expect(deliveries()).To(BeZero())

		for i, value := range []string{"first", "second"} {
			annotate(w, v1alpha1.AnnotationTestWebhook, value)
			Eventually(func() *v1alpha1.WebhookTestStatus {
				Expect(k8s.Get(ctx, objKey(w), w)).To(Succeed())
				return w.Status.LastTest
			}, eventuallyTO, 100*time.Millisecond).Should(And(Not(BeNil()), HaveField("RequestedBy", value)))
			Expect(w.Status.LastTest.Success).To(BeTrue(), w.Status.LastTest.Message)
			Expect(w.Status.LastTest.StatusCode).To(BeEquivalentTo(204))
			Expect(deliveries()).To(Equal(i + 1))
		}
		annotate(w, "example.com/touch", "1")
		Consistently(deliveries, quiet, 200*time.Millisecond).Should(Equal(2), "one test per annotation value, not one per reconcile")
	})

	It("stalls on a spec the platform rejects, with its message and without a retry storm", func() {
		w := newWebhook(ent.Namespace, ent.Name, "rejected", "rejected")
		w.Spec.URL = "https://someone:pass@" + w.Spec.URL[len("https://"):]
		before := sim.CallCount("createEnterpriseWebhook")
		Expect(k8s.Create(ctx, w)).To(Succeed())
		cleanup(w)
		waitCondition(w, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec)
		for _, t := range []string{v1alpha1.ConditionSynced, v1alpha1.ConditionReady} {
			c := conditionOf(w, t)
			Expect(c.Status).To(Equal(metav1.ConditionFalse))
			Expect(c.Reason).To(Equal(v1alpha1.ReasonInvalidSpec))
			Expect(c.Message).To(ContainSubstring("url must not carry credentials"))
		}
		Expect(w.Status.ExternalID).To(BeEmpty())
		Consistently(func() int { return sim.CallCount("createEnterpriseWebhook") - before }, quiet, 200*time.Millisecond).
			Should(BeNumerically("<=", 2))

		By("recovering once the spec is fixed")
		update(w, func(w *v1alpha1.Webhook) { w.Spec.URL = hook.Server.URL + "/fixed" })
		waitReady(w)
		Expect(conditionOf(w, v1alpha1.ConditionStalled)).To(BeNil())
	})
})
