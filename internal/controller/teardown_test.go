package controller

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

var _ = Describe("Deleting a whole tenant at once", func() {
	It("deletes everything on the platform, PlatformConfig last, without a deadlock", func() {
		token := "teardown-" + testenv.RandHex(8)
		sim.AddCredential(platformsim.Credential{Tokens: []string{token}, Name: "teardown"})
		ns := newTenant()
		ensureSecret(operatorNS, "teardown-token", "token", token)
		pc := &v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "teardown-" + testenv.RandHex(3)},
			Spec: v1alpha1.PlatformConfigSpec{
				BaseURL: sim.URL(),
				Auth: v1alpha1.PlatformAuth{BearerToken: &v1alpha1.BearerTokenAuth{
					TokenSecretRef: v1alpha1.NamespacedSecretKeyReference{Namespace: operatorNS, Name: "teardown-token", Key: "token"},
				}},
			},
		}
		Expect(k8s.Create(ctx, pc)).To(Succeed())
		waitReady(pc)

		e := newEnterprise(ns, "teardown")
		e.Spec.PlatformConfigRef.Name = pc.Name
		Expect(k8s.Create(ctx, e)).To(Succeed())
		waitReady(e)
		r := &v1alpha1.EnterpriseRole{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "viewers"},
			Spec:       v1alpha1.EnterpriseRoleSpec{EnterpriseRef: v1alpha1.LocalObjectReference{Name: e.Name}, Name: "viewers"},
		}
		u := &v1alpha1.EnterpriseUser{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dave"},
			Spec: v1alpha1.EnterpriseUserSpec{
				EnterpriseRef: v1alpha1.LocalObjectReference{Name: e.Name}, Username: "dave", Email: "dave@example.com",
				RoleRefs: []v1alpha1.LocalObjectReference{{Name: "viewers"}},
			},
		}
		Expect(k8s.Create(ctx, r)).To(Succeed())
		Expect(k8s.Create(ctx, u)).To(Succeed())
		waitReady(r)
		waitReady(u)
		entID := e.Status.ExternalID

		// What a GitOps prune or `kubectl delete -k` does: everything at once.
		for _, o := range []client.Object{pc, e, r, u} {
			Expect(client.IgnoreNotFound(k8s.Delete(ctx, o))).To(Succeed())
		}
		By("the PlatformConfig waits for its Enterprise and says so")
		waitCondition(pc, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonDeletionBlocked)
		Expect(conditionOf(pc, v1alpha1.ConditionSynced).Message).To(ContainSubstring(ns + "/teardown"))

		for _, o := range []client.Object{u, r, e, pc} {
			waitGone(o)
		}
		Expect(enterpriseState(entID).ID).To(BeEmpty(), "the enterprise is deleted on the platform")
		Expect(k8s.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNS, Name: "teardown-token"}})).To(Succeed())
	})
})
