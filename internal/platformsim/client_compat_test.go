package platformsim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"enterprise-operator/internal/platform"
)

// TestOperatorClientAgainstSimulator drives every method of the operator's
// platform.Client against the simulator (with response validation on), so the two
// sides of the contract cannot drift apart unnoticed.
func TestOperatorClientAgainstSimulator(t *testing.T) {
	h := newHarness(t)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !VerifySignature("whsec", body, r.Header.Get(SignatureHeader)) {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer recv.Close()

	c, err := platform.New(platform.Config{
		BaseURL:           h.s.URL(),
		Auth:              platform.Auth{OAuth2: &platform.OAuth2{ClientID: testClientID, ClientSecret: testSecret, Scopes: []string{"API"}}},
		RequestsPerSecond: 1000,
		RetryBackoff:      time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	me, err := c.WhoAmI(ctx)
	must(err)
	if me.UserID == "" || me.Nickname != "Demo" {
		t.Fatalf("whoami %+v", me)
	}
	ec, err := c.CreateEnterprise(ctx, platform.EnterpriseCreate{OrganizationID: testOrg, AdminEmail: "admin@acme.test",
		IdempotencyKey: "k1", ThirdPartyIdentifiers: []platform.ThirdPartyIdentifier{{ID: "crm-1", Label: "crm"}}})
	must(err)
	again, err := c.CreateEnterprise(ctx, platform.EnterpriseCreate{OrganizationID: testOrg, AdminEmail: "admin@acme.test",
		IdempotencyKey: "k1", ThirdPartyIdentifiers: []platform.ThirdPartyIdentifier{{ID: "crm-1", Label: "crm"}}})
	must(err)
	if *again != *ec {
		t.Fatalf("idempotent create %+v vs %+v", again, ec)
	}
	ent := ec.EnterpriseID
	e, err := c.GetEnterprise(ctx, ent)
	must(err)
	if e.AdminUserID != ec.AdminUserID || len(e.ThirdPartyIdentifiers) != 1 {
		t.Fatalf("enterprise %+v", e)
	}
	_, err = c.UpdateEnterprise(ctx, ent, platform.EnterpriseUpdate{AdditionalAdmins: []string{"b@acme.test"}})
	must(err)

	role, err := c.CreateRole(ctx, ent, platform.RoleSpec{Name: "viewer", Permissions: []string{"read"}})
	must(err)
	_, err = c.UpdateRole(ctx, ent, role.ID, platform.RoleSpec{Name: "viewer", Description: "d", Permissions: []string{"read"}})
	must(err)
	roles, err := c.ListRoles(ctx, ent, "")
	must(err)
	_, err = c.GetRole(ctx, ent, role.ID)
	must(err)
	if len(roles) != 1 {
		t.Fatalf("roles %+v", roles)
	}

	u, err := c.CreateUser(ctx, ent, platform.UserCreate{Username: "bob", Password: "pw", Email: "bob@acme.test", RoleIDs: []string{role.ID}})
	must(err)
	if _, err := c.CreateUser(ctx, ent, platform.UserCreate{Username: "bob", Password: "pw", Email: "bob@acme.test"}); !platform.IsConflict(err) {
		t.Fatalf("duplicate user: %v", err)
	}
	if _, err := c.CreateUser(ctx, ent, platform.UserCreate{Username: "x", Password: "pw", Email: "x@acme.test", RoleIDs: []string{"nope"}}); !platform.IsInvalid(err) {
		t.Fatalf("unknown role: %v", err)
	}
	_, err = c.UpdateUser(ctx, ent, u.ID, platform.UserUpdate{Email: "bob@acme.test", FirstName: "Bob", RoleIDs: []string{}})
	must(err)
	got, err := c.GetUser(ctx, ent, u.ID)
	must(err)
	if got.FirstName != "Bob" || len(got.RoleIDs) != 0 {
		t.Fatalf("user %+v", got)
	}
	users, err := c.ListUsers(ctx, ent, platform.UserFilter{})
	must(err)
	if len(users) != 2 {
		t.Fatalf("users %+v", users)
	}
	id, err := c.FindUserIDByEmail(ctx, "bob@acme.test")
	must(err)
	if id != u.ID {
		t.Fatalf("find %s", id)
	}
	if _, err := c.FindUserIDByEmail(ctx, "ghost@acme.test"); !platform.IsNotFound(err) {
		t.Fatalf("find ghost: %v", err)
	}
	s, err := c.SuspendUser(ctx, ent, u.ID)
	must(err)
	if s.Status != platform.UserStatusSuspended {
		t.Fatalf("suspend %+v", s)
	}
	_, err = c.ActivateUser(ctx, ent, u.ID)
	must(err)
	pw, err := c.ResetUserPassword(ctx, ent, u.ID)
	must(err)
	if pw == "" {
		t.Fatal("empty temporary password")
	}

	g, err := c.CreateGroup(ctx, ent, platform.GroupSpec{Name: "Team"})
	must(err)
	_, err = c.UpdateGroup(ctx, ent, g.ID, platform.GroupSpec{Name: "Team", Description: "d"})
	must(err)
	_, err = c.GetGroup(ctx, ent, g.ID)
	must(err)
	groups, err := c.ListGroups(ctx, ent)
	must(err)
	if len(groups) != 1 {
		t.Fatalf("groups %+v", groups)
	}
	must(c.AddGroupMember(ctx, ent, g.ID, u.ID))
	members, err := c.ListGroupMembers(ctx, ent, g.ID)
	must(err)
	if len(members) != 1 || members[0] != u.ID {
		t.Fatalf("members %v", members)
	}
	must(c.RemoveGroupMember(ctx, ent, g.ID, u.ID))

	d, err := c.CreateDomain(ctx, ent, "acme.test")
	must(err)
	v, err := c.VerifyDomain(ctx, ent, d.ID)
	must(err)
	if v.State != platform.DomainStatePending || v.Message == "" {
		t.Fatalf("verify %+v", v)
	}
	must(h.s.PublishDomainRecord(ent, d.ID))
	v, err = c.VerifyDomain(ctx, ent, d.ID)
	must(err)
	if v.State != platform.DomainStateVerified {
		t.Fatalf("verify %+v", v)
	}
	_, err = c.GetDomainVerification(ctx, ent, d.ID)
	must(err)
	_, err = c.GetDomain(ctx, ent, d.ID)
	must(err)
	ds, err := c.ListDomains(ctx, ent)
	must(err)
	if len(ds) != 1 {
		t.Fatalf("domains %+v", ds)
	}

	wh, err := c.CreateWebhook(ctx, ent, platform.WebhookSpec{URL: recv.URL, Events: []string{"user.created"}, Active: true, SigningSecret: "whsec"})
	must(err)
	_, err = c.UpdateWebhook(ctx, ent, wh.ID, platform.WebhookSpec{URL: recv.URL, Events: []string{"user.created", "user.deleted"}, Active: true})
	must(err)
	res, err := c.TestWebhook(ctx, ent, wh.ID)
	must(err)
	if !res.Success {
		t.Fatalf("webhook test %+v", res)
	}
	_, err = c.GetWebhook(ctx, ent, wh.ID)
	must(err)
	whs, err := c.ListWebhooks(ctx, ent)
	must(err)
	if len(whs) != 1 || len(whs[0].Events) != 2 {
		t.Fatalf("webhooks %+v", whs)
	}

	// Deletes, then NotFound.
	must(c.DeleteWebhook(ctx, ent, wh.ID))
	must(c.DeleteDomain(ctx, ent, d.ID))
	must(c.DeleteGroup(ctx, ent, g.ID))
	must(c.DeleteUser(ctx, ent, u.ID))
	must(c.DeleteRole(ctx, ent, role.ID))
	if _, err := c.GetUser(ctx, ent, u.ID); !platform.IsNotFound(err) {
		t.Fatalf("deleted user: %v", err)
	}
	must(c.DeleteEnterprise(ctx, ent))
	if _, err := c.GetEnterprise(ctx, ent); !platform.IsNotFound(err) {
		t.Fatalf("deleted enterprise: %v", err)
	}

	// Reseller: companies, and a 429 surfaced with its Retry-After.
	rc, err := platform.New(platform.Config{BaseURL: h.s.URL(), Auth: platform.Auth{BearerToken: resellerToken},
		RequestsPerSecond: 1000, MaxRetries: -1})
	must(err)
	companies, err := rc.ListCompanies(ctx)
	must(err)
	if len(companies) != 1 || companies[0].ResourceID != managedCompany {
		t.Fatalf("companies %+v", companies)
	}
	must(h.s.SetFaults(Faults{RateLimit: 0.001, RateBurst: 1}))
	_, _ = rc.ListCompanies(ctx)
	_, err = rc.ListCompanies(ctx)
	if ra, limited := platform.IsRateLimited(err); !limited || ra < time.Second {
		t.Fatalf("rate limited: %v (%v)", err, ra)
	}
	must(h.s.SetFaults(Faults{}))
	if h.s.Calls()["total"] == 0 {
		t.Fatal("no calls counted")
	}
}
