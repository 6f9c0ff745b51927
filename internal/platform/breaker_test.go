package platform

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/gomega"
)

// outage is a platform that is down (503) until it is told it is up again; it counts
// what reaches it by path.
type outage struct {
	down  atomic.Bool
	mu    sync.Mutex
	calls map[string]int
}

func (o *outage) handle(w http.ResponseWriter, r *recordedRequest) {
	o.mu.Lock()
	if o.calls == nil {
		o.calls = map[string]int{}
	}
	o.calls[r.URL.Path]++
	o.mu.Unlock()
	if o.down.Load() {
		writeJSON(w, http.StatusServiceUnavailable, seedError("unavailable", "down for maintenance", "r-1"))
		return
	}
	if r.URL.Path == "/api/v3/users/me" {
		writeJSON(w, http.StatusOK, map[string]any{"userId": "u-admin", "enterpriseId": "e-1"})
		return
	}
	writeJSON(w, http.StatusOK, userJSON("u-1"))
}

func (o *outage) count(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls[path]
}

type transitions struct {
	mu  sync.Mutex
	got [][2]BreakerState
}

func (tr *transitions) record(from, to BreakerState, _ time.Time) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.got = append(tr.got, [2]BreakerState{from, to})
}

func (tr *transitions) list() [][2]BreakerState {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([][2]BreakerState(nil), tr.got...)
}

func breakerClient(t *testing.T, url string, set BreakerSettings) (*client, *Breaker) {
	t.Helper()
	b := NewBreaker(set)
	c, _ := testClient(t, url, func(cfg *Config) { cfg.Breaker = b; cfg.MaxRetries = -1 })
	return c, b
}

const userPath = "/v1/enterprises/e-1/users/u-1"

// An outage opens the circuit after Failures attempts; then nothing is sent but probes,
// one at a time; the first probe that succeeds closes it, reports open and closed once
// each, and wakes every caller that was refused.
func TestBreakerOpensProbesAndCloses(t *testing.T) {
	g := NewWithT(t)
	o := &outage{}
	o.down.Store(true)
	_, srv := newRecorder(t, o.handle)
	tr := &transitions{}
	c, b := breakerClient(t, srv.URL, BreakerSettings{Name: "acme", Failures: 3,
		ProbeInterval: 20 * time.Millisecond, MaxProbeInterval: 80 * time.Millisecond, MaxSpread: 50 * time.Millisecond,
		OnChange: tr.record})
	ctx := context.Background()

	for range 3 {
		_, err := c.GetUser(ctx, "e-1", "u-1")
		g.Expect(IsUnavailable(err)).To(BeTrue())
		_, open := CircuitOpen(err)
		g.Expect(open).To(BeFalse(), "the first failures were sent: %v", err)
	}
	g.Expect(b.State()).To(Equal(BreakerOpen))
	sent := o.count(userPath)
	g.Expect(sent).To(Equal(3))

	// Refused without being sent, saying whose circuit and when the next probe is.
	_, err := c.GetUser(ctx, "e-1", "u-1")
	next, open := CircuitOpen(err)
	g.Expect(open).To(BeTrue())
	g.Expect(next).NotTo(BeZero())
	g.Expect(IsUnavailable(err)).To(BeTrue(), "callers that do not know the breaker still see an outage")
	g.Expect(err.Error()).To(ContainSubstring("PlatformConfig acme"))
	g.Expect(err.Error()).To(ContainSubstring("next probe at"))
	woken := make(chan time.Duration, 2)
	g.Expect(WhenAvailable(err, "user-1", func(after time.Duration) { woken <- after })).To(BeTrue())
	g.Expect(WhenAvailable(err, "user-1", func(after time.Duration) { woken <- after })).To(BeTrue(), "a key registers once")
	g.Expect(WhenAvailable(errors.New("other"), "x", func(time.Duration) {})).To(BeFalse())

	// Probes (getCurrentUser) keep failing, with growing delays; callers stay refused.
	g.Eventually(func() int { return o.count("/api/v3/users/me") }, 5*time.Second, 5*time.Millisecond).Should(BeNumerically(">=", 3))
	g.Expect(o.count(userPath)).To(Equal(sent), "no caller's request went out while open")

	o.down.Store(false)
	g.Eventually(b.State, 5*time.Second, 5*time.Millisecond).Should(Equal(BreakerClosed))
	g.Eventually(woken, time.Second).Should(Receive(BeNumerically("<=", 50*time.Millisecond)))
	g.Consistently(woken, 100*time.Millisecond).ShouldNot(Receive(), "one wakeup per key")

	_, err = c.GetUser(ctx, "e-1", "u-1")
	g.Expect(err).NotTo(HaveOccurred())
	// Transitions: closed→open, then per failed probe half-open→open, then the
	// successful probe half-open→closed.
	got := tr.list()
	g.Expect(got[0]).To(Equal([2]BreakerState{BreakerClosed, BreakerOpen}))
	g.Expect(got[len(got)-1]).To(Equal([2]BreakerState{BreakerHalfOpen, BreakerClosed}))
	for _, t := range got[1 : len(got)-1] {
		g.Expect(t[1]).To(Or(Equal(BreakerHalfOpen), Equal(BreakerOpen)))
	}
	g.Expect(WhenAvailable(err, "late", func(time.Duration) {})).To(BeFalse())
}

