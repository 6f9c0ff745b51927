package controller

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// platformCallsByOp is what the manager sent through one PlatformConfig's credential,
// by operationId (every attempt, answered or not), from its metrics.
func platformCallsByOp(pcName string) map[string]float64 {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	calls := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "enterprise_operator_platform_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var pc, op string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "platformconfig":
					pc = l.GetValue()
				case "operation":
					op = l.GetValue()
				}
			}
			if pc == pcName {
				calls[op] += m.GetCounter().GetValue()
			}
		}
	}
	return calls
}

// callsSince is after minus before, per operation, without the zeros.
func callsSince(before, after map[string]float64) map[string]float64 {
	d := map[string]float64{}
	for op, n := range after {
		if n-before[op] > 0 {
			d[op] = n - before[op]
		}
	}
	return d
}

// ownPlatformConfig creates a PlatformConfig of the suite's credential that only the
// calling spec uses, so its metrics count that spec's calls alone.
func ownPlatformConfig(prefix, baseURL string) string {
	GinkgoHelper()
	name := prefix + "-" + testenv.RandHex(4)
	pc := &v1alpha1.PlatformConfig{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.PlatformConfigSpec{
			BaseURL: baseURL,
			Auth: v1alpha1.PlatformAuth{BearerToken: &v1alpha1.BearerTokenAuth{
				TokenSecretRef: v1alpha1.NamespacedSecretKeyReference{Namespace: operatorNS, Name: "sim-token", Key: "token"},
			}},
			RateLimit: v1alpha1.RateLimit{RequestsPerSecond: 500, Burst: 500},
		},
	}
	Expect(k8s.Create(ctx, pc)).To(Succeed())
	DeferCleanup(func() { Expect(client.IgnoreNotFound(k8s.Delete(ctx, pc))).To(Succeed()) })
	waitReady(pc)
	return name
}

// readyEnterpriseOn creates a Ready Enterprise in a new tenant namespace that uses
// PlatformConfig pcName.
func readyEnterpriseOn(pcName, name string) *v1alpha1.Enterprise {
	GinkgoHelper()
	ent := newEnterprise(newTenant(), name)
	ent.Spec.PlatformConfigRef.Name = pcName
	Expect(k8s.Create(ctx, ent)).To(Succeed())
	cleanup(ent)
	waitReady(ent)
	return ent
}

