package controller

import (
	"fmt"
	"net"
	"net/http"
	"regexp"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
)

// switchablePlatform serves the simulator's handler on a fixed loopback address that
// can go away (connections refused, open ones cut) and come back, like a platform
// that is down for a while.
type switchablePlatform struct {
	addr string
	mu   sync.Mutex
	srv  *http.Server
}

func newSwitchablePlatform() *switchablePlatform {
	GinkgoHelper()
	p := &switchablePlatform{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	p.addr = ln.Addr().String()
	p.serve(ln)
	return p
}

func (p *switchablePlatform) url() string { return "http://" + p.addr }

func (p *switchablePlatform) serve(ln net.Listener) {
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	p.mu.Lock()
	p.srv = srv
	p.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// stop closes the listener and every open connection.
func (p *switchablePlatform) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.srv != nil {
		_ = p.srv.Close()
		p.srv = nil
	}
}

// start listens on the same address again.
func (p *switchablePlatform) start() {
	GinkgoHelper()
	var ln net.Listener
	Eventually(func() (err error) {
		ln, err = net.Listen("tcp", p.addr)
		return err
	}, eventuallyTO, 100*time.Millisecond).Should(Succeed())
	p.serve(ln)
}

// platformCalls is how many requests the manager sent through one PlatformConfig's
// credential (every attempt, answered or not), from its metrics.
func platformCalls(pcName string) float64 {
	GinkgoHelper()
	var n float64
	for _, c := range platformCallsByOp(pcName) {
		n += c
	}
	return n
}

type callSample struct {
	at    time.Time
	calls float64
}

// maxCallsPerWindow is the most calls any window of the given length within
// [from, to] saw, from samples taken every few hundred milliseconds.
func maxCallsPerWindow(samples []callSample, from, to time.Time, window time.Duration) float64 {
	var worst float64
	for i, a := range samples {
		if a.at.Before(from) {
			continue
		}
		for _, b := range samples[i+1:] {
			if b.at.After(to) || b.at.Sub(a.at) > window {
				break
			}
			worst = max(worst, b.calls-a.calls)
		}
	}
	return worst
}

// The platform goes away for 120 s under 200 Ready users: the credential's circuit
// opens, the outage costs a probe at a time, hardly any Warning events are recorded,
// health does not flap, and when the platform is back every object is in sync again
// within 30 s without creating anything twice.
var _ = Describe("a platform outage", func() {
	const (
		users   = 200
		outage  = 120 * time.Second
		settle  = 10 * time.Second
		perTen  = 2
		rejoin  = 30 * time.Second
		maxWarn = 10
	)

	It("costs one probe at a time, a couple of events, and reconverges without duplicates", func() {
		p := newSwitchablePlatform()
		DeferCleanup(p.stop)

		pcName := ownPlatformConfig("outage", p.url())
		ent := readyEnterpriseOn(pcName, "outage")
		for i := range users {
			u := &v1alpha1.EnterpriseUser{
				ObjectMeta: metav1.ObjectMeta{Namespace: ent.Namespace, Name: fmt.Sprintf("u%03d", i)},
				Spec: v1alpha1.EnterpriseUserSpec{
					EnterpriseRef: v1alpha1.LocalObjectReference{Name: ent.Name},
					Username:      fmt.Sprintf("outage%03d", i), Email: fmt.Sprintf("outage%03d@example.com", i), FirstName: "Out",
				},
			}
			Expect(k8s.Create(ctx, u)).To(Succeed())
		}
		allUsers := func(g Gomega, want func(Gomega, *v1alpha1.EnterpriseUser)) {
			list := &v1alpha1.EnterpriseUserList{}
			g.Expect(k8s.List(ctx, list, client.InNamespace(ent.Namespace))).To(Succeed())
			g.Expect(list.Items).To(HaveLen(users))
			for i := range list.Items {
				want(g, &list.Items[i])
			}
		}
		inSync := func(g Gomega, u *v1alpha1.EnterpriseUser) {
			for _, t := range []string{v1alpha1.ConditionReady, v1alpha1.ConditionSynced} {
				c := conditionOf(u, t)
				g.Expect(c).NotTo(BeNil(), "%s has no %s", u.Name, t)
				g.Expect(c.Status).To(Equal(metav1.ConditionTrue), "%s %s: %s %s", u.Name, t, c.Reason, c.Message)
			}
		}
		Eventually(func(g Gomega) { allUsers(g, inSync) }, 2*eventuallyTO, 250*time.Millisecond).Should(Succeed())
		created := sim.CallCount("createEnterpriseUser")

		// Sample the credential's calls for the whole outage.
		var (
			mu      sync.Mutex
			samples []callSample
		)
		stopSampling := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(sampled)
			tick := time.NewTicker(250 * time.Millisecond)
			defer tick.Stop()
			for {
				mu.Lock()
				samples = append(samples, callSample{at: time.Now(), calls: platformCalls(pcName)})
				mu.Unlock()
				select {
				case <-stopSampling:
					return
				case <-tick.C:
				}
			}
		}()

		By("taking the platform away for 120 s")
		down := time.Now()
		p.stop()
		// Objects say why they are not in sync and when the platform is asked again;
		// Ready stays True, so health does not flap through an outage.
		Eventually(func(g Gomega) {
			u := &v1alpha1.EnterpriseUser{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ent.Namespace, Name: "u000"}, u)).To(Succeed())
			c := conditionOf(u, v1alpha1.ConditionSynced)
			g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(c.Reason).To(Equal(v1alpha1.ReasonPlatformUnavailable))
			g.Expect(c.Message).To(ContainSubstring("next probe at"))
		}, settle+testResync*2, 250*time.Millisecond).Should(Succeed())
		Consistently(func(g Gomega) {
			allUsers(g, func(g Gomega, u *v1alpha1.EnterpriseUser) {
				g.Expect(conditionOf(u, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue), u.Name)
			})
		}, outage-time.Since(down), 5*time.Second).Should(Succeed())
		Expect(testutil.ToFloat64(platformCircuitState.WithLabelValues(pcName))).To(Equal(circuitStateValue[platform.BreakerOpen]), "the circuit is open at the end of the outage")

		By("bringing the platform back")
		back := time.Now()
		p.start()
		Eventually(func(g Gomega) { allUsers(g, inSync) }, rejoin, 250*time.Millisecond).Should(Succeed())
		rejoined := time.Since(back)
		close(stopSampling)
		<-sampled
		GinkgoWriter.Printf("outage: all %d users in sync %s after the platform came back\n", users, rejoined)

		mu.Lock()
		worst := maxCallsPerWindow(samples, down.Add(settle), back, 10*time.Second)
		first := samples[0].calls
		mu.Unlock()
		GinkgoWriter.Printf("outage: at most %.0f calls per 10 s after the first 10 s\n", worst)
		Expect(worst).To(BeNumerically("<=", perTen), "calls per 10 s while the platform was away")
		Expect(first).To(BeNumerically(">", 0), "the sampler read the credential's calls")

		// Nothing was created twice: no create at all, and one platform user per object.
		Expect(sim.CallCount("createEnterpriseUser")).To(Equal(created))
		ours := 0
		for _, u := range enterpriseState(ent.Status.ExternalID).Users {
			if regexp.MustCompile(`^outage\d{3}@`).MatchString(u.Email) { // not the enterprise's admin
				ours++
			}
		}
		Expect(ours).To(Equal(users))

		// A handful of Warning events at most, and the PlatformConfig tells the story.
		Eventually(func(g Gomega) {
			evs := &eventsv1.EventList{}
			g.Expect(k8s.List(ctx, evs)).To(Succeed())
			warnings, reasons := 0, map[string]int{}
			for _, e := range evs.Items {
				ours := e.Namespace == ent.Namespace || e.Regarding.Name == pcName
				if !ours || e.CreationTimestamp.Time.Before(down.Add(-time.Second)) {
					continue
				}
				if e.Type == corev1.EventTypeWarning {
					warnings++
				}
				if e.Regarding.Name == pcName {
					reasons[e.Reason]++
				}
			}
			g.Expect(reasons).To(HaveKeyWithValue(EventCircuitOpened, 1))
			g.Expect(reasons).To(HaveKeyWithValue(EventCircuitClosed, 1))
			g.Expect(warnings).To(BeNumerically("<=", maxWarn))
			GinkgoWriter.Printf("outage: %d Warning events; the PlatformConfig's: %v\n", warnings, reasons)
		}, eventuallyTO, 250*time.Millisecond).Should(Succeed())
		Expect(testutil.ToFloat64(platformCircuitState.WithLabelValues(pcName))).To(Equal(circuitStateValue[platform.BreakerClosed]))
		waitCondition(&v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: pcName}}, v1alpha1.ConditionSynced, metav1.ConditionTrue)
	})
})
