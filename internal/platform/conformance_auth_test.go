package platform_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
)

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
