package platform

import "time"

// Recorder receives what the client measures about its requests, so the operator can
// export it as metrics (request counts by outcome, latency, time spent waiting for the
// client-side rate limiter). What it receives is never secret: operation ids, status
// codes and durations. Implementations must be cheap and safe for concurrent use.
type Recorder interface {
	// Request records one HTTP attempt of an operation (retries are attempts of their
	// own): the answer's status code, or CodeTransport when no answer came, and how
	// long the attempt took.
	Request(operation, code string, d time.Duration)
	// Throttled records how long an attempt waited for the client-side rate limiter
	// before it was sent.
	Throttled(operation string, d time.Duration)
}

// CodeTransport is the code a Recorder gets for an attempt that got no answer
// (connection refused or reset, timeout, a dropped response).
const CodeTransport = "transport"

// nopRecorder is the Recorder of a client configured without one.
type nopRecorder struct{}

func (nopRecorder) Request(string, string, time.Duration) {}
func (nopRecorder) Throttled(string, time.Duration)       {}
