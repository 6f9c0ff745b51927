package platform

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
)

// BreakerState is where a credential's circuit breaker is.
type BreakerState string

const (
	// BreakerClosed: requests are sent.
	BreakerClosed BreakerState = "closed"
	// BreakerOpen: the platform kept failing; no request is sent until a probe succeeds.
	BreakerOpen BreakerState = "open"
	// BreakerHalfOpen: one probe request is on its way.
	BreakerHalfOpen BreakerState = "half-open"
)

// Defaults of BreakerSettings.
const (
	DefaultBreakerFailures      = 5
	DefaultBreakerProbeInterval = time.Second
	// DefaultBreakerMaxProbeInterval keeps a long outage at about one probe per 10 s
	// (the delay is drawn from [max/2, max]) while the platform's return is noticed
	// within 15 s.
	DefaultBreakerMaxProbeInterval = 15 * time.Second
	// DefaultBreakerMaxSpread bounds how long the requests that waited for the circuit
	// to close are spread over, so they do not all arrive in the same instant.
	DefaultBreakerMaxSpread = 5 * time.Second
	// breakerSpreadPerWaiter is each waiter's share of the spread.
	breakerSpreadPerWaiter = 25 * time.Millisecond
	// probeTimeout bounds one probe.
	probeTimeout = 10 * time.Second
)

// ErrCircuitOpen is wrapped by the error of a request the breaker did not send.
var ErrCircuitOpen = errors.New("circuit open")

// BreakerSettings configures a Breaker. Zero values take the defaults.
type BreakerSettings struct {
	// Name says whose circuit it is (a PlatformConfig), for messages.
	Name string
	// Failures is how many consecutive failed attempts (transport errors, 5xx, 408)
	// open the circuit.
	Failures uint32
	// ProbeInterval is the delay before the first probe; each failed probe doubles it,
	// up to MaxProbeInterval. Each delay is drawn from [d/2, d].
	ProbeInterval, MaxProbeInterval time.Duration
	// MaxSpread bounds how long the waiters woken when the circuit closes are spread over.
	MaxSpread time.Duration
	// OnChange is told every transition; next is when the next probe is, while open.
	// It must not block.
	OnChange func(from, to BreakerState, next time.Time)
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// Breaker is one credential's circuit breaker: every client built from a PlatformConfig
// shares it, so a platform outage costs one probe at a time however many objects use the
// credential, instead of every object finding out on its own. gobreaker counts the
// failures and runs the closed → open → half-open → closed state machine; this type
// adds what gobreaker leaves out: probes on their own timer with exponential, jittered
// delays (gobreaker's open period is fixed), waking the callers that were refused once
// it closes, and the pause a 429 with Retry-After imposes on the whole credential.
type Breaker struct {
	cb  *gobreaker.TwoStepCircuitBreaker[struct{}]
	set BreakerSettings

	mu          sync.Mutex
	state       BreakerState
	failedProbe int
	next        time.Time
	timer       *time.Timer
	pausedUntil time.Time
	probe       func(context.Context) error
	waiters     map[string]func(after time.Duration)
	stopped     bool
	// pending are transitions to report once the locks are released.
	pending []transition
}

type transition struct {
	from, to BreakerState
	next     time.Time
}

// NewBreaker returns a closed breaker.
func NewBreaker(set BreakerSettings) *Breaker {
	if set.Failures == 0 {
		set.Failures = DefaultBreakerFailures
	}
	if set.ProbeInterval <= 0 {
		set.ProbeInterval = DefaultBreakerProbeInterval
	}
	if set.MaxProbeInterval < set.ProbeInterval {
		set.MaxProbeInterval = max(DefaultBreakerMaxProbeInterval, set.ProbeInterval)
	}
	if set.MaxSpread <= 0 {
		set.MaxSpread = DefaultBreakerMaxSpread
	}
	if set.Now == nil {
		set.Now = time.Now
	}
	b := &Breaker{set: set, state: BreakerClosed, waiters: map[string]func(time.Duration){}}
	b.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        set.Name,
		MaxRequests: 1,
		// gobreaker's own open period only has to be shorter than the first probe
		// delay: the probe timer, not gobreaker, decides when the next request goes.
		Timeout: set.ProbeInterval / 4,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= set.Failures
		},
		IsSuccessful: func(err error) bool { return !counts(err) },
		IsExcluded:   func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			b.transition(from, to)
		},
	})
	return b
}