// The probe delay doubles per failed probe up to the cap, each drawn from [d/2, d].
func TestBreakerProbeBackoff(t *testing.T) {
	b := NewBreaker(BreakerSettings{ProbeInterval: time.Second, MaxProbeInterval: 15 * time.Second})
	defer b.Stop()
	now := time.Now()
	b.set.Now = func() time.Time { return now }
	var got []time.Duration
	for failed := range 7 {
		b.mu.Lock()
		b.failedProbe = failed
		b.scheduleLocked()
		got = append(got, b.next.Sub(now))
		b.mu.Unlock()
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 15 * time.Second, 15 * time.Second}
	for i := range want {
		if got[i] < want[i]/2 || got[i] > want[i] {
			t.Errorf("probe %d after %v, want within [%v, %v]", i, got[i], want[i]/2, want[i])
		}
	}
}

// Answers that show the platform is up (404, 409, 401, 429) never open the circuit.
func TestBreakerCountsOnlyUnavailability(t *testing.T) {
	cases := []struct {
		name   string
		status int
		open   bool
	}{
		{"404", http.StatusNotFound, false},
		{"409", http.StatusConflict, false},
		{"422", http.StatusUnprocessableEntity, false},
		{"500", http.StatusInternalServerError, true},
		{"503", http.StatusServiceUnavailable, true},
		{"408", http.StatusRequestTimeout, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newRecorder(t, func(w http.ResponseWriter, _ *recordedRequest) {
				writeJSON(w, tc.status, seedError("e", "x", "r"))
			})
			c, b := breakerClient(t, srv.URL, BreakerSettings{Failures: 2, ProbeInterval: time.Hour})
			defer b.Stop()
			for range 3 {
				_, _ = c.GetUser(context.Background(), "e-1", "u-1")
			}
			if diff := cmp.Diff(tc.open, b.State() == BreakerOpen); diff != "" {
				t.Errorf("open after three %d answers (-want +got):\n%s", tc.status, diff)
			}
		})
	}
}

// A 429 with Retry-After pauses the whole credential: other requests are not sent
// until it has passed; the request that got the 429 retries after waiting it out.
func TestBreakerRateLimitPausesCredential(t *testing.T) {
	g := NewWithT(t)
	var limited atomic.Bool
	limited.Store(true)
	rec, srv := newRecorder(t, func(w http.ResponseWriter, _ *recordedRequest) {
		if limited.Load() {
			w.Header().Set("Retry-After", "2")
			writeJSON(w, http.StatusTooManyRequests, seedError("rate_limited", "slow down", "r"))
			return
		}
		writeJSON(w, http.StatusOK, userJSON("u-1"))
	})
	now := time.Now()
	c, b := breakerClient(t, srv.URL, BreakerSettings{Now: func() time.Time { return now }})
	defer b.Stop()

	_, err := c.GetUser(context.Background(), "e-1", "u-1")
	after, ok := IsRateLimited(err)
	g.Expect(ok).To(BeTrue())
	g.Expect(after).To(Equal(2 * time.Second))
	g.Expect(rec.count()).To(Equal(1))

	// Another object's request is held back without being sent.
	_, err = c.GetUser(context.Background(), "e-1", "u-2")
	after, ok = IsRateLimited(err)
	g.Expect(ok).To(BeTrue())
	g.Expect(after).To(BeNumerically("~", 2*time.Second, 10*time.Millisecond))
	g.Expect(err.Error()).To(ContainSubstring("not sent"))
	g.Expect(rec.count()).To(Equal(1))

	// Once the Retry-After has passed, requests go again.
	limited.Store(false)
	now = now.Add(2 * time.Second)
	_, err = c.GetUser(context.Background(), "e-1", "u-2")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rec.count()).To(Equal(2))
	g.Expect(b.State()).To(Equal(BreakerClosed))
}

// Stopping a breaker (its credential was replaced) wakes its waiters at once.
func TestBreakerStopWakesWaiters(t *testing.T) {
	g := NewWithT(t)
	o := &outage{}
	o.down.Store(true)
	_, srv := newRecorder(t, o.handle)
	c, b := breakerClient(t, srv.URL, BreakerSettings{Failures: 1, ProbeInterval: time.Hour})
	_, _ = c.GetUser(context.Background(), "e-1", "u-1")
	_, err := c.GetUser(context.Background(), "e-1", "u-1")
	woken := make(chan time.Duration, 1)
	g.Expect(WhenAvailable(err, "k", func(after time.Duration) { woken <- after })).To(BeTrue())
	b.Stop()
	g.Eventually(woken, time.Second).Should(Receive())
	g.Expect(o.count("/api/v3/users/me")).To(BeZero(), "a stopped breaker does not probe")
}
