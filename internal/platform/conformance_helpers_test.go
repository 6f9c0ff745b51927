package platform_test

// Conformance tests: the real operator client (platform.New) against the real
// simulator (platformsim.Start, response validation on) over HTTP on loopback. They
// prove the client's error, auth, scoping and retry contract end to end; the
// method-by-method happy path is TestOperatorClientAgainstSimulator in
// internal/platformsim.

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
)

const (
	confOrg           = "59cd72485007a239fb00282ed480da1f"
	confToken         = "conf-static-token"
	confClientID      = "conf-client"
	confSecret        = "conf-client-secret-9f8e7d"
	confResellerToken = "conf-reseller-token"
	confManaged       = "managedCo001"
	confUnmanaged     = "otherCo00001"
	confGhostCompany  = "ghostCo00001" // managed by the reseller but unknown to the platform
	confMissingID     = "0123456789abcdef0123456789abcdef"
	confPassword      = "s3cret-Passw0rd!"
)

// simClock is the simulator's clock (Options.Now). Advance moves it by hand; a
// non-zero step moves it on every reading.
type simClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func newSimClock(step time.Duration) *simClock {
	return &simClock{now: time.Now(), step: step}
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// response is one HTTP answer the client received.
type response struct {
	path       string
	status     int
	retryAfter string
	requestID  string
}

// responseLog is the client's transport: it records every answer (API and token).
type responseLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	rs   []response
}

func (l *responseLog) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err == nil {
		l.mu.Lock()
		l.rs = append(l.rs, response{path: req.URL.Path, status: resp.StatusCode,
			retryAfter: resp.Header.Get("Retry-After"), requestID: resp.Header.Get("X-Request-Id")})
		l.mu.Unlock()
	}
	return resp, err
}

func (l *responseLog) all() []response {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]response(nil), l.rs...)
}

func (l *responseLog) last() response {
	rs := l.all()
	if len(rs) == 0 {
		return response{}
	}
	return rs[len(rs)-1]
}

func (l *responseLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rs = nil
}

func (l *responseLog) withStatus(status int) []response {
	var out []response
	for _, r := range l.all() {
		if r.status == status {
			out = append(out, r)
		}
	}
	return out
}

func confOptions() platformsim.Options {
	return platformsim.Options{
		Credentials: []platformsim.Credential{
			{ClientID: confClientID, ClientSecret: confSecret, Tokens: []string{confToken}, Name: "Conformance"},
			{ClientID: "conf-reseller", ClientSecret: "conf-reseller-secret", Tokens: []string{confResellerToken},
				Reseller: true, CompanyIDs: []string{confManaged, confGhostCompany}},
		},
		Companies: []platformsim.Company{
			{ResourceID: confManaged, Name: "Managed"},
			{ResourceID: confUnmanaged, Name: "Other"},
		},
		ValidateResponses: true,
	}
}

func startConfSim(t *testing.T, mutate ...func(*platformsim.Options)) *platformsim.Server {
	t.Helper()
	opts := confOptions()
	for _, m := range mutate {
		m(&opts)
	}
	sim, err := platformsim.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("platformsim.Start: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// newConfClient is a real client with the static token, no client-side rate limit and
// fast retries; mutate adjusts the Config.
func newConfClient(t *testing.T, sim *platformsim.Server, mutate ...func(*platform.Config)) (platform.Client, *responseLog) {
	t.Helper()
	log := &responseLog{next: http.DefaultTransport.(*http.Transport).Clone()}
	cfg := platform.Config{
		BaseURL:           sim.URL(),
		Auth:              platform.Auth{BearerToken: confToken},
		RequestsPerSecond: math.Inf(1),
		Timeout:           10 * time.Second,
		HTTPClient:        &http.Client{Transport: log},
		MaxRetries:        3,
		RetryBackoff:      2 * time.Millisecond,
		MaxRetryBackoff:   10 * time.Millisecond,
		// These tests pin down what one call does (its retries, its error); the
		// breaker, which would open after a few of their injected failures, has tests
		// of its own.
		Breaker: platform.NewBreaker(platform.BreakerSettings{Failures: math.MaxUint32}),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := platform.New(cfg)
	if err != nil {
		t.Fatalf("platform.New: %v", err)
	}
	return c, log
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// platformErr asserts err is a *platform.Error.
func platformErr(t *testing.T, err error) *platform.Error {
	t.Helper()
	var pe *platform.Error
	if !errors.As(err, &pe) {
		t.Fatalf("want a *platform.Error, got %T: %v", err, err)
	}
	return pe
}

// checkErrorBody asserts the seed-002 error body reached the typed error.
func checkErrorBody(t *testing.T, pe *platform.Error, status int, operation string, log *responseLog) {
	t.Helper()
	if pe.StatusCode != status || pe.Operation != operation {
		t.Errorf("status/operation = %d/%q, want %d/%q (%v)", pe.StatusCode, pe.Operation, status, operation, pe)
	}
	if pe.Name == "" || pe.Message == "" || pe.RequestID == "" {
		t.Errorf("error body not surfaced: Name=%q Message=%q RequestID=%q", pe.Name, pe.Message, pe.RequestID)
	}
	if log != nil {
		if last := log.last(); last.status != status || last.requestID != pe.RequestID {
			t.Errorf("last answer %+v; error has RequestID %q, want the answer's X-Request-Id", last, pe.RequestID)
		}
	}
}

func checkCalls(t *testing.T, sim *platformsim.Server, want map[string]int) {
	t.Helper()
	for op, n := range want {
		got := sim.CallCount(op)
		if op == "total" {
			got = sim.Calls()["total"] // CallCount("total") answers 0
		}
		if got != n {
			t.Errorf("CallCount(%s) = %d, want %d (all: %v)", op, got, n, sim.Calls())
		}
	}
}

func enterpriseSnap(t *testing.T, sim *platformsim.Server, id string) platformsim.EnterpriseSnapshot {
	t.Helper()
	for _, e := range sim.State().Enterprises {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("enterprise %s not in the simulator state", id)
	return platformsim.EnterpriseSnapshot{}
}

// enterprisesWithKey lists the enterprises created with an idempotency key.
func enterprisesWithKey(sim *platformsim.Server, key string) []string {
	var ids []string
	for _, e := range sim.State().Enterprises {
		if e.IdempotencyKey == key && e.OrganizationID == confOrg {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

func createEnterprise(t *testing.T, c platform.Client, key string) string {
	t.Helper()
	ec, err := c.CreateEnterprise(context.Background(), platform.EnterpriseCreate{
		OrganizationID: confOrg, AdminEmail: "admin-" + key + "@acme.test", IdempotencyKey: key})
	mustNoErr(t, err)
	return ec.EnterpriseID
}

// fetchToken gets an access token from the simulator's token endpoint directly.
func fetchToken(t *testing.T, sim *platformsim.Server) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {confClientID},
		"client_secret": {confSecret}, "scope": {"API"}}
	resp, err := http.PostForm(sim.URL()+"/connect/token", form)
	mustNoErr(t, err)
	defer func() { _ = resp.Body.Close() }()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token endpoint: HTTP %d", resp.StatusCode)
	}
	mustNoErr(t, json.NewDecoder(resp.Body).Decode(&tok))
	if tok.AccessToken == "" {
		t.Fatal("no access_token")
	}
	return tok.AccessToken
}

func oauth2Auth(secret string) platform.Auth {
	return platform.Auth{OAuth2: &platform.OAuth2{ClientID: confClientID, ClientSecret: secret, Scopes: []string{"API"}}}
}
