package platform_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
)

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
