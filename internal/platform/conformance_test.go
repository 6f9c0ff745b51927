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
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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

// TestConformanceUnauthorized: refused credentials are a typed 401 carrying the
// platform's error body, never retried (beyond the one token refresh for OAuth2).
func TestConformanceUnauthorized(t *testing.T) {
	tests := []struct {
		name string
		// step advances the simulator's clock on every reading (0: a fixed clock).
		step time.Duration
		// auth builds the credential; clock is the simulator's clock.
		auth      func(t *testing.T, sim *platformsim.Server, clock *simClock) platform.Auth
		wantOp    string
		wantCalls map[string]int
		// maxTokenCalls bounds getToken when wantCalls does not pin it.
		maxTokenCalls int
		secret        string // must not appear in the error
	}{
		{
			name: "bad static token",
			auth: func(*testing.T, *platformsim.Server, *simClock) platform.Auth {
				return platform.Auth{BearerToken: "not-a-valid-token"}
			},
			wantOp:    "getCurrentUser",
			wantCalls: map[string]int{"getCurrentUser": 1, "getToken": 0},
			secret:    "not-a-valid-token",
		},
		{
			name: "expired issued token used as a static token",
			auth: func(t *testing.T, sim *platformsim.Server, clock *simClock) platform.Auth {
				tok := fetchToken(t, sim)
				clock.Advance(2 * time.Hour) // TTL is 1h
				sim.ResetCalls()
				return platform.Auth{BearerToken: tok}
			},
			wantOp:    "getCurrentUser",
			wantCalls: map[string]int{"getCurrentUser": 1, "getToken": 0},
		},
		{
			name:   "wrong client secret at the token endpoint",
			auth:   func(*testing.T, *platformsim.Server, *simClock) platform.Auth { return oauth2Auth("wrong-secret-123") },
			wantOp: "getToken",
			// x/oauth2's AuthStyleAutoDetect tries client_secret_basic, then the form
			// body, so a refused secret costs two token requests; the API is never
			// called.
			wantCalls:     map[string]int{"getCurrentUser": 0},
			maxTokenCalls: 2,
			secret:        "wrong-secret-123",
		},
		{
			// Every token the simulator issues is already expired when it is used: the
			// client refreshes once after the 401 and then reports it.
			name:      "OAuth2 token expired on every use: one refresh, then 401",
			step:      2 * time.Hour,
			auth:      func(*testing.T, *platformsim.Server, *simClock) platform.Auth { return oauth2Auth(confSecret) },
			wantOp:    "getCurrentUser",
			wantCalls: map[string]int{"getToken": 2, "getCurrentUser": 2},
			secret:    confSecret,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newSimClock(0)
			sim := startConfSim(t, func(o *platformsim.Options) {
				o.Now = clock.Now
				o.TokenTTL = time.Hour
			})
			auth := tt.auth(t, sim, clock)
			clock.mu.Lock()
			clock.step = tt.step
			clock.mu.Unlock()
			c, log := newConfClient(t, sim, func(cfg *platform.Config) { cfg.Auth = auth })

			_, err := c.WhoAmI(context.Background())
			if !platform.IsUnauthorized(err) {
				t.Fatalf("want IsUnauthorized, got %v", err)
			}
			pe := platformErr(t, err)
			checkErrorBody(t, pe, http.StatusUnauthorized, tt.wantOp, log)
			checkCalls(t, sim, tt.wantCalls)
			if tt.maxTokenCalls > 0 {
				if n := sim.CallCount("getToken"); n < 1 || n > tt.maxTokenCalls {
					t.Errorf("CallCount(getToken) = %d, want 1..%d", n, tt.maxTokenCalls)
				}
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error leaks the credential: %v", err)
			}
		})
	}
}