// counts reports whether an attempt's error says the platform is unavailable. Every
// answer the platform gives (a 404, a 409, a 429…) shows it is up.
func counts(err error) bool {
	return err != nil && IsUnavailable(err) && !errors.Is(err, ErrCircuitOpen)
}

// setProbe installs the request a probe sends, once: the first client built with the
// breaker (the PlatformConfig's own) probes for all of them.
func (b *Breaker) setProbe(p func(context.Context) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.probe == nil {
		b.probe = p
	}
}

// State returns the breaker's state.
func (b *Breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}

// allow decides whether an attempt may be sent: a probe always may (gobreaker still
// admits only one at a time), others only while the circuit is closed and, unless they
// already waited out the Retry-After themselves, the credential is not paused. It
// returns the function that reports the attempt's outcome, or the error of a request
// that is not sent.
func (b *Breaker) allow(operation string, probe, waited bool) (func(error), error) {
	b.mu.Lock()
	now := b.set.Now()
	switch {
	case !probe && b.state != BreakerClosed:
		next := b.next
		b.mu.Unlock()
		return nil, b.openError(operation, next)
	case !probe && !waited && now.Before(b.pausedUntil):
		wait := b.pausedUntil.Sub(now)
		b.mu.Unlock()
		return nil, &Error{Kind: KindRateLimited, Operation: operation, RetryAfter: wait,
			Message: fmt.Sprintf("not sent: the platform asked this credential to wait until %s", b.pausedUntil.UTC().Format(time.RFC3339))}
	}
	b.mu.Unlock()
	done, err := b.cb.Allow()
	b.flush()
	if err != nil {
		b.mu.Lock()
		next := b.next
		b.mu.Unlock()
		return nil, b.openError(operation, next)
	}
	return func(err error) {
		done(err)
		b.flush()
	}, nil
}

// pause stops every request of the credential until d has passed (a 429's Retry-After).
func (b *Breaker) pause(d time.Duration) {
	if d <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if until := b.set.Now().Add(d); until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}

func (b *Breaker) openError(operation string, next time.Time) error {
	msg := "not sent: the platform kept failing, so requests are paused until a probe succeeds"
	if b.set.Name != "" {
		msg = fmt.Sprintf("not sent: the platform kept failing, so requests through PlatformConfig %s are paused until a probe succeeds", b.set.Name)
	}
	if !next.IsZero() {
		msg += "; next probe at " + next.UTC().Format(time.RFC3339)
	}
	return &Error{Kind: KindUnavailable, Operation: operation, Message: msg, Err: &circuitOpen{b: b, next: next}}
}

// transition runs inside gobreaker's lock: it only records, flush reports.
func (b *Breaker) transition(from, to gobreaker.State) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	prev := b.state
	switch to {
	case gobreaker.StateOpen:
		if from == gobreaker.StateHalfOpen {
			b.failedProbe++
		} else {
			b.failedProbe = 0
		}
		b.state = BreakerOpen
		b.scheduleLocked()
	case gobreaker.StateHalfOpen:
		b.state = BreakerHalfOpen
	case gobreaker.StateClosed:
		b.state = BreakerClosed
		b.next = time.Time{}
		b.failedProbe = 0
	}
	if prev != b.state {
		b.pending = append(b.pending, transition{from: prev, to: b.state, next: b.next})
	}
}

// scheduleLocked arms the probe timer: ProbeInterval doubled per failed probe, capped,
// drawn from [d/2, d] so the credentials of many clusters do not probe in step.
func (b *Breaker) scheduleLocked() {
	d := b.set.ProbeInterval << min(b.failedProbe, 20)
	if d <= 0 || d > b.set.MaxProbeInterval {
		d = b.set.MaxProbeInterval
	}
	d = d/2 + rand.N(d/2+1)
	b.next = b.set.Now().Add(d)
	if b.timer != nil {
		b.timer.Stop()
	}
	b.timer = time.AfterFunc(d, b.runProbe)
}

