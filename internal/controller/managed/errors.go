package managed

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
)

// StallingError means the user has to change something (the spec, a Secret, a
// PlatformConfig): the reconciler records why and does not retry on its own.
type StallingError struct {
	Reason  string
	Message string
	// Err is the cause, if any. Message is what people read; Err is for code, which
	// finds the cause with errors.Is and errors.As instead of parsing the message.
	Err error
}

func (e *StallingError) Error() string { return e.Message }

func (e *StallingError) Unwrap() error { return e.Err }

func (e *StallingError) classification() Classification {
	return Classification{Outcome: OutcomeStalling, Reason: e.Reason, Message: e.Message}
}

// Stalling returns a StallingError with a formatted message.
func Stalling(reason, format string, args ...any) error {
	return StallingWrap(reason, nil, format, args...)
}

// StallingWrap returns a StallingError caused by err. The message is format's alone:
// err's text appears in it only where the arguments put it.
func StallingWrap(reason string, err error, format string, args ...any) error {
	return &StallingError{Reason: reason, Message: fmt.Sprintf(format, args...), Err: err}
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

func (e *WaitingError) classification() Classification {
	return Classification{Outcome: OutcomeWaiting, Reason: e.Reason, Message: e.Message, After: e.After}
}

// DefaultWait is how long a dependency wait lasts when nothing else says. Dependencies
// are also watched, so this is only a safety net.
const DefaultWait = 30 * time.Second

// CircuitOpenSafetyNet is when an object refused by an open circuit looks again if
// nothing woke it before.
const CircuitOpenSafetyNet = 5 * time.Minute

// Waiting returns a WaitingError with a formatted message.
func Waiting(reason string, after time.Duration, format string, args ...any) error {
	return WaitingWrap(reason, after, nil, format, args...)
}

// WaitingWrap returns a WaitingError caused by err. The message is format's alone, as
// for StallingWrap.
func WaitingWrap(reason string, after time.Duration, err error, format string, args ...any) error {
	if after <= 0 {
		after = DefaultWait
	}
	return &WaitingError{Reason: reason, Message: fmt.Sprintf(format, args...), After: after, Err: err}
}

// WaitingForDependency says which object this one waits for, in the form
// "waiting for Enterprise acme to exist".
func WaitingForDependency(kind, name, what string) error {
	return Waiting(v1alpha1.ReasonWaitingForDependency, DefaultWait, msgWaitingFor+" %s", kind, name, what)
}

// Messages of dependency waits. A cause follows msgWaitingForReady after ": ".
const (
	msgWaitingFor      = "waiting for %s %s"
	msgWaitingForReady = msgWaitingFor + " to be Ready"
	// waitingHop starts every message built from msgWaitingFor; counting it counts hops.
	waitingHop = "waiting for "
	// msgAdminCause is all a tenant learns of why an admin object is not Ready.
	msgAdminCause = "its Ready condition says %s (cluster admins can read the details in its status)"
)

// maxDependencyHops bounds how many waits one message carries. The kinds form no cycle
// (UserGroup -> EnterpriseUser -> EnterpriseRole -> Enterprise -> PlatformConfig), so
// a chain is at most four hops long; the bound only keeps a future cycle from growing
// a message wait by wait.
const maxDependencyHops = 4

// WaitingForReady says which dependency this object waits for to be Ready and, when
// the dependency said why it is not (see NotReadyCause, AdminNotReadyCause), why:
// "waiting for Enterprise acme to be Ready: waiting for PlatformConfig demo to be
// Ready: ...". A dependency that waits in turn already names its own root cause in
// its message, so one read per hop carries the root cause to the end of the chain.
func WaitingForReady(kind, name, cause string) error {
	return Waiting(v1alpha1.ReasonWaitingForDependency, DefaultWait, "%s", waitingForReadyMessage(kind, name, cause))
}

func waitingForReadyMessage(kind, name, cause string) string {
	msg := fmt.Sprintf(msgWaitingForReady, kind, name)
	if cause == "" || strings.Count(cause, waitingHop) >= maxDependencyHops {
		return msg
	}
	return msg + ": " + cause
}

// NotReadyCause is why a dependency in the waiting object's own namespace is not
// Ready: its Ready message, which the waiting object's owner may read anyway. It is ""
// while the dependency has not said (no Ready condition yet) or is Ready. Only call it
// for objects of the same namespace: another namespace's conditions are another
// tenant's business.
func NotReadyCause(conds []metav1.Condition) string {
	c := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
	if c == nil || c.Status == metav1.ConditionTrue {
		return ""
	}
	return c.Message
}

// AdminNotReadyCause is why an admin object (a PlatformConfig, shared by tenants) is
// not Ready, as far as a tenant may learn it: the reason only, a fixed word. Its
// message is for admins: it names credential Secrets, and while it is deleted, the
// Enterprises of every tenant still using it.
func AdminNotReadyCause(conds []metav1.Condition) string {
	c := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
	if c == nil || c.Status == metav1.ConditionTrue || c.Reason == "" {
		return ""
	}
	return fmt.Sprintf(msgAdminCause, c.Reason)
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

// classified is an error that names its own place in the taxonomy: a StallingError or
// a WaitingError. The outermost one decides, because one may wrap another: a wait that
// looks once more before stalling wraps the stall it puts off, and must wait.
type classified interface {
	error
	classification() Classification
}

// Classify sorts an error. Platform answers that need a spec change (400/422, 403,
// 409 that adoption could not resolve) and connections refused because they would
// reach a link-local or cloud metadata address stall; 429 waits as long as the platform said;
// 401, 5xx and transport errors are generic and back off; a request a credential's open
// circuit did not send waits for the breaker to wake it.
func Classify(err error) Classification {
	var own classified
	if errors.As(err, &own) {
		return own.classification()
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

// DeferredError says the object cannot be observed yet because another reconcile is
// reading what it needs (its enterprise's list); OnDone registers a function to run
// when that read ends. The object is requeued then, without a status write and without
// holding a worker meanwhile.
type DeferredError struct {
	OnDone func(func())
}

func (e *DeferredError) Error() string { return "waiting for a read in flight" }