// TestConformanceTokenRefresh: a cached OAuth2 token the platform considers expired is
// dropped after the 401 and fetched again, transparently, for reads and for
// non-idempotent creates alike (a 401 means the request was not processed).
func TestConformanceTokenRefresh(t *testing.T) {
	clock := newSimClock(0)
	sim := startConfSim(t, func(o *platformsim.Options) {
		o.Now = clock.Now
		o.TokenTTL = time.Hour
	})
	c, log := newConfClient(t, sim, func(cfg *platform.Config) { cfg.Auth = oauth2Auth(confSecret) })
	ctx := context.Background()

	ent := createEnterprise(t, c, "refresh-1")
	_, err := c.WhoAmI(ctx)
	mustNoErr(t, err)
	checkCalls(t, sim, map[string]int{"getToken": 1}) // cached across calls

	steps := []struct {
		name string
		call func() error
		op   string
		// check runs after the call succeeded.
		check func(t *testing.T)
	}{
		{
			name: "read",
			call: func() error { _, err := c.WhoAmI(ctx); return err },
			op:   "getCurrentUser",
		},
		{
			name: "non-idempotent create",
			call: func() error {
				_, err := c.CreateRole(ctx, ent, platform.RoleSpec{Name: "after-refresh", Permissions: []string{"read"}})
				return err
			},
			op: "createEnterpriseRole",
			check: func(t *testing.T) {
				if roles := enterpriseSnap(t, sim, ent).Roles; len(roles) != 1 {
					t.Errorf("want exactly one role after the refreshed create, got %+v", roles)
				}
			},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			sim.ResetCalls()
			log.reset()
			clock.Advance(2 * time.Hour) // the cached token is now expired on the platform
			if err := st.call(); err != nil {
				t.Fatalf("call after token expiry: %v", err)
			}
			checkCalls(t, sim, map[string]int{"getToken": 1, st.op: 2})
			if n := len(log.withStatus(http.StatusUnauthorized)); n != 1 {
				t.Errorf("want exactly one 401 answer, got %d: %+v", n, log.all())
			}
			if st.check != nil {
				st.check(t)
			}
			// The new token is cached again.
			sim.ResetCalls()
			if err := st.call(); err != nil && !platform.IsConflict(err) {
				t.Fatalf("second call: %v", err)
			}
			checkCalls(t, sim, map[string]int{"getToken": 0, st.op: 1})
		})
	}
}

// TestConformanceCompanyScope: the company header scopes a reseller credential; an
// unmanaged company (or a non-reseller using the header) is a typed 403.
func TestConformanceCompanyScope(t *testing.T) {
	sim := startConfSim(t)
	unscoped, _ := newConfClient(t, sim)
	tests := []struct {
		name      string
		token     string
		companyID string
		// want is nil for success, else the predicate the error must satisfy.
		want       func(error) bool
		wantStatus int
	}{
		{name: "reseller, managed company", token: confResellerToken, companyID: confManaged},
		{name: "reseller, unmanaged company", token: confResellerToken, companyID: confUnmanaged,
			want: platform.IsForbidden, wantStatus: http.StatusForbidden},
		{name: "non-reseller with the company header", token: confToken, companyID: confManaged,
			want: platform.IsForbidden, wantStatus: http.StatusForbidden},
		{name: "reseller, managed but unknown company", token: confResellerToken, companyID: confGhostCompany,
			want: platform.IsNotFound, wantStatus: http.StatusNotFound},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, log := newConfClient(t, sim, func(cfg *platform.Config) {
				cfg.Auth = platform.Auth{BearerToken: tt.token}
				cfg.CompanyID = tt.companyID
			})
			ctx := context.Background()
			sim.ResetCalls()
			key := fmt.Sprintf("scope-%d", i)
			ec, err := c.CreateEnterprise(ctx, platform.EnterpriseCreate{OrganizationID: confOrg, AdminEmail: "a@acme.test", IdempotencyKey: key})
			if tt.want != nil {
				if !tt.want(err) {
					t.Fatalf("CreateEnterprise: got %v", err)
				}
				checkErrorBody(t, platformErr(t, err), tt.wantStatus, "createEnterprise", log)
				checkCalls(t, sim, map[string]int{"createEnterprise": 1}) // 4xx is not retried
				if ids := enterprisesWithKey(sim, key); len(ids) != 0 {
					t.Fatalf("refused create made enterprises %v", ids)
				}
				// A read is refused the same way.
				if _, err := c.WhoAmI(ctx); !tt.want(err) {
					t.Errorf("WhoAmI: got %v", err)
				}
				return
			}
			mustNoErr(t, err)
			if got := enterpriseSnap(t, sim, ec.EnterpriseID).CompanyID; got != tt.companyID {
				t.Errorf("enterprise company = %q, want %q", got, tt.companyID)
			}
			if _, err := c.GetEnterprise(ctx, ec.EnterpriseID); err != nil {
				t.Errorf("GetEnterprise in the company: %v", err)
			}
			if _, err := c.ListUsers(ctx, ec.EnterpriseID, platform.UserFilter{}); err != nil {
				t.Errorf("ListUsers in the company: %v", err)
			}
			// Outside the company the enterprise does not exist.
			if _, err := unscoped.GetEnterprise(ctx, ec.EnterpriseID); !platform.IsNotFound(err) {
				t.Errorf("GetEnterprise without the company header: want NotFound, got %v", err)
			}
		})
	}
}

