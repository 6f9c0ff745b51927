package controller

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
)

var _ = Describe("Adopting by external-id", func() {
	It("stalls instead of creating when the named platform object does not exist", func() {
		e := readyEnterprise()
		before := sim.CallCount("createEnterpriseRole")
		r := &v1alpha1.EnterpriseRole{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: "ghost",
				Annotations: map[string]string{v1alpha1.AnnotationExternalID: "0123456789abcdef0123456789abcdef"}},
			Spec: v1alpha1.EnterpriseRoleSpec{EnterpriseRef: v1alpha1.LocalObjectReference{Name: e.Name}, Name: "ghost"},
		}
		Expect(k8s.Create(ctx, r)).To(Succeed())
		waitCondition(r, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonNotFound)
		Expect(conditionOf(r, v1alpha1.ConditionSynced).Message).To(ContainSubstring("0123456789abcdef0123456789abcdef"))
		Consistently(func() int { return sim.CallCount("createEnterpriseRole") - before }, 3*time.Second, 200*time.Millisecond).
			Should(BeZero())

		By("creating once the annotation is removed")
		annotate(r, v1alpha1.AnnotationExternalID, "")
		waitReady(r)
	})
})