// runProbe sends one probe. Its outcome moves gobreaker to closed or back to open
// (which schedules the next probe). A probe that cannot be sent (no prober yet, or a
// caller's request already is the half-open probe) is tried again later.
func (b *Breaker) runProbe() {
	b.mu.Lock()
	if b.stopped || b.state == BreakerClosed {
		b.mu.Unlock()
		return
	}
	probe := b.probe
	b.mu.Unlock()
	if probe == nil {
		// No client installed a probe: close the circuit and let the next request
		// find out.
		done, err := b.cb.Allow()
		if err == nil {
			done(nil)
		}
		b.flush()
		b.rescheduleIfOpen()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	err := probe(withProbe(ctx))
	b.flush()
	if errors.Is(err, ErrCircuitOpen) {
		// The probe could not get the half-open slot.
		b.rescheduleIfOpen()
	}
}

func (b *Breaker) rescheduleIfOpen() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.stopped && b.state == BreakerOpen {
		b.scheduleLocked()
	}
}

// flush reports recorded transitions and, when the circuit closed, wakes the waiters
// spread over a window that grows with their number.
func (b *Breaker) flush() {
	b.mu.Lock()
	pending := b.pending
	b.pending = nil
	var wake map[string]func(time.Duration)
	for _, t := range pending {
		if t.to == BreakerClosed && len(b.waiters) > 0 {
			wake, b.waiters = b.waiters, map[string]func(time.Duration){}
		}
	}
	b.mu.Unlock()
	for _, t := range pending {
		if b.set.OnChange != nil {
			b.set.OnChange(t.from, t.to, t.next)
		}
	}
	if len(wake) > 0 {
		go spreadWake(wake, b.set.MaxSpread)
	}
}

// spreadWake calls every waiter with an even share of the spread window, in random order.
func spreadWake(wake map[string]func(time.Duration), maxSpread time.Duration) {
	spread := min(maxSpread, time.Duration(len(wake))*breakerSpreadPerWaiter)
	step := spread / time.Duration(len(wake))
	i := 0
	for _, fn := range wake { // map order is random
		fn(time.Duration(i) * step)
		i++
	}
}

// whenClosed registers fn to be called once the circuit closes (or the breaker is
// stopped); a later registration under the same key replaces an earlier one. It
// reports false, calling nothing, when the circuit is already closed.
func (b *Breaker) whenClosed(key string, fn func(after time.Duration)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped || b.state == BreakerClosed {
		return false
	}
	b.waiters[key] = fn
	return true
}

// Stop ends the breaker's probes (its credential was replaced or deleted) and wakes
// its waiters at once, so they find the new client.
func (b *Breaker) Stop() {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return
	}
	b.stopped = true
	if b.timer != nil {
		b.timer.Stop()
	}
	wake := b.waiters
	b.waiters = nil
	b.mu.Unlock()
	if len(wake) > 0 {
		go spreadWake(wake, b.set.MaxSpread)
	}
}

// circuitOpen is the cause of a request the breaker did not send.
type circuitOpen struct {
	b    *Breaker
	next time.Time
}

func (e *circuitOpen) Error() string        { return ErrCircuitOpen.Error() }
func (e *circuitOpen) Is(target error) bool { return target == ErrCircuitOpen }

// CircuitOpen reports whether err is a request a credential's breaker did not send
// because the platform kept failing, and when the next probe is (zero if unknown).
func CircuitOpen(err error) (next time.Time, ok bool) {
	var co *circuitOpen
	if !errors.As(err, &co) {
		return time.Time{}, false
	}
	return co.next, true
}

// WhenAvailable arranges for fn to be called once the circuit that refused err closes,
// with a delay that spreads the woken callers; key identifies the caller, so repeated
// refusals register it once. It reports false, and calls nothing, when err is no such
// refusal or the circuit already closed; the caller then retries as it would anyway.
func WhenAvailable(err error, key string, fn func(after time.Duration)) bool {
	var co *circuitOpen
	if !errors.As(err, &co) {
		return false
	}
	return co.b.whenClosed(key, fn)
}

type probeKey struct{}

func withProbe(ctx context.Context) context.Context { return context.WithValue(ctx, probeKey{}, true) }

func isProbe(ctx context.Context) bool { p, _ := ctx.Value(probeKey{}).(bool); return p }