// TestConformanceErrorMapping: 404, 409, 400 and 422 answers become the matching
// typed error with the platform's error body, and are never retried.
func TestConformanceErrorMapping(t *testing.T) {
	sim := startConfSim(t)
	c, log := newConfClient(t, sim)
	ctx := context.Background()
	ent := createEnterprise(t, c, "errors-1")
	role, err := c.CreateRole(ctx, ent, platform.RoleSpec{Name: "viewer", Permissions: []string{"read"}})
	mustNoErr(t, err)
	_, err = c.CreateUser(ctx, ent, platform.UserCreate{Username: "bob", Password: confPassword, Email: "bob@acme.test", RoleIDs: []string{role.ID}})
	mustNoErr(t, err)
	_, err = c.CreateGroup(ctx, ent, platform.GroupSpec{Name: "Team"})
	mustNoErr(t, err)
	_, err = c.CreateDomain(ctx, ent, "acme.test")
	mustNoErr(t, err)

	tests := []struct {
		name     string
		call     func() error
		is       func(error) bool
		status   int
		op       string
		wantName string
	}{
		{"404 missing user", func() error { _, err := c.GetUser(ctx, ent, confMissingID); return err },
			platform.IsNotFound, 404, "getEnterpriseUser", platformsim.NameNotFound},
		{"404 missing role", func() error { _, err := c.GetRole(ctx, ent, confMissingID); return err },
			platform.IsNotFound, 404, "getEnterpriseRole", platformsim.NameNotFound},
		{"404 missing enterprise", func() error { _, err := c.GetEnterprise(ctx, confMissingID); return err },
			platform.IsNotFound, 404, "getEnterprise", platformsim.NameNotFound},
		{"404 user id by unknown email", func() error { _, err := c.FindUserIDByEmail(ctx, "ghost@acme.test"); return err },
			platform.IsNotFound, 404, "getUserIdByEmail", platformsim.NameNotFound},
		{"409 duplicate role name", func() error {
			_, err := c.CreateRole(ctx, ent, platform.RoleSpec{Name: "viewer", Permissions: []string{"read"}})
			return err
		}, platform.IsConflict, 409, "createEnterpriseRole", platformsim.NameConflict},
		{"409 duplicate user email", func() error {
			_, err := c.CreateUser(ctx, ent, platform.UserCreate{Username: "bob2", Password: confPassword, Email: "BOB@acme.test"})
			return err
		}, platform.IsConflict, 409, "createEnterpriseUser", platformsim.NameConflict},
		{"409 duplicate username", func() error {
			_, err := c.CreateUser(ctx, ent, platform.UserCreate{Username: "bob", Password: confPassword, Email: "other@acme.test"})
			return err
		}, platform.IsConflict, 409, "createEnterpriseUser", platformsim.NameConflict},
		{"409 duplicate domain", func() error { _, err := c.CreateDomain(ctx, ent, "acme.test"); return err },
			platform.IsConflict, 409, "createEnterpriseDomain", platformsim.NameConflict},
		{"409 duplicate group name", func() error { _, err := c.CreateGroup(ctx, ent, platform.GroupSpec{Name: "Team"}); return err },
			platform.IsConflict, 409, "createEnterpriseGroup", platformsim.NameConflict},
		{"409 idempotency key reused with another body", func() error {
			_, err := c.CreateEnterprise(ctx, platform.EnterpriseCreate{OrganizationID: confOrg, AdminEmail: "someone-else@acme.test", IdempotencyKey: "errors-1"})
			return err
		}, platform.IsConflict, 409, "createEnterprise", "IdempotencyKeyReused"},
		{"400 unknown role id on user create", func() error {
			_, err := c.CreateUser(ctx, ent, platform.UserCreate{Username: "eve", Password: confPassword, Email: "eve@acme.test", RoleIDs: []string{confMissingID}})
			return err
		}, platform.IsInvalid, 400, "createEnterpriseUser", platformsim.NameValidation},
		{"400 request violating the contract (organizationId pattern)", func() error {
			_, err := c.CreateEnterprise(ctx, platform.EnterpriseCreate{OrganizationID: "not-an-org-id", AdminEmail: "a@acme.test", IdempotencyKey: "k"})
			return err
		}, platform.IsInvalid, 400, "createEnterprise", platformsim.NameValidation},
		{"422 insecure webhook URL", func() error {
			_, err := c.CreateWebhook(ctx, ent, platform.WebhookSpec{URL: "http://hooks.acme.test/x", Events: []string{"user.created"}, Active: true, SigningSecret: "whsec-conformance"})
			return err
		}, platform.IsInvalid, 422, "createEnterpriseWebhook", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim.ResetCalls()
			log.reset()
			before := enterpriseSnap(t, sim, ent)
			err := tt.call()
			if !tt.is(err) {
				t.Fatalf("got %v", err)
			}
			pe := platformErr(t, err)
			checkErrorBody(t, pe, tt.status, tt.op, log)
			if tt.wantName != "" && pe.Name != tt.wantName {
				t.Errorf("Name = %q, want %q", pe.Name, tt.wantName)
			}
			checkCalls(t, sim, map[string]int{tt.op: 1, "total": 1})
			for _, s := range []string{confPassword, "whsec-conformance", confToken} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks a secret: %v", err)
				}
			}
			after := enterpriseSnap(t, sim, ent)
			if len(after.Users) != len(before.Users) || len(after.Roles) != len(before.Roles) ||
				len(after.Groups) != len(before.Groups) || len(after.Domains) != len(before.Domains) ||
				len(after.Webhooks) != len(before.Webhooks) {
				t.Errorf("a refused request changed the state")
			}
		})
	}
}

