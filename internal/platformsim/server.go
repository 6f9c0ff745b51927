package platformsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Server is a running simulator.
type Server struct {
	opts     Options
	store    *store
	auth     *auth
	faults   *faultState
	dns      *DNSServer // the embedded DNS server; nil when Options.DNSAddr is set
	resolver *net.Resolver
	webhooks *http.Client

	spec    *openapi3.T
	router  routers.Router
	api     http.Handler // the generated strict handler over this server
	handler http.Handler // the whole chain

	callsMu sync.Mutex
	calls   map[string]int

	ln      net.Listener
	httpSrv *http.Server
	done    chan struct{}
	closeMu sync.Once
	errc    chan error
}

// Start starts a simulator listening on Options.Addr and, unless Options.DNSAddr is
// set, an embedded DNS server. It stops when ctx is done or Close is called.
func Start(ctx context.Context, opts Options) (*Server, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		s.closeDNS()
		return nil, fmt.Errorf("platformsim: listen %s: %w", s.opts.Addr, err)
	}
	s.ln = ln
	s.httpSrv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.errc = make(chan error, 1)
	go func() {
		err := s.httpSrv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.errc <- err
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// New builds a simulator without listening (serve Handler yourself, e.g. with
// httptest). It still starts the embedded DNS server unless Options.DNSAddr is set;
// call Close to stop it.
func New(opts Options) (*Server, error) {
	opts.setDefaults()
	s := &Server{
		opts:   opts,
		store:  newStore(opts.Now, opts.Seed),
		auth:   newAuth(opts.TokenSigningKey, opts.TokenTTL, opts.Now),
		faults: newFaultState(opts.Seed, opts.Now),
		calls:  map[string]int{},
		done:   make(chan struct{}),
	}
	for _, c := range opts.Credentials {
		s.auth.add(c)
	}
	for _, c := range opts.Companies {
		s.store.addCompany(c)
	}
	if err := s.faults.set(opts.Faults); err != nil {
		return nil, fmt.Errorf("platformsim: faults: %w", err)
	}
	spec, err := loadSpec(opts.SpecPath)
	if err != nil {
		return nil, err
	}
	s.spec = spec
	if s.router, err = gorillamux.NewRouter(spec); err != nil {
		return nil, fmt.Errorf("platformsim: router: %w", err)
	}
	s.webhooks = opts.WebhookClient
	if s.webhooks == nil {
		s.webhooks = &http.Client{Timeout: opts.WebhookTimeout}
	}
	if s.api, err = newAPIHandler(s); err != nil {
		return nil, err
	}
	dnsAddr := opts.DNSAddr
	if dnsAddr == "" {
		d, err := StartDNSServer(opts.EmbeddedDNSAddr)
		if err != nil {
			return nil, err
		}
		s.dns = d
		dnsAddr = d.Addr()
	}
	s.resolver = newResolver(dnsAddr)
	s.handler = s.chain()
	return s, nil
}

// loadSpec reads the contract (from path, or the generated package's embedded spec)
// and clears its servers so routing matches on the path only.
func loadSpec(path string) (*openapi3.T, error) {
	var (
		spec *openapi3.T
		err  error
	)
	if path != "" {
		loader := openapi3.NewLoader()
		spec, err = loader.LoadFromFile(path)
	} else {
		spec, err = embeddedSpec()
	}
	if err != nil {
		return nil, fmt.Errorf("platformsim: load contract: %w", err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("platformsim: contract invalid: %w", err)
	}
	spec.Servers = nil
	// oapi-codegen's embedded copy capitalizes operationIds; calls are counted under
	// the contract's own (lowerCamel) ids.
	for _, item := range spec.Paths.Map() {
		for _, op := range item.Operations() {
			op.OperationID = lowerFirst(op.OperationID)
		}
	}
	return spec, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// URL is the base URL of the simulator ("http://127.0.0.1:port").
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Handler is the simulator's whole HTTP handler (API, token endpoint, admin).
func (s *Server) Handler() http.Handler { return s.handler }

// DNS is the embedded DNS server (nil when Options.DNSAddr points elsewhere).
func (s *Server) DNS() *DNSServer { return s.dns }

// Close stops the HTTP server and the embedded DNS server.
func (s *Server) Close() error {
	var err error
	s.closeMu.Do(func() {
		close(s.done)
		if s.httpSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if e := s.httpSrv.Shutdown(ctx); e != nil {
				err = errors.Join(err, s.httpSrv.Close())
			}
			err = errors.Join(err, <-s.errc)
		}
		s.closeDNS()
	})
	return err
}

func (s *Server) closeDNS() {
	if s.dns != nil {
		_ = s.dns.Close()
	}
}

// ---- request chain ----

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

// ---- call counting ----

func (s *Server) count(op string) {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	s.calls[op]++
}

// Calls returns how many requests matched each operationId since the start or the
// last ResetCalls (every attempt counts, including ones answered by auth errors,
// validation errors or injected faults). The key "total" holds the sum.
func (s *Server) Calls() map[string]int {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	out := maps.Clone(s.calls)
	total := 0
	for _, n := range s.calls {
		total += n
	}
	out["total"] = total
	return out
}

// CallCount returns the count of one operationId ("total": all of them).
func (s *Server) CallCount(op string) int {
	if op == "total" {
		return s.Calls()["total"]
	}
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	return s.calls[op]
}

// ResetCalls zeroes every call count.
func (s *Server) ResetCalls() {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	s.calls = map[string]int{}
}
