package platformsim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
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