// TestConformanceRateLimit: a 429 on a retryable call is waited out for the
// Retry-After the platform sent (when within MaxRetryAfter and the context deadline);
// a non-idempotent create, or a wait beyond those bounds, returns KindRateLimited with
// RetryAfter instead.
func TestConformanceRateLimit(t *testing.T) {
	sim := startConfSim(t)
	setup, _ := newConfClient(t, sim)
	ent := createEnterprise(t, setup, "ratelimit-1")
	admin := enterpriseSnap(t, sim, ent).AdminUserID

	getUser := func(c platform.Client) func(context.Context) error {
		return func(ctx context.Context) error { _, err := c.GetUser(ctx, ent, admin); return err }
	}
	tests := []struct {
		name    string
		cfg     func(*platform.Config)
		timeout time.Duration // context deadline of the measured call (0: none)
		call    func(c platform.Client) func(context.Context) error
		op      string
		// waits: the call succeeds after waiting the Retry-After; otherwise it fails
		// promptly with KindRateLimited.
		waits     bool
		wantCalls int
		// created reports how many objects of the call's kind exist afterwards.
		created func() int
	}{
		{name: "GET waits Retry-After and succeeds", call: getUser, op: "getEnterpriseUser", waits: true, wantCalls: 2},
		{name: "idempotent createEnterprise waits Retry-After and succeeds", op: "createEnterprise", waits: true, wantCalls: 2,
			call: func(c platform.Client) func(context.Context) error {
				return func(ctx context.Context) error {
					_, err := c.CreateEnterprise(ctx, platform.EnterpriseCreate{OrganizationID: confOrg, AdminEmail: "rl@acme.test", IdempotencyKey: "ratelimit-2"})
					return err
				}
			},
			created: func() int { return len(enterprisesWithKey(sim, "ratelimit-2")) }},
		{name: "non-idempotent createEnterpriseRole is not retried", op: "createEnterpriseRole", wantCalls: 1,
			call: func(c platform.Client) func(context.Context) error {
				return func(ctx context.Context) error {
					_, err := c.CreateRole(ctx, ent, platform.RoleSpec{Name: "rate-limited", Permissions: []string{"read"}})
					return err
				}
			},
			created: func() int { return len(enterpriseSnap(t, sim, ent).Roles) }},
		{name: "Retry-After beyond MaxRetryAfter is returned", call: getUser, op: "getEnterpriseUser", wantCalls: 1,
			cfg: func(cfg *platform.Config) { cfg.MaxRetryAfter = 100 * time.Millisecond }},
		{name: "Retry-After beyond the context deadline is returned", call: getUser, op: "getEnterpriseUser", wantCalls: 1,
			timeout: 500 * time.Millisecond},
		{name: "retries disabled", call: getUser, op: "getEnterpriseUser", wantCalls: 1,
			cfg: func(cfg *platform.Config) { cfg.MaxRetries = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mut []func(*platform.Config)
			if tt.cfg != nil {
				mut = append(mut, tt.cfg)
			}
			c, log := newConfClient(t, sim, mut...)
			ctx := context.Background()
			// A fresh bucket of one request per second; the warm-up call empties it.
			mustNoErr(t, sim.SetFaults(platformsim.Faults{RateLimit: 1, RateBurst: 1}))
			t.Cleanup(func() { _ = sim.SetFaults(platformsim.Faults{}) })
			mustNoErr(t, getUser(c)(ctx))
			sim.ResetCalls()
			log.reset()
			createdBefore := 0
			if tt.created != nil {
				createdBefore = tt.created()
			}

			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			err := tt.call(c)(ctx)
			elapsed := time.Since(start)

			limited := log.withStatus(http.StatusTooManyRequests)
			if len(limited) != 1 {
				t.Fatalf("want exactly one 429 answer, got %+v", log.all())
			}
			secs, perr := strconv.Atoi(limited[0].retryAfter)
			if perr != nil || secs < 1 {
				t.Fatalf("429 Retry-After = %q, want whole seconds >= 1", limited[0].retryAfter)
			}
			retryAfter := time.Duration(secs) * time.Second
			checkCalls(t, sim, map[string]int{tt.op: tt.wantCalls})

			if tt.waits {
				if err != nil {
					t.Fatalf("want success after waiting, got %v", err)
				}
				if elapsed < retryAfter {
					t.Errorf("returned after %v, before the Retry-After %v", elapsed, retryAfter)
				}
				if elapsed > retryAfter+5*time.Second {
					t.Errorf("waited %v for a Retry-After of %v", elapsed, retryAfter)
				}
			} else {
				ra, ok := platform.IsRateLimited(err)
				if !ok {
					t.Fatalf("want IsRateLimited, got %v", err)
				}
				if ra != retryAfter {
					t.Errorf("RetryAfter = %v, want the platform's %v", ra, retryAfter)
				}
				checkErrorBody(t, platformErr(t, err), http.StatusTooManyRequests, tt.op, log)
				if elapsed >= retryAfter {
					t.Errorf("took %v: the client waited instead of returning", elapsed)
				}
			}
			if tt.created != nil {
				want := createdBefore
				if tt.waits && tt.op == "createEnterprise" {
					want = createdBefore + 1
				}
				if got := tt.created(); got != want {
					t.Errorf("objects after the call = %d, want %d", got, want)
				}
			}
		})
	}
}