// Users read themselves from one paginated list per enterprise and resync round: a
// create costs the create alone, a resync round costs pages, not objects, and what
// the list cannot show (a duplicate made on the platform after it was read) is
// looked up again instead of created twice.
var _ = Describe("observing from lists", func() {
	const users = 150 // two pages of the contract's largest (100)

	It("costs one call per created user and pages per resync round, and still reverts drift", func() {
		pcName := ownPlatformConfig("lists", sim.URL())
		ent := readyEnterpriseOn(pcName, "lists")

		before := platformCallsByOp(pcName)
		creating := time.Now()
		for i := range users {
			Expect(k8s.Create(ctx, &v1alpha1.EnterpriseUser{
				ObjectMeta: metav1.ObjectMeta{Namespace: ent.Namespace, Name: fmt.Sprintf("u%03d", i)},
				Spec: v1alpha1.EnterpriseUserSpec{
					EnterpriseRef: v1alpha1.LocalObjectReference{Name: ent.Name},
					Username:      fmt.Sprintf("lists%03d", i), Email: fmt.Sprintf("lists%03d@example.com", i), Title: "Engineer",
				},
			})).To(Succeed())
		}
		list := &v1alpha1.EnterpriseUserList{}
		Eventually(func(g Gomega) {
			g.Expect(k8s.List(ctx, list, client.InNamespace(ent.Namespace))).To(Succeed())
			g.Expect(list.Items).To(HaveLen(users))
			for i := range list.Items {
				g.Expect(conditionOf(&list.Items[i], v1alpha1.ConditionReady)).NotTo(BeNil())
				g.Expect(conditionOf(&list.Items[i], v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue), list.Items[i].Name)
			}
		}, 2*eventuallyTO, 250*time.Millisecond).Should(Succeed())
		created := callsSince(before, platformCallsByOp(pcName))
		GinkgoWriter.Printf("creating %d users: %v\n", users, created)
		Expect(created["createEnterpriseUser"]).To(BeNumerically("==", users), "each user created once")
		Expect(created["getEnterpriseUser"]).To(BeNumerically("<=", users/20), "no GET per created user")
		// Users created first resync (every 2s) while the rest are created, and read the
		// list again when it is older than 1s: at most about one read (2 pages) a second
		// of the creates, however slow the machine; none looks a user up by itself.
		Expect(created["listEnterpriseUsers"]).To(BeNumerically("<=", 2*(time.Since(creating).Seconds()+2)), "lists")

		// Steady state: three resync periods of the suite, every user re-checked each.
		before = platformCallsByOp(pcName)
		window := 3 * testResync * 12 / 10
		start := time.Now()
		Eventually(func() time.Duration { return time.Since(start) }, 2*window).Should(BeNumerically(">=", window))
		steady := callsSince(before, platformCallsByOp(pcName))
		GinkgoWriter.Printf("%s of steady state with %d users: %v\n", window, users, steady)
		Expect(steady["getEnterpriseUser"]).To(BeNumerically("<=", 2), "objects read themselves from the list")
		// A list is read when it is older than half the resync interval: at most about
		// once a second here, two pages each.
		Expect(steady["listEnterpriseUsers"]).To(BeNumerically("<=", 2*(window.Seconds()+2)))
		Expect(steady["listEnterpriseUsers"]).To(BeNumerically(">=", 2), "the list is read again within a resync")
		for op := range steady {
			Expect(op).To(Or(HavePrefix("list"), HavePrefix("get")), "no write at steady state")
		}

		// Drift made on the platform shows in the next list, within a resync.
		u := &list.Items[7]
		Expect(sim.MutateUser(ent.Status.ExternalID, u.Status.ExternalID, func(p *platformsim.User) { p.Title = "Drifted" })).To(Succeed())
		Eventually(func() string { return userState(ent.Status.ExternalID, u.Status.ExternalID).Title }, eventuallyTO, 100*time.Millisecond).
			Should(Equal("Engineer"))
	})

	It("looks again instead of creating a duplicate the list could not show", func() {
		pcName := ownPlatformConfig("lists", sim.URL())
		ent := readyEnterpriseOn(pcName, "dup")
		// A long resync keeps the list read for the first user fresh for the second.
		newUser := func(name, email string) *v1alpha1.EnterpriseUser {
			return &v1alpha1.EnterpriseUser{
				ObjectMeta: metav1.ObjectMeta{Namespace: ent.Namespace, Name: name,
					Annotations: map[string]string{v1alpha1.AnnotationResyncInterval: "1h"}},
				Spec: v1alpha1.EnterpriseUserSpec{EnterpriseRef: v1alpha1.LocalObjectReference{Name: ent.Name},
					Username: name, Email: email},
			}
		}
		first := newUser("first", "first-"+testenv.RandHex(3)+"@example.com")
		Expect(k8s.Create(ctx, first)).To(Succeed())
		cleanup(first)
		waitReady(first)

		// Made on the platform after the list was read: the list does not show it.
		email := "late-" + testenv.RandHex(3) + "@example.com"
		made, err := platformClient().CreateUser(ctx, ent.Status.ExternalID, platform.UserCreate{
			Username: "late", Password: "Sup3r-secret-pw", Email: email})
		Expect(err).NotTo(HaveOccurred())
		before := platformCallsByOp(pcName)

		late := newUser("late", strings.ToUpper(email))
		Expect(k8s.Create(ctx, late)).To(Succeed())
		cleanup(late)
		waitReady(late)
		Expect(late.Status.ExternalID).To(Equal(made.ID), "adopted, not created twice")
		same := 0
		for _, p := range enterpriseState(ent.Status.ExternalID).Users {
			if strings.EqualFold(p.Email, email) {
				same++
			}
		}
		Expect(same).To(Equal(1))
		calls := callsSince(before, platformCallsByOp(pcName))
		GinkgoWriter.Printf("a create refused as a duplicate: %v\n", calls)
		Expect(calls["createEnterpriseUser"]).To(BeNumerically("==", 1), "one refused create, then adopted")
	})
})
