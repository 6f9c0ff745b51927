package controller

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/test/testenv"
)

// chainWait is how long a waiting object may take to pick up a new cause from its
// dependency: a change of a dependency's message (not of its readiness) reaches it at
// its next dependency re-check, after managed.DefaultWait.
const chainWait = managed.DefaultWait + eventuallyTO

var _ = Describe("Waiting messages", func() {
	It("name the root cause down the chain user -> Enterprise -> PlatformConfig -> missing Secret, and follow its fix", func() {
		suffix := testenv.RandHex(4)
		secretName := "chain-token-" + suffix
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: operatorNS, Name: secretName, Labels: optInLabels()},
			StringData: map[string]string{"token": simToken},
		}
		// Cleanups run last-registered first: the Secret has to outlive the deletions
		// of the objects that need it to reach the platform.
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8s.Delete(ctx, secret))).To(Succeed()) })
		pc := &v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "chain-" + suffix},
			Spec: v1alpha1.PlatformConfigSpec{
				BaseURL: sim.URL(),
				Auth: v1alpha1.PlatformAuth{BearerToken: &v1alpha1.BearerTokenAuth{
					TokenSecretRef: v1alpha1.NamespacedSecretKeyReference{Namespace: operatorNS, Name: secretName, Key: "token"},
				}},
				RateLimit:         v1alpha1.RateLimit{RequestsPerSecond: 100, Burst: 100},
				NamespaceSelector: &v1alpha1.LabelSelector{MatchLabels: map[string]v1alpha1.LabelValue{"tenant": "true"}},
			},
		}
		Expect(k8s.Create(ctx, pc)).To(Succeed())
		cleanup(pc) // registered first, so it runs after the Enterprise that uses it is gone
		waitCondition(pc, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretNotFound)
		Expect(conditionOf(pc, v1alpha1.ConditionReady).Message).To(ContainSubstring(secretName), "the admin sees which Secret")
		Expect(pc.Status.ObservedGeneration).To(Equal(pc.Generation), "a stalled generation is observed")
		Expect(kstatusOf(pc)).To(Equal(status.FailedStatus))

		ent := newEnterprise(newTenant(), "chained")
		ent.Spec.PlatformConfigRef.Name = pc.Name
		Expect(k8s.Create(ctx, ent)).To(Succeed())
		cleanup(ent)
		pcWait := "waiting for PlatformConfig " + pc.Name + " to be Ready: its Ready condition says SecretNotFound " +
			"(cluster admins can read the details in its status)"
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, objKey(ent), ent)).To(Succeed())
			return messageOf(ent, v1alpha1.ConditionReady)
		}, chainWait, 100*time.Millisecond).Should(Equal(pcWait))

		user := newUser(ent.Namespace, ent.Name, "chained-user", "chained-"+suffix)
		Expect(k8s.Create(ctx, user)).To(Succeed())
		cleanup(user)
		userWait := "waiting for Enterprise " + ent.Name + " to be Ready: " + pcWait
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, objKey(user), user)).To(Succeed())
			return messageOf(user, v1alpha1.ConditionSynced)
		}, chainWait, 100*time.Millisecond).Should(Equal(userWait))
		for _, t := range []string{v1alpha1.ConditionReady, v1alpha1.ConditionReconciling} {
			Expect(messageOf(user, t)).To(Equal(userWait), t)
		}
		Expect(kstatusOf(user)).To(Equal(status.InProgressStatus))
		By("telling the tenant nothing of the admin's Secret")
		for _, o := range []managed.Object{ent, user} {
			for _, c := range o.GetManagedStatus().Conditions {
				Expect(c.Message).NotTo(Or(ContainSubstring(secretName), ContainSubstring(operatorNS)), "%s %s", o.GetName(), c.Type)
			}
		}

		By("creating the Secret: the whole chain becomes Ready")
		Expect(k8s.Create(ctx, secret)).To(Succeed())
		waitReady(pc)
		waitReady(ent)
		waitReady(user)
		Expect(messageOf(user, v1alpha1.ConditionSynced)).NotTo(ContainSubstring("waiting for"))
		Expect(conditionOf(user, v1alpha1.ConditionReconciling)).To(BeNil())
		Expect(kstatusOf(user)).To(Equal(status.CurrentStatus))
	})
})

// messageOf is the message of obj's condition t ("" when it has none).
func messageOf(obj client.Object, t string) string {
	if c := conditionOf(obj, t); c != nil {
		return c.Message
	}
	return ""
}