// TestConformanceServerErrors: 5xx answers are retried for reads and idempotent
// writes (up to MaxRetries) and never for non-idempotent creates, which leave no
// object behind.
func TestConformanceServerErrors(t *testing.T) {
	sim := startConfSim(t)
	c, _ := newConfClient(t, sim) // MaxRetries 3
	ctx := context.Background()
	ent := createEnterprise(t, c, "faults-1")
	admin := enterpriseSnap(t, sim, ent).AdminUserID
	role, err := c.CreateRole(ctx, ent, platform.RoleSpec{Name: "viewer", Permissions: []string{"read"}})
	mustNoErr(t, err)

	type counts struct{ users, roles, groups, domains, webhooks, enterprises int }
	state := func() counts {
		s := enterpriseSnap(t, sim, ent)
		return counts{len(s.Users), len(s.Roles), len(s.Groups), len(s.Domains), len(s.Webhooks), len(sim.State().Enterprises)}
	}
	tests := []struct {
		name      string
		op        string
		failNext  int
		status    int
		call      func() error
		wantErr   bool
		wantCalls int
		wantState func(before counts) counts
	}{
		{name: "GET retried after two 500s", op: "getEnterpriseUser", failNext: 2, status: 500, wantCalls: 3,
			call: func() error { _, err := c.GetUser(ctx, ent, admin); return err }},
		{name: "GET retried after two 503s", op: "getEnterpriseUser", failNext: 2, status: 503, wantCalls: 3,
			call: func() error { _, err := c.GetUser(ctx, ent, admin); return err }},
		{name: "list retried", op: "listEnterpriseUsers", failNext: 2, wantCalls: 3,
			call: func() error { _, err := c.ListUsers(ctx, ent, platform.UserFilter{}); return err }},
		{name: "PUT retried", op: "updateEnterpriseRole", failNext: 1, wantCalls: 2,
			call: func() error {
				_, err := c.UpdateRole(ctx, ent, role.ID, platform.RoleSpec{Name: "viewer", Description: "d", Permissions: []string{"read"}})
				return err
			}},
		{name: "createEnterprise (idempotency key) retried", op: "createEnterprise", failNext: 1, wantCalls: 2,
			call: func() error {
				_, err := c.CreateEnterprise(ctx, platform.EnterpriseCreate{OrganizationID: confOrg, AdminEmail: "f@acme.test", IdempotencyKey: "faults-2"})
				return err
			},
			wantState: func(b counts) counts { b.enterprises++; return b }},
		{name: "GET gives up after MaxRetries", op: "getEnterpriseUser", failNext: 10, wantErr: true, wantCalls: 4,
			call: func() error { _, err := c.GetUser(ctx, ent, admin); return err }},
		{name: "createEnterpriseRole not retried", op: "createEnterpriseRole", failNext: 1, status: 503, wantErr: true, wantCalls: 1,
			call: func() error {
				_, err := c.CreateRole(ctx, ent, platform.RoleSpec{Name: "editor", Permissions: []string{"write"}})
				return err
			}},
		{name: "createEnterpriseUser not retried", op: "createEnterpriseUser", failNext: 1, wantErr: true, wantCalls: 1,
			call: func() error {
				_, err := c.CreateUser(ctx, ent, platform.UserCreate{Username: "carol", Password: confPassword, Email: "carol@acme.test"})
				return err
			}},
		{name: "createEnterpriseGroup not retried", op: "createEnterpriseGroup", failNext: 1, wantErr: true, wantCalls: 1,
			call: func() error { _, err := c.CreateGroup(ctx, ent, platform.GroupSpec{Name: "Ops"}); return err }},
		{name: "createEnterpriseDomain not retried", op: "createEnterpriseDomain", failNext: 1, wantErr: true, wantCalls: 1,
			call: func() error { _, err := c.CreateDomain(ctx, ent, "ops.acme.test"); return err }},
		{name: "createEnterpriseWebhook not retried", op: "createEnterpriseWebhook", failNext: 1, wantErr: true, wantCalls: 1,
			call: func() error {
				_, err := c.CreateWebhook(ctx, ent, platform.WebhookSpec{URL: "https://hooks.acme.test/x", Events: []string{"user.created"}, Active: true})
				return err
			}},
		{name: "resetEnterpriseUserPassword not retried", op: "resetEnterpriseUserPassword", failNext: 1, wantErr: true, wantCalls: 1,
			call: func() error { _, err := c.ResetUserPassword(ctx, ent, admin); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustNoErr(t, sim.SetFaults(platformsim.Faults{FailNext: map[string]int{tt.op: tt.failNext}, ErrorStatus: tt.status}))
			t.Cleanup(func() { _ = sim.SetFaults(platformsim.Faults{}) })
			sim.ResetCalls()
			before := state()
			err := tt.call()
			if tt.wantErr {
				if !platform.IsUnavailable(err) {
					t.Fatalf("want IsUnavailable, got %v", err)
				}
				pe := platformErr(t, err)
				if pe.StatusCode < 500 || pe.Operation != tt.op || pe.Name == "" || pe.Message == "" || pe.RequestID == "" {
					t.Errorf("error %+v: want the 5xx body of %s", pe, tt.op)
				}
			} else if err != nil {
				t.Fatalf("want success after retries, got %v", err)
			}
			checkCalls(t, sim, map[string]int{tt.op: tt.wantCalls})
			want := before
			if tt.wantState != nil {
				want = tt.wantState(before)
			}
			if got := state(); got != want {
				t.Errorf("state counts %+v, want %+v", got, want)
			}
		})
	}
}

