package managed

import (
	"errors"
	"fmt"
	"time"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
)

// StallingError means the user has to change something (the spec, a Secret, a
// PlatformConfig): the reconciler records why and does not retry on its own.
type StallingError struct {
	Reason  string
	Message string
}

func (e *StallingError) Error() string { return e.Message }

// Stalling returns a StallingError with a formatted message.
func Stalling(reason, format string, args ...any) error {
	return &StallingError{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// WaitingError means something outside this object has to happen first (a dependency
// becoming Ready, a rate limit window passing): the reconciler records why and
// requeues after the given duration, without counting it as a failure.
type WaitingError struct {
	Reason  string
	Message string
	After   time.Duration
	// Err is the cause, if any: a waiter for an open circuit is found through it.
	Err error
}

func (e *WaitingError) Error() string { return e.Message }

func (e *WaitingError) Unwrap() error { return e.Err }

// DefaultWait is how long a dependency wait lasts when nothing else says. Dependencies
// are also watched, so this is only a safety net.
const DefaultWait = 30 * time.Second

// CircuitOpenSafetyNet is when an object refused by an open circuit looks again if
// nothing woke it before.
const CircuitOpenSafetyNet = 5 * time.Minute

// Waiting returns a WaitingError with a formatted message.
func Waiting(reason string, after time.Duration, format string, args ...any) error {
	if after <= 0 {
		after = DefaultWait
	}
	return &WaitingError{Reason: reason, Message: fmt.Sprintf(format, args...), After: after}
}

// WaitingForDependency says which object this one waits for, in the form
// "waiting for Enterprise acme to be Ready".
func WaitingForDependency(kind, name, what string) error {
	return Waiting(v1alpha1.ReasonWaitingForDependency, DefaultWait, "waiting for %s %s %s", kind, name, what)
}

// Outcome is what the reconciler does with an error.
type Outcome int

const (
	// OutcomeGeneric: return the error; controller-runtime retries with exponential backoff.
	OutcomeGeneric Outcome = iota
	// OutcomeStalling: record the reason and stop until something changes.
	OutcomeStalling
	// OutcomeWaiting: record the reason and requeue after a delay.
	OutcomeWaiting
)

// Classification is an error sorted into the taxonomy, with the condition reason and
// message to record.
type Classification struct {
	Outcome Outcome
	Reason  string
	Message string
	After   time.Duration
}

// Classify sorts an error. Platform answers that need a spec change (400/422, 403,
// 409 that adoption could not resolve) and connections refused because they would
// reach a link-local or cloud metadata address stall; 429 waits as long as the platform said;
// 401, 5xx and transport errors are generic and back off.
func Classify(err error) Classification {
	var stall *StallingError
	var wait *WaitingError
	switch {
	case errors.As(err, &stall):
		return Classification{Outcome: OutcomeStalling, Reason: stall.Reason, Message: stall.Message}
	case errors.As(err, &wait):
		return Classification{Outcome: OutcomeWaiting, Reason: wait.Reason, Message: wait.Message, After: wait.After}
	}
	if _, ok := platform.CircuitOpen(err); ok {
		// Nothing was sent: the credential's breaker is open. The breaker wakes the
		// object when it closes; After is only the safety net.
		return Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonPlatformUnavailable,
			Message: err.Error(), After: CircuitOpenSafetyNet}
	}
	if after, ok := platform.IsRateLimited(err); ok {
		if after <= 0 {
			after = 5 * time.Second
		}
		return Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonRateLimited,
			Message: err.Error(), After: after}
	}
	switch {
	case platform.IsInvalid(err), platform.IsConflict(err):
		return Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonInvalidSpec, Message: err.Error()}
	case platform.IsForbidden(err):
		return Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonForbidden, Message: err.Error()}
	case platform.IsForbiddenAddress(err):
		// Reaching the platform would mean connecting to a link-local or cloud metadata
		// address: retrying cannot help, the URL (or its DNS) has to change.
		return Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonForbiddenAddress, Message: err.Error()}
	case platform.IsUnauthorized(err):
		return Classification{Outcome: OutcomeGeneric, Reason: v1alpha1.ReasonUnauthorized, Message: err.Error()}
	case platform.IsUnavailable(err):
		return Classification{Outcome: OutcomeGeneric, Reason: v1alpha1.ReasonPlatformUnavailable, Message: err.Error()}
	}
	return Classification{Outcome: OutcomeGeneric, Reason: v1alpha1.ReasonReconcileError, Message: err.Error()}
}
