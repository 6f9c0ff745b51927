package platformsim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

type requestKey struct{}

// requestFrom returns the incoming request (strict handlers only get a context).
func requestFrom(ctx context.Context) *http.Request {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	return r
}

func newRequestID() string { return "req_" + randHex(8) }

// statusRecorder remembers the status for logging.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) chain() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := r.Header.Get("X-Request-Id")
		if rid == "" || len(rid) > 128 {
			rid = newRequestID()
		}
		w.Header().Set("X-Request-Id", rid)
		ctx := context.WithValue(r.Context(), requestIDKey{}, rid)
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		op := s.serve(rec, r)
		s.opts.Logger.Info("request", "method", r.Method, "path", r.URL.Path, "operationId", op,
			"status", rec.status, "duration", time.Since(start).Round(time.Microsecond), "requestId", rid)
	})
}

// serve runs one request and returns its operationId ("" when none matched).
func (s *Server) serve(w http.ResponseWriter, r *http.Request) string {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel panic value
				panic(v)
			}
			writeError(w, r, errf(http.StatusInternalServerError, NameInternal, nil, "internal error: %v", v))
		}
	}()
	if r.URL.Path == "/healthz" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
		return ""
	}
	if r.URL.Path == "/admin" || strings.HasPrefix(r.URL.Path, "/admin/") {
		s.serveAdmin(w, r)
		return ""
	}
	if path.Clean(r.URL.Path) != r.URL.Path {
		writeError(w, r, errf(http.StatusNotFound, NameNotFound, map[string]any{"path": r.URL.Path},
			"no operation at %s %s", r.Method, r.URL.Path))
		return ""
	}
	route, pathParams, err := s.router.FindRoute(r)
	if err != nil {
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			writeError(w, r, errf(http.StatusMethodNotAllowed, NameMethodNotAllo,
				map[string]any{"method": r.Method, "path": r.URL.Path}, "method %s not allowed on %s", r.Method, r.URL.Path))
			return ""
		}
		writeError(w, r, errf(http.StatusNotFound, NameNotFound, map[string]any{"path": r.URL.Path},
			"no operation at %s %s", r.Method, r.URL.Path))
		return ""
	}
	op := route.Operation.OperationID
	s.count(op)

	if d := s.faults.latency(op); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return op
		}
	}
	if secs, limited := s.faults.rateLimited(); limited {
		e := errf(http.StatusTooManyRequests, NameRateLimited, map[string]any{"retryAfterSeconds": secs},
			"rate limit exceeded; retry after %d s", secs)
		e.RetryAfter = secs
		writeError(w, r, e)
		return op
	}

	ctx := context.WithValue(r.Context(), requestKey{}, r)
	if requiresAuth(route) {
		p, aerr := s.auth.authenticate(r, s.store.companyExists)
		if aerr != nil {
			writeError(w, r, aerr)
			return op
		}
		ctx = context.WithValue(ctx, principalKey{}, p)
	}
	if e := s.faults.injectedError(op); e != nil {
		writeError(w, r, e)
		return op
	}
	r = r.WithContext(ctx)
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: pathParams, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		ve := validationError(err)
		if op == "getToken" {
			code := "invalid_request"
			if strings.Contains(err.Error(), "grant_type") {
				code = "unsupported_grant_type"
			}
			ve = tokenError(http.StatusBadRequest, code, ve.Message)
		}
		writeError(w, r, ve)
		return op
	}
	// Handlers fetch the request from the context: keep the validated one (its body
	// was re-buffered by the validator).
	r = r.WithContext(context.WithValue(ctx, requestKey{}, r))

	// The handler answers into a buffer, so the response can be dropped, checked
	// against the contract, or replaced when it is not an Error body.
	buf := &bufferedWriter{header: http.Header{}}
	s.api.ServeHTTP(buf, r)
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	if s.faults.dropResponse(op) {
		dropConnection(w)
		return op
	}
	if buf.status >= 300 && !isJSON(buf.header.Get("Content-Type")) {
		// Only the generated router's own fallbacks get here (the contract router
		// matched first); keep the promise that every error has the Error body.
		writeError(w, r, errf(buf.status, http.StatusText(buf.status), map[string]any{"path": r.URL.Path},
			"%s", strings.TrimSpace(buf.body.String())))
		return op
	}
	if s.opts.ValidateResponses {
		rin := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: buf.status, Header: buf.header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		rin.SetBodyBytes(buf.body.Bytes())
		if err := openapi3filter.ValidateResponse(ctx, rin); err != nil {
			msg := err.Error()
			if i := strings.Index(msg, "\n"); i > 0 {
				msg = msg[:i]
			}
			writeError(w, r, errf(http.StatusInternalServerError, NameInternal, map[string]any{"operationId": op, "contractViolation": true},
				"simulator response violates the contract: %s", msg))
			return op
		}
	}
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(buf.body.Bytes())
	return op
}

func isJSON(ct string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json")
}

// requiresAuth reports whether the operation has a non-empty security requirement.
func requiresAuth(route *routers.Route) bool {
	sec := route.Operation.Security
	if sec == nil {
		sec = &route.Spec.Security
	}
	if sec == nil || len(*sec) == 0 {
		return false
	}
	for _, req := range *sec {
		if len(req) == 0 { // an empty requirement ({}) makes auth optional
			return false
		}
	}
	return true
}

// validationError turns a kin-openapi validation failure into a 400 Error body.
func validationError(err error) *apiError {
	ctx := map[string]any{}
	msg := err.Error()
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		if re.Parameter != nil {
			ctx["parameter"] = re.Parameter.Name
			ctx["in"] = re.Parameter.In
		}
		if re.RequestBody != nil {
			ctx["in"] = "body"
		}
		if re.Reason != "" {
			ctx["reason"] = re.Reason
		}
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		if p := se.JSONPointer(); len(p) > 0 {
			ctx["field"] = strings.Join(p, ".")
		}
		ctx["reason"] = se.Reason
	}
	var sre *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sre) {
		return errf(http.StatusUnauthorized, NameUnauthorized, nil, "unauthorized")
	}
	// The first line is the useful one; schema dumps follow.
	if i := strings.Index(msg, "\n"); i > 0 {
		msg = msg[:i]
	}
	return &apiError{Status: http.StatusBadRequest, Name: NameValidation, Message: "invalid request: " + msg, Context: ctx}
}

// bufferedWriter swallows a response (the dropped-response fault).
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }

// dropConnection closes the client connection without an answer. When the writer
// cannot be hijacked (HTTP/2, recorders) it aborts the handler instead.
func dropConnection(w http.ResponseWriter) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST: the client sees a reset rather than a clean EOF
	}
	_ = brw.Flush()
	_ = conn.Close()
}
