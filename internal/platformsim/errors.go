package platformsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Error names (the Error body's "name"), one per way a request can fail.
const (
	NameValidation    = "ValidationError"
	NameUnauthorized  = "Unauthorized"
	NameForbidden     = "Forbidden"
	NameNotFound      = "NotFound"
	NameConflict      = "Conflict"
	NameRateLimited   = "TooManyRequests"
	NameInternal      = "InternalError"
	NameUnavailable   = "ServiceUnavailable"
	NameMethodNotAllo = "MethodNotAllowed"
)

// ErrorBody is the platform's error body (seed 002), used for every non-2xx answer.
type ErrorBody struct {
	Name      string         `json:"name,omitempty"`
	Context   map[string]any `json:"context"`
	Error     string         `json:"error"`
	RequestID string         `json:"requestId"`
}

// apiError is what state methods and handlers return for a non-2xx answer.
type apiError struct {
	Status     int
	Name       string
	Message    string
	Context    map[string]any
	RetryAfter int // seconds, for 429
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Name, e.Message) }

func errf(status int, name string, ctx map[string]any, format string, args ...any) *apiError {
	return &apiError{Status: status, Name: name, Message: fmt.Sprintf(format, args...), Context: ctx}
}

func errNotFound(kind, id string) *apiError {
	return errf(http.StatusNotFound, NameNotFound, map[string]any{"kind": kind, "id": id}, "%s %q not found", kind, id)
}

func errConflict(kind, field, value string) *apiError {
	return errf(http.StatusConflict, NameConflict, map[string]any{"kind": kind, "field": field, "value": value},
		"a %s with %s %q already exists", kind, field, value)
}

func errInvalid(field, format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, NameValidation, map[string]any{"field": field}, format, args...)
}

type requestIDKey struct{}

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// writeError writes err as the Error body. Errors that are not *apiError become 500.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = errf(http.StatusInternalServerError, NameInternal, nil, "internal error: %v", err)
	}
	ctx := ae.Context
	if ctx == nil {
		ctx = map[string]any{}
	}
	body := ErrorBody{Name: ae.Name, Context: ctx, Error: ae.Message, RequestID: requestIDFrom(r.Context())}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if ae.Status == http.StatusTooManyRequests && ae.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	if ae.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="platform-sim"`)
	}
	w.WriteHeader(ae.Status)
	_ = json.NewEncoder(w).Encode(body)
}
