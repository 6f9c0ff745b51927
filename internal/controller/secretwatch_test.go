package controller

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
)

var _ = Describe("Secrets referenced by objects", func() {
	It("resumes a Webhook stalled on a missing signing Secret as soon as the Secret is created", func() {
		e := readyEnterprise()
		w := &v1alpha1.Webhook{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "late-secret"},
			Spec: v1alpha1.WebhookSpec{
				EnterpriseRef:    v1alpha1.LocalObjectReference{Name: e.Name},
				URL:              hook.server.URL + "/late",
				Events:           []string{"user.created"},
				SigningSecretRef: v1alpha1.SecretKeyReference{Name: "late-signing", Key: "secret"},
			},
		}
		Expect(k8s.Create(ctx, w)).To(Succeed())
		waitCondition(w, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretNotFound)
		Expect(conditionOf(w, v1alpha1.ConditionSynced).Message).To(ContainSubstring("late-signing"))

		// No resync runs for a stalled object: only the Secret watch can bring it back.
		ensureSecret(e.Namespace, "late-signing", "secret", "whsec-"+randHex(8))
		waitReady(w)
		Expect(conditionOf(w, v1alpha1.ConditionStalled)).To(BeNil())
	})
})
