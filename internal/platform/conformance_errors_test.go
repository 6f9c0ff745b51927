package platform_test

import (
	"context"
	"strings"
	"testing"

	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
)

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
