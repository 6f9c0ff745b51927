package platform

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// nowFunc is time.Now, replaceable in tests.
var nowFunc = time.Now

// maxErrorField bounds each string taken from an error body.
const maxErrorField = 512

// redacted replaces a secret found in an error string.
const redacted = "[REDACTED]"

// parsedError is what decodeErrorBody could read from a platform error body.
type parsedError struct {
	ok        bool
	name      string
	message   string
	requestID string
}

// decodeErrorBody reads seed 002's error body {name, context, error, requestId}
// leniently: unknown shapes yield ok=false, never a panic. It also accepts the common
// variants "message", "code" and "request_id".
func decodeErrorBody(body []byte) parsedError {
	var fields map[string]json.RawMessage
	if len(body) == 0 || json.Unmarshal(body, &fields) != nil || fields == nil {
		return parsedError{}
	}
	str := func(keys ...string) string {
		for _, k := range keys {
			raw, found := fields[k]
			if !found {
				continue
			}
			var s string
			if json.Unmarshal(raw, &s) == nil && s != "" {
				return s
			}
			var n json.Number
			if json.Unmarshal(raw, &n) == nil && n != "" {
				return n.String()
			}
		}
		return ""
	}
	p := parsedError{
		name:      str("name", "code"),
		message:   str("error", "message", "error_description"),
		requestID: str("requestId", "request_id"),
	}
	p.ok = p.name != "" || p.message != "" || p.requestID != ""
	return p
}

// clip truncates s to maxErrorField bytes on a rune boundary and drops control
// characters, so a hostile body cannot forge log lines.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= maxErrorField {
		return s
	}
	cut := maxErrorField
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// decodeError maps a non-2xx answer to an *Error: Kind from KindForStatus, Name,
// Message and RequestID from the error body, RetryAfter from the Retry-After header
// for 429. Every secret given (passwords, signing secrets, credentials of the request)
// is replaced in the result, in case the platform echoes it.
func decodeError(op string, status int, header http.Header, body []byte, secrets ...string) *Error {
	e := &Error{Kind: KindForStatus(status), StatusCode: status, Operation: op}
	if p := decodeErrorBody(body); p.ok {
		e.Name, e.Message, e.RequestID = p.name, p.message, p.requestID
	}
	if e.RequestID == "" && header != nil {
		e.RequestID = header.Get("X-Request-Id")
	}
	if e.Kind == KindRateLimited {
		if header != nil {
			e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), nowFunc())
		}
		if e.RetryAfter <= 0 {
			e.RetryAfter = DefaultRateLimitedRetryAfter
		}
	}
	redactError(e, secrets...)
	return e
}

// redactError replaces every non-empty secret in the error's strings, then clips
// them (in this order, so a clip cannot leave half a secret behind).
func redactError(e *Error, secrets ...string) {
	e.Name = clip(redact(e.Name, secrets...))
	e.Message = clip(redact(e.Message, secrets...))
	e.RequestID = clip(redact(e.RequestID, secrets...))
}

func redact(msg string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, redacted)
		}
	}
	return msg
}

// sanitizedError carries a redacted message and keeps the cause for errors.Is/As
// (context.Canceled, net.Error, ...).
type sanitizedError struct {
	msg   string
	cause error
}

func (e *sanitizedError) Error() string { return e.msg }
func (e *sanitizedError) Unwrap() error { return e.cause }

// transportError maps a failure without an HTTP answer to a KindUnavailable *Error,
// or a KindForbiddenAddress one when the dialer refused the address.
// The request URL loses its query string and user info (seed 001's v3 operations
// put secrets there) and every secret given is redacted.
func transportError(op string, err error, secrets ...string) *Error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
		err = &url.Error{Op: ue.Op, URL: stripURL(ue.URL), Err: ue.Err}
	}
	msg := clip(redact(err.Error(), secrets...))
	kind := KindUnavailable
	if errors.Is(cause, ErrForbiddenAddress) {
		kind = KindForbiddenAddress
	}
	return &Error{
		Kind:      kind,
		Operation: op,
		Message:   msg,
		Err:       &sanitizedError{msg: msg, cause: cause},
	}
}

func stripURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<url>"
	}
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	return u.String()
}

// parseRetryAfter reads RFC 9110 Retry-After: delay-seconds or an HTTP-date. It
// returns 0 for a missing or unusable value and caps the delay at one day.
func parseRetryAfter(v string, now time.Time) time.Duration {
	const maxDelay = 24 * time.Hour
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxDelay/time.Second) {
			return maxDelay
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d <= 0 {
			return 0
		}
		return min(d, maxDelay)
	}
	return 0
}
