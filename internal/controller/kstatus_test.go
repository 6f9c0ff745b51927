package controller

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
)

// kstatusOf computes what Flux's health checks (kstatus) make of an object as it is
// in the API server right now.
func kstatusOf(obj client.Object) status.Status {
	GinkgoHelper()
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	Expect(err).NotTo(HaveOccurred())
	res, err := status.Compute(&unstructured.Unstructured{Object: m})
	Expect(err).NotTo(HaveOccurred())
	return res.Status
}

var _ = Describe("kstatus (Flux health) on real objects", func() {
	It("is Current when Ready, InProgress while reconciling and Failed on a terminal error", func() {
		e := readyEnterprise()
		Expect(kstatusOf(e)).To(Equal(status.CurrentStatus))

		By("InProgress while waiting for a dependency")
		waiting := &v1alpha1.EnterpriseRole{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "waits"},
			Spec: v1alpha1.EnterpriseRoleSpec{
				EnterpriseRef: v1alpha1.LocalObjectReference{Name: "not-there-yet"}, Name: "waits",
			},
		}
		Expect(k8s.Create(ctx, waiting)).To(Succeed())
		waitCondition(waiting, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		Expect(kstatusOf(waiting)).To(Equal(status.InProgressStatus))

		By("InProgress while a Domain waits for its DNS record, although its spec is applied")
		d := &v1alpha1.Domain{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "pending"},
			Spec: v1alpha1.DomainSpec{
				EnterpriseRef: v1alpha1.LocalObjectReference{Name: e.Name}, DomainName: "pending-" + randHex(4) + ".example.com",
			},
		}
		Expect(k8s.Create(ctx, d)).To(Succeed())
		waitCondition(d, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonVerificationPending)
		Expect(d.Status.ObservedGeneration).To(Equal(d.Generation))
		Expect(kstatusOf(d)).To(Equal(status.InProgressStatus))

		By("Failed when the platform rejects the spec")
		ensureSecret(e.Namespace, "kstatus-signing", "secret", "whsec-"+randHex(8))
		w := &v1alpha1.Webhook{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "rejected"},
			Spec: v1alpha1.WebhookSpec{
				EnterpriseRef:    v1alpha1.LocalObjectReference{Name: e.Name},
				URL:              "https://someone:pass@" + hook.server.URL[len("https://"):] + "/rejected",
				Events:           []string{"user.created"},
				SigningSecretRef: v1alpha1.SecretKeyReference{Name: "kstatus-signing", Key: "secret"},
			},
		}
		Expect(k8s.Create(ctx, w)).To(Succeed())
		waitCondition(w, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec)
		Expect(kstatusOf(w)).To(Equal(status.FailedStatus))
	})
})
