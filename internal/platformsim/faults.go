package platformsim

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// AllOperations is the key that applies a per-operation fault to every operation.
const AllOperations = "*"

// Duration is a time.Duration that reads and writes JSON as "250ms" (a number is
// taken as milliseconds).
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "250ms", "1s" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("duration must be a string like \"250ms\" or milliseconds: %w", err)
	}
	*d = Duration(ms * float64(time.Millisecond))
	return nil
}

// Faults describes the faults the simulator injects. Per-operation maps are keyed by
// operationId; the key "*" applies to every operation. Admin, token and unmatched
// requests are never faulted, except that RateLimit and Latency also apply to
// /connect/token.
type Faults struct {
	// Latency delays every API request.
	Latency Duration `json:"latency,omitempty"`
	// OperationLatency delays requests of one operation (added to Latency).
	OperationLatency map[string]Duration `json:"operationLatency,omitempty"`
	// ErrorRate fails this fraction (0..1) of an operation's requests, before any
	// state change, with ErrorStatus.
	ErrorRate map[string]float64 `json:"errorRate,omitempty"`
	// FailNext fails the next N requests of an operation, before any state change.
	FailNext map[string]int `json:"failNext,omitempty"`
	// RejectNext answers the next N requests of an operation with 400 ValidationError,
	// before any state change: a platform refusing a request that passed the contract
	// (tests use it to check that such refusals stop retries).
	RejectNext map[string]int `json:"rejectNext,omitempty"`
	// ErrorStatus is the status of injected errors: 500 or 503; 0 picks either at random.
	ErrorStatus int `json:"errorStatus,omitempty"`
	// RateLimit is a server-side token bucket in requests per second over all API
	// requests; 0 disables it. Excess requests get 429 with Retry-After (seconds).
	RateLimit float64 `json:"rateLimit,omitempty"`
	// RateBurst is the bucket size; default max(1, ceil(RateLimit)).
	RateBurst int `json:"rateBurst,omitempty"`
	// DropResponse commits the next N requests of an operation and then closes the
	// connection without answering (the client sees a transport error).
	DropResponse map[string]int `json:"dropResponse,omitempty"`
}

func (f Faults) clone() Faults {
	f.OperationLatency = maps.Clone(f.OperationLatency)
	f.ErrorRate = maps.Clone(f.ErrorRate)
	f.FailNext = maps.Clone(f.FailNext)
	f.RejectNext = maps.Clone(f.RejectNext)
	f.DropResponse = maps.Clone(f.DropResponse)
	return f
}

func (f Faults) validate() error {
	if f.ErrorStatus != 0 && f.ErrorStatus != 500 && f.ErrorStatus != 503 {
		return fmt.Errorf("errorStatus must be 500, 503 or 0")
	}
	for op, r := range f.ErrorRate {
		if r < 0 || r > 1 || math.IsNaN(r) {
			return fmt.Errorf("errorRate[%s] must be within 0..1", op)
		}
	}
	if f.RateLimit < 0 || math.IsNaN(f.RateLimit) || math.IsInf(f.RateLimit, 0) {
		return fmt.Errorf("rateLimit must be >= 0")
	}
	if f.Latency < 0 {
		return fmt.Errorf("latency must be >= 0")
	}
	for op, d := range f.OperationLatency {
		if d < 0 {
			return fmt.Errorf("operationLatency[%s] must be >= 0", op)
		}
	}
	return nil
}

// faultState is the live fault configuration with its counters and limiter.
type faultState struct {
	mu      sync.Mutex
	f       Faults
	limiter *rate.Limiter
	rnd     *mrand.Rand
	now     func() time.Time
	// injected counts the faults that fired (errors, rejections, 429s and dropped
	// responses), so a test can tell that its faults were exercised.
	injected int
}

func newFaultState(seed int64, now func() time.Time) *faultState {
	var src mrand.Source
	if seed != 0 {
		src = mrand.NewPCG(uint64(seed), 0x5bd1e995) //nolint:gosec // a seed's bits, not a quantity
	} else {
		src = mrand.NewPCG(mrand.Uint64(), mrand.Uint64())
	}
	return &faultState{rnd: mrand.New(src), now: now}
}

func (fs *faultState) set(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.f = f.clone()
	fs.limiter = nil
	if f.RateLimit > 0 {
		burst := f.RateBurst
		if burst <= 0 {
			burst = max(1, int(math.Ceil(f.RateLimit)))
		}
		fs.limiter = rate.NewLimiter(rate.Limit(f.RateLimit), burst)
	}
	return nil
}

func (fs *faultState) get() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f.clone()
}

// latency is the delay for one request of op.
func (fs *faultState) latency(op string) time.Duration {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d := time.Duration(fs.f.Latency)
	if v, ok := fs.f.OperationLatency[op]; ok {
		d += time.Duration(v)
	} else if v, ok := fs.f.OperationLatency[AllOperations]; ok {
		d += time.Duration(v)
	}
	return d
}

// rateLimited reports whether the request exceeds the token bucket and, if so, the
// Retry-After in whole seconds (at least 1).
func (fs *faultState) rateLimited() (int, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.limiter == nil {
		return 0, false
	}
	now := fs.now()
	if fs.limiter.AllowN(now, 1) {
		return 0, false
	}
	fs.injected++
	r := fs.limiter.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	secs := int(math.Ceil(wait.Seconds()))
	return max(1, secs), true
}

// takeCount decrements m[op] (or m["*"]) when positive.
func takeCount(m map[string]int, op string) bool {
	for _, k := range []string{op, AllOperations} {
		if n := m[k]; n > 0 {
			m[k] = n - 1
			if m[k] == 0 {
				delete(m, k)
			}
			return true
		}
	}
	return false
}

// injectedError returns the error to answer instead of running op, if any.
func (fs *faultState) injectedError(op string) *apiError {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if takeCount(fs.f.RejectNext, op) {
		fs.injected++
		return errf(http.StatusBadRequest, NameValidation, map[string]any{"operationId": op, "injected": true},
			"injected rejection: the platform refuses this %s request", op)
	}
	fail := takeCount(fs.f.FailNext, op)
	if !fail {
		r, ok := fs.f.ErrorRate[op]
		if !ok {
			r = fs.f.ErrorRate[AllOperations]
		}
		fail = r > 0 && fs.rnd.Float64() < r
	}
	if !fail {
		return nil
	}
	fs.injected++
	status := fs.f.ErrorStatus
	if status == 0 {
		status = []int{500, 503}[fs.rnd.IntN(2)]
	}
	name := NameInternal
	if status == http.StatusServiceUnavailable {
		name = NameUnavailable
	}
	return errf(status, name, map[string]any{"operationId": op, "injected": true},
		"injected fault: %s failed", op)
}

// dropResponse reports whether op's response must be dropped (after commit).
func (fs *faultState) dropResponse(op string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if !takeCount(fs.f.DropResponse, op) {
		return false
	}
	fs.injected++
	return true
}

// injectedCount is how many faults fired since the simulator started.
func (fs *faultState) injectedCount() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.injected
}

// ParseOpFloats parses "op=0.1,other=0.5" (flag syntax) into a map.
func ParseOpFloats(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want operationId=value", kv)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", kv, err)
		}
		out[strings.TrimSpace(k)] = f
	}
	return out, nil
}