// TestConformanceIdempotentCreateEnterprise: the idempotency key makes repeated and
// retried creates return the one enterprise, including after a lost response.
func TestConformanceIdempotentCreateEnterprise(t *testing.T) {
	sim := startConfSim(t)
	tests := []struct {
		name   string
		cfg    func(*platform.Config)
		faults platformsim.Faults
		// requeue: the first CreateEnterprise fails (as the caller sees it) and the
		// caller repeats it, as a controller requeue would.
		requeue bool
		// wantCalls counts every createEnterprise request, the final repeat included.
		wantCalls int
	}{
		{name: "same key twice", wantCalls: 2},
		{name: "dropped response, retried by the client",
			faults: platformsim.Faults{DropResponse: map[string]int{"createEnterprise": 1}}, wantCalls: 3},
		{name: "dropped response, retries disabled, requeued by the caller", requeue: true,
			cfg:    func(cfg *platform.Config) { cfg.MaxRetries = -1 },
			faults: platformsim.Faults{DropResponse: map[string]int{"createEnterprise": 1}}, wantCalls: 3},
		{name: "dropped response and a 503 on the retry",
			faults: platformsim.Faults{DropResponse: map[string]int{"createEnterprise": 1}, FailNext: map[string]int{"createEnterprise": 1}, ErrorStatus: 503},
			// FailNext answers before the operation runs, so the first attempt gets the
			// 503, the second commits and is dropped, the third answers.
			wantCalls: 4},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mut []func(*platform.Config)
			if tt.cfg != nil {
				mut = append(mut, tt.cfg)
			}
			c, _ := newConfClient(t, sim, mut...)
			ctx := context.Background()
			mustNoErr(t, sim.SetFaults(tt.faults))
			t.Cleanup(func() { _ = sim.SetFaults(platformsim.Faults{}) })
			sim.ResetCalls()
			key := fmt.Sprintf("idem-%d", i)
			in := platform.EnterpriseCreate{OrganizationID: confOrg, AdminEmail: "idem@acme.test", IdempotencyKey: key,
				ThirdPartyIdentifiers: []platform.ThirdPartyIdentifier{{ID: "crm-1", Label: "crm"}}}

			first, err := c.CreateEnterprise(ctx, in)
			if tt.requeue {
				if !platform.IsUnavailable(err) {
					t.Fatalf("want IsUnavailable for the lost response, got %v", err)
				}
				first, err = c.CreateEnterprise(ctx, in)
			}
			mustNoErr(t, err)
			second, err := c.CreateEnterprise(ctx, in)
			mustNoErr(t, err)
			if *first != *second || first.EnterpriseID == "" || first.AdminUserID == "" {
				t.Fatalf("creates answered %+v and %+v, want the same enterprise", first, second)
			}
			ids := enterprisesWithKey(sim, key)
			if len(ids) != 1 || ids[0] != first.EnterpriseID {
				t.Fatalf("enterprises with key %s: %v, want exactly [%s]", key, ids, first.EnterpriseID)
			}
			if users := enterpriseSnap(t, sim, first.EnterpriseID).Users; len(users) != 1 || users[0].ID != first.AdminUserID {
				t.Errorf("admin users %+v, want exactly the one created", users)
			}
			checkCalls(t, sim, map[string]int{"createEnterprise": tt.wantCalls})
		})
	}
}
