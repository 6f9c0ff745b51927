package controller

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"enterprise-operator/internal/platform"
)

// Metrics of the operator's calls to the platform, served with controller-runtime's on
// the manager's metrics endpoint. They are labelled by PlatformConfig (one credential,
// one request budget) and operationId, never by object, so their cardinality stays
// bounded by the contract's operations however many objects there are.
var (
	platformRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "enterprise_operator_platform_requests_total",
		Help: "HTTP requests to the platform, by PlatformConfig, operationId and status code (\"transport\" when no answer came). Retries count as requests.",
	}, []string{"platformconfig", "operation", "code"})
	platformRequestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "enterprise_operator_platform_request_duration_seconds",
		Help:    "Duration of HTTP requests to the platform, by PlatformConfig and operationId.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 14), // 5ms … ~41s
	}, []string{"platformconfig", "operation"})
	platformThrottled = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "enterprise_operator_platform_rate_limiter_wait_seconds",
		Help:    "Time requests waited for the PlatformConfig's client-side rate limit (spec.rateLimit) before being sent.",
		Buckets: prometheus.ExponentialBuckets(0.001, 4, 10), // 1ms … ~262s
	}, []string{"platformconfig"})

	platformCircuitState = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "enterprise_operator_platform_circuit_state",
		Help: "State of the PlatformConfig's circuit breaker: 0 closed (requests are sent), 1 half-open (one probe is on its way), 2 open (no request is sent until a probe succeeds).",
	}, []string{"platformconfig"})
	platformCircuitTransitions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "enterprise_operator_platform_circuit_transitions_total",
		Help: "Transitions of the PlatformConfig's circuit breaker, by the state it left and the state it entered.",
	}, []string{"platformconfig", "from", "to"})
)

func init() {
	metrics.Registry.MustRegister(platformRequests, platformRequestDuration, platformThrottled,
		platformCircuitState, platformCircuitTransitions)
}

// circuitStateValue is the gauge value of each breaker state.
var circuitStateValue = map[platform.BreakerState]float64{
	platform.BreakerClosed: 0, platform.BreakerHalfOpen: 1, platform.BreakerOpen: 2,
}

// recordCircuit records one transition of a PlatformConfig's breaker.
func recordCircuit(platformConfig string, from, to platform.BreakerState) {
	platformCircuitState.WithLabelValues(platformConfig).Set(circuitStateValue[to])
	platformCircuitTransitions.WithLabelValues(platformConfig, string(from), string(to)).Inc()
}

// configRecorder records one PlatformConfig's requests.
type configRecorder struct{ platformConfig string }

var _ platform.Recorder = configRecorder{}

func (r configRecorder) Request(operation, code string, d time.Duration) {
	platformRequests.WithLabelValues(r.platformConfig, operation, code).Inc()
	platformRequestDuration.WithLabelValues(r.platformConfig, operation).Observe(d.Seconds())
}

func (r configRecorder) Throttled(_ string, d time.Duration) {
	platformThrottled.WithLabelValues(r.platformConfig).Observe(d.Seconds())
}

// forgetMetrics drops a deleted PlatformConfig's series, so they do not linger.
func forgetMetrics(platformConfig string) {
	l := prometheus.Labels{"platformconfig": platformConfig}
	platformRequests.DeletePartialMatch(l)
	platformRequestDuration.DeletePartialMatch(l)
	platformThrottled.DeletePartialMatch(l)
	platformCircuitState.DeletePartialMatch(l)
	platformCircuitTransitions.DeletePartialMatch(l)
}
