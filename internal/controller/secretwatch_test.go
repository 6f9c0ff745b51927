package controller

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

var _ = Describe("Secrets referenced by objects", func() {
	It("resumes a Webhook stalled on a missing signing Secret as soon as the Secret is created", func() {
		e := readyEnterprise()
		w := &v1alpha1.Webhook{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "late-secret"},
			Spec: v1alpha1.WebhookSpec{
				EnterpriseRef:    v1alpha1.LocalObjectReference{Name: e.Name},
				URL:              hook.Server.URL + "/late",
				Events:           []string{"user.created"},
				SigningSecretRef: v1alpha1.SecretKeyReference{Name: "late-signing", Key: "secret"},
			},
		}
		Expect(k8s.Create(ctx, w)).To(Succeed())
		waitCondition(w, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretNotFound)
		Expect(conditionOf(w, v1alpha1.ConditionSynced).Message).To(ContainSubstring("late-signing"))

		// No resync runs for a stalled object: only the Secret watch can bring it back.
		ensureSecret(e.Namespace, "late-signing", "secret", "whsec-"+testenv.RandHex(8))
		waitReady(w)
		Expect(conditionOf(w, v1alpha1.ConditionStalled)).To(BeNil())
	})

	It("sends a rotated signing secret to the platform", func() {
		e := readyEnterprise()
		ensureSecret(e.Namespace, "rotating", "secret", "whsec-first-"+testenv.RandHex(8))
		w := &v1alpha1.Webhook{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "rotating"},
			Spec: v1alpha1.WebhookSpec{
				EnterpriseRef:    v1alpha1.LocalObjectReference{Name: e.Name},
				URL:              hook.Server.URL + "/rotating",
				Events:           []string{"user.created"},
				SigningSecretRef: v1alpha1.SecretKeyReference{Name: "rotating", Key: "secret"},
			},
		}
		Expect(k8s.Create(ctx, w)).To(Succeed())
		waitReady(w)
		first := secretValue(e.Namespace, "rotating", "secret")
		Expect(webhookState(e.Status.ExternalID, w.Status.ExternalID).SigningSecretSHA256).To(Equal(sha(first)))
		Expect(w.Status.SigningSecretVersion).NotTo(BeEmpty())

		rotated := "whsec-second-" + testenv.RandHex(8)
		s := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: e.Namespace, Name: "rotating"}, s)).To(Succeed())
		s.Data["secret"] = []byte(rotated)
		Expect(k8s.Update(ctx, s)).To(Succeed())
		Eventually(func() string {
			return webhookState(e.Status.ExternalID, w.Status.ExternalID).SigningSecretSHA256
		}, eventuallyTO, 100*time.Millisecond).Should(Equal(sha(rotated)))
		Expect(statusJSON(w)).NotTo(ContainSubstring(rotated))
	})
})
