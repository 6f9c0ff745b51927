package controller

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

func newDomain(ns, enterprise, name, key string) *v1alpha1.Domain {
	return &v1alpha1.Domain{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.DomainSpec{
			EnterpriseRef: v1alpha1.LocalObjectReference{Name: enterprise},
			DomainName:    key + ".example.com",
		},
	}
}

// publishRecord waits for the Domain to show the DNS record it needs and publishes it
// in the simulator's loopback DNS server, as the domain's owner would.
func publishRecord(d *v1alpha1.Domain) {
	GinkgoHelper()
	Eventually(func() *v1alpha1.DNSRecord {
		Expect(k8s.Get(ctx, objKey(d), d)).To(Succeed())
		return d.Status.Record
	}, eventuallyTO, 100*time.Millisecond).ShouldNot(BeNil())
	Expect(d.Status.Record.Type).To(Equal("TXT"))
	Expect(sim.SetTXT(d.Status.Record.Name, d.Status.Record.Value)).To(Succeed())
}

// domainAttempts is how many DNS checks the platform ran for one domain.
func domainAttempts(entID, id string) int {
	for _, d := range enterpriseState(entID).Domains {
		if d.ID == id {
			return d.Attempts
		}
	}
	return -1
}

// verifiedDomainChecks counts verify calls that ran no DNS check, i.e. those on already
// verified domains: every other verify call adds to one domain's Attempts. Other specs'
// pending domains are re-checked in the background, so the raw call count would not do.
func verifiedDomainChecks() int {
	n := sim.CallCount("verifyEnterpriseDomain")
	for _, e := range sim.State().Enterprises {
		for _, d := range e.Domains {
			n -= d.Attempts
		}
	}
	return n
}

var domainKind = childKind{
	kind:     "Domain",
	createOp: "createEnterpriseDomain",
	// verifyEnterpriseDomain is counted per domain (objectWrites): other specs' pending
	// domains call it in the background.
	writeOps:     []string{"createEnterpriseDomain", "updateEnterpriseDomain", "deleteEnterpriseDomain"},
	objectWrites: domainAttempts,
	newObj:       func(ns, ent, name, key string) managed.Object { return newDomain(ns, ent, name, key) },
	objects: func(entID string) map[string]string {
		out := map[string]string{}
		for _, d := range enterpriseState(entID).Domains {
			out[d.ID] = d.Name
		}
		return out
	},
	keyOf: func(key string) string { return key + ".example.com" },
	becomeReady: func(obj managed.Object) {
		d := obj.(*v1alpha1.Domain)
		publishRecord(d)
		// Ask for a check now rather than at the next scheduled one (5s at the earliest).
		annotate(d, v1alpha1.AnnotationRecheckDomain, "published")
		waitReady(d)
	},
	precreate: func(p platform.Client, _, entID, key string) string {
		d, err := p.CreateDomain(context.Background(), entID, key+".example.com")
		Expect(err).NotTo(HaveOccurred())
		return d.ID
	},
}

var _ = describeChildKind(domainKind)

var _ = Describe("Domain verification", Ordered, func() {
	var ent *v1alpha1.Enterprise
	BeforeAll(func() { ent = readyEnterprise() })

	It("stays Pending until the DNS record is served, then becomes Verified and Ready", func() {
		d := newDomain(ent.Namespace, ent.Name, "pending", newKey())
		Expect(k8s.Create(ctx, d)).To(Succeed())
		cleanup(d)
		waitCondition(d, v1alpha1.ConditionVerified, metav1.ConditionFalse, v1alpha1.ReasonVerificationPending)
		Expect(d.Status.VerificationState).To(Equal(v1alpha1.DomainVerificationPending))
		Expect(d.Status.Record).NotTo(BeNil())
		Expect(conditionOf(d, v1alpha1.ConditionVerified).Message).To(ContainSubstring(d.Status.Record.Value))
		ready := conditionOf(d, v1alpha1.ConditionReady)
		Expect(ready.Status).To(Equal(metav1.ConditionFalse))
		Expect(ready.Reason).To(Equal(v1alpha1.ReasonVerificationPending))
		Expect(conditionOf(d, v1alpha1.ConditionSynced).Status).To(Equal(metav1.ConditionTrue))
		Consistently(func() v1alpha1.DomainVerificationState {
			Expect(k8s.Get(ctx, objKey(d), d)).To(Succeed())
			return d.Status.VerificationState
		}, 3*time.Second, 200*time.Millisecond).Should(Equal(v1alpha1.DomainVerificationPending))

		Expect(sim.SetTXT(d.Status.Record.Name, d.Status.Record.Value)).To(Succeed())
		waitReady(d)
		Expect(conditionOf(d, v1alpha1.ConditionVerified).Status).To(Equal(metav1.ConditionTrue))
		Expect(d.Status.VerificationState).To(Equal(v1alpha1.DomainVerificationVerified))
		Expect(d.Status.LastCheckTime).NotTo(BeNil())
	})

	It("re-checks a verified domain once per recheck annotation value", func() {
		d := newDomain(ent.Namespace, ent.Name, "recheck", newKey())
		Expect(k8s.Create(ctx, d)).To(Succeed())
		cleanup(d)
		publishRecord(d)
		waitReady(d)
		verifies := verifiedDomainChecks
		var before int
		Eventually(func(g Gomega) {
			before = verifies()
			g.Consistently(verifies).WithTimeout(300 * time.Millisecond).WithPolling(20 * time.Millisecond).Should(Equal(before))
		}).Should(Succeed())

		annotate(d, v1alpha1.AnnotationRecheckDomain, "one")
		Eventually(func() string {
			Expect(k8s.Get(ctx, objKey(d), d)).To(Succeed())
			return d.Status.LastRecheck
		}, eventuallyTO, 100*time.Millisecond).Should(Equal("one"))
		// A background check of another spec's pending domain shows as +1 for the few
		// milliseconds its DNS lookup takes; a second re-check of this one stays.
		settled := func(g Gomega) {
			g.Eventually(verifies).WithTimeout(time.Second).WithPolling(20 * time.Millisecond).Should(Equal(before + 1))
		}
		Eventually(settled).Should(Succeed())
		Consistently(settled, quiet, 200*time.Millisecond).Should(Succeed(), "once per value; a verified domain is not re-checked by itself")
		Expect(conditionOf(d, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue))
	})

	It("stops re-checking a pending domain while paused", func() {
		d := newDomain(ent.Namespace, ent.Name, "paused", newKey())
		Expect(k8s.Create(ctx, d)).To(Succeed())
		cleanup(d)
		waitCondition(d, v1alpha1.ConditionVerified, metav1.ConditionFalse, v1alpha1.ReasonVerificationPending)
		annotate(d, v1alpha1.AnnotationPaused, "true")
		waitCondition(d, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonPaused)
		checks := func() int { return domainAttempts(ent.Status.ExternalID, d.Status.ExternalID) }
		before := checks()
		// A pending domain is re-checked every 5s (domainCheckMin) when not paused.
		Consistently(checks, 8*time.Second, 200*time.Millisecond).Should(Equal(before))
		Expect(sim.SetTXT(d.Status.Record.Name, d.Status.Record.Value)).To(Succeed())
		annotate(d, v1alpha1.AnnotationPaused, "")
		waitReady(d)
		Expect(checks()).To(BeNumerically(">", before))
	})
})
