package platform

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrorKind classifies a platform failure the way controllers need to react to it.
type ErrorKind string

const (
	// KindNotFound: the object does not exist (404).
	KindNotFound ErrorKind = "NotFound"
	// KindConflict: the object already exists or conflicts (409).
	KindConflict ErrorKind = "Conflict"
	// KindInvalid: the request needs a spec change (400, 422, other 4xx).
	KindInvalid ErrorKind = "Invalid"
	// KindUnauthorized: the credentials were refused (401).
	KindUnauthorized ErrorKind = "Unauthorized"
	// KindForbidden: the credentials may not do this, e.g. an unmanaged company (403).
	KindForbidden ErrorKind = "Forbidden"
	// KindRateLimited: the platform answered 429; RetryAfter says how long to wait.
	KindRateLimited ErrorKind = "RateLimited"
	// KindUnavailable: the platform failed (5xx) or could not be reached.
	KindUnavailable ErrorKind = "Unavailable"
	// KindForbiddenAddress: the client refused to connect because the address is
	// link-local or a cloud metadata service (ErrForbiddenAddress). Retrying cannot
	// help; the PlatformConfig's URL (or what its host resolves or redirects to) has to
	// change.
	KindForbiddenAddress ErrorKind = "ForbiddenAddress"
)

// Error is every error the Client returns. It carries the platform's error body
// (seed 002: name, error, requestId) but never request headers or bodies, so it cannot
// leak a credential or a password.
type Error struct {
	Kind       ErrorKind
	StatusCode int
	// Operation is the contract's operationId.
	Operation string
	// Name is the platform's error code, Message its human-readable error.
	Name      string
	Message   string
	RequestID string
	// RetryAfter is set for KindRateLimited.
	RetryAfter time.Duration
	// Err is the transport error for KindUnavailable without a response.
	Err error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	s := fmt.Sprintf("platform %s", e.Operation)
	if e.StatusCode != 0 {
		s += fmt.Sprintf(": HTTP %d", e.StatusCode)
	}
	if e.Name != "" {
		s += " " + e.Name
	}
	s += ": " + msg
	if e.RequestID != "" {
		s += " (requestId " + e.RequestID + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindForStatus maps an HTTP status to an ErrorKind.
func KindForStatus(status int) ErrorKind {
	switch {
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusConflict:
		return KindConflict
	case status == http.StatusUnauthorized:
		return KindUnauthorized
	case status == http.StatusForbidden:
		return KindForbidden
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status >= 500 || status == http.StatusRequestTimeout:
		return KindUnavailable
	default:
		return KindInvalid
	}
}

func kindOf(err error) (ErrorKind, *Error) {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind, pe
	}
	return "", nil
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool { k, _ := kindOf(err); return k == KindNotFound }

// IsConflict reports a 409.
func IsConflict(err error) bool { k, _ := kindOf(err); return k == KindConflict }

// IsInvalid reports an answer that needs a spec change.
func IsInvalid(err error) bool { k, _ := kindOf(err); return k == KindInvalid }

// IsUnauthorized reports refused credentials.
func IsUnauthorized(err error) bool { k, _ := kindOf(err); return k == KindUnauthorized }

// IsForbidden reports a 403.
func IsForbidden(err error) bool { k, _ := kindOf(err); return k == KindForbidden }

// IsUnavailable reports a 5xx or a transport failure.
func IsUnavailable(err error) bool { k, _ := kindOf(err); return k == KindUnavailable }

// IsForbiddenAddress reports a connection refused because of where it would go: a
// link-local or cloud metadata address.
func IsForbiddenAddress(err error) bool { k, _ := kindOf(err); return k == KindForbiddenAddress }

// IsRateLimited reports a 429 and how long the platform asked to wait.
func IsRateLimited(err error) (time.Duration, bool) {
	k, pe := kindOf(err)
	if k != KindRateLimited {
		return 0, false
	}
	return pe.RetryAfter, true
}
