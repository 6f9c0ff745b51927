package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	testChecked = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	testNext    = time.Date(2025, 3, 1, 11, 0, 0, 0, time.UTC)
)

// operation is one Client method: what it sends, what it makes of the answer, and the
// contract operation it is counted as.
type operation struct {
	name string
	call func(ctx context.Context, c Client) (any, error)
	// answer is the 2xx body; nil answers 204 without a body.
	answer any
	// wantRequest is "METHOD path?query", wantBody the JSON body sent ("" for none).
	wantRequest string
	wantBody    string
	want        any
	// op is the operationId, the label of the request metrics.
	op string
	// idempotent operations are retried after a 503.
	idempotent bool
}

func page(items ...any) map[string]any {
	return map[string]any{"data": items, "page": 1, "per_page": listPageSize, "total": len(items), "total_pages": 1}
}

var (
	roleJSON    = map[string]any{"id": "r", "name": "Admins", "description": "d", "permissions": []string{"users:read"}}
	groupJSON   = map[string]any{"id": 103, "name": "Sales", "description": "NA", "external_reference": "crm-1"}
	domainJSON  = map[string]any{"id": "d", "domain": "acme.test", "status": "pending", "verified": false, "last_checked_at": testChecked, "next_check_at": testNext, "verification_record": map[string]any{"type": "TXT", "name": "_verify.acme.test", "value": "v=1"}}
	webhookJSON = map[string]any{"id": "w", "url": "https://h.test/hook", "events": []string{"user.created"}, "active": true}
	wantUser    = User{ID: "u", Username: "user-u", Email: "u@acme.test", RoleIDs: []string{"r1"}, Status: UserStatusActive}
	wantRole    = Role{ID: "r", RoleSpec: RoleSpec{Name: "Admins", Description: "d", Permissions: []string{"users:read"}}}
	wantGroup   = Group{ID: "103", GroupSpec: GroupSpec{Name: "Sales", Description: "NA", ExternalReference: "crm-1"}}
	wantDomain  = Domain{ID: "d", Name: "acme.test", State: DomainStatePending, Record: DNSRecord{Type: "TXT", Name: "_verify.acme.test", Value: "v=1"}, LastCheck: &testChecked, NextCheck: &testNext}
	wantWebhook = Webhook{ID: "w", URL: "https://h.test/hook", Events: []string{"user.created"}, Active: true}
	enterprise  = map[string]any{"enterpriseId": "e", "organizationId": "o", "email": "a@acme.test", "userId": 7, "additionalAdmins": []string{"b@acme.test"}, "thirdPartyIdentifier": []map[string]any{{"id": "sf", "label": "salesforce"}}}
	wantEnt     = &Enterprise{ID: "e", OrganizationID: "o", AdminEmail: "a@acme.test", AdminUserID: "7", AdditionalAdmins: []string{"b@acme.test"}, ThirdPartyIdentifiers: []ThirdPartyIdentifier{{ID: "sf", Label: "salesforce"}}}
	verifyJSON  = map[string]any{"domain_id": "d", "status": "verified", "verified": true, "message": "found", "last_checked_at": testChecked, "next_check_at": testNext, "verification_record": map[string]any{"type": "TXT", "name": "n", "value": "v"}}
	wantVerify  = &DomainVerification{State: DomainStateVerified, Message: "found", LastCheck: &testChecked, NextCheck: &testNext}
)

// operations is every method of the Client.
func operations() []operation {
	return []operation{
		{name: "WhoAmI", call: func(ctx context.Context, c Client) (any, error) { return c.WhoAmI(ctx) },
			answer:      map[string]any{"userId": 12, "enterpriseId": "e", "nickname": "ops"},
			wantRequest: "GET /api/v3/users/me", want: &CurrentUser{UserID: "12", EnterpriseID: "e", Nickname: "ops"},
			op: "getCurrentUser", idempotent: true},

		{name: "CreateEnterprise", call: func(ctx context.Context, c Client) (any, error) {
			return c.CreateEnterprise(ctx, EnterpriseCreate{OrganizationID: "o", AdminEmail: "a@acme.test", IdempotencyKey: "k", AdditionalAdmins: []string{"b@acme.test"}})
		},
			answer:      map[string]any{"enterpriseId": "e", "userId": "7"},
			wantRequest: "POST /api/v2/organization/o/enterprise",
			wantBody:    `{"additionalAdmins":["b@acme.test"],"email":"a@acme.test","idempotencyKey":"k"}`,
			want:        &EnterpriseCreated{EnterpriseID: "e", AdminUserID: "7"},
			op:          "createEnterprise", idempotent: true},
		{name: "GetEnterprise", call: func(ctx context.Context, c Client) (any, error) { return c.GetEnterprise(ctx, "e") },
			answer: enterprise, wantRequest: "GET /v1/enterprises/e", want: wantEnt, op: "getEnterprise", idempotent: true},
		{name: "UpdateEnterprise", call: func(ctx context.Context, c Client) (any, error) {
			return c.UpdateEnterprise(ctx, "e", EnterpriseUpdate{ThirdPartyIdentifiers: []ThirdPartyIdentifier{{ID: "sf", Label: "salesforce"}}})
		},
			answer: enterprise, wantRequest: "PUT /v1/enterprises/e",
			wantBody: `{"additionalAdmins":[],"thirdPartyIdentifier":[{"id":"sf","label":"salesforce"}]}`,
			want:     wantEnt, op: "updateEnterprise", idempotent: true},
		{name: "DeleteEnterprise", call: func(ctx context.Context, c Client) (any, error) { return nil, c.DeleteEnterprise(ctx, "e") },
			wantRequest: "DELETE /v1/enterprises/e", op: "deleteEnterprise", idempotent: true},

		{name: "ListUsers", call: func(ctx context.Context, c Client) (any, error) {
			return c.ListUsers(ctx, "e", UserFilter{Search: "ali", Status: UserStatusActive, RoleID: "r1"})
		},
			answer:      page(userJSON("u")),
			wantRequest: "GET /v1/enterprises/e/users?page=1&per_page=100&search=ali&status=active&role_id=r1",
			want:        []User{wantUser}, op: "listEnterpriseUsers", idempotent: true},
		{name: "GetUser", call: func(ctx context.Context, c Client) (any, error) { return c.GetUser(ctx, "e", "u") },
			answer: userJSON("u"), wantRequest: "GET /v1/enterprises/e/users/u", want: &wantUser, op: "getEnterpriseUser", idempotent: true},
		{name: "FindUserIDByEmail", call: func(ctx context.Context, c Client) (any, error) { return c.FindUserIDByEmail(ctx, "a@acme.test") },
			answer: map[string]any{"userId": 12}, wantRequest: "GET /api/v3/users/id?email=a%40acme.test", want: "12",
			op: "getUserIdByEmail", idempotent: true},
		{name: "CreateUser", call: func(ctx context.Context, c Client) (any, error) {
			return c.CreateUser(ctx, "e", UserCreate{Username: "alice", Password: testPassword, Email: "a@acme.test", RoleIDs: []string{"r1"}})
		},
			answer: userJSON("u"), wantRequest: "POST /v1/enterprises/e/users",
			wantBody: `{"email":"a@acme.test","password":"` + testPassword + `","role_ids":["r1"],"username":"alice"}`,
			want:     &wantUser, op: "createEnterpriseUser"},
		{name: "UpdateUser", call: func(ctx context.Context, c Client) (any, error) {
			return c.UpdateUser(ctx, "e", "u", UserUpdate{Email: "a@acme.test", Title: "CTO"})
		},
			answer: userJSON("u"), wantRequest: "PUT /v1/enterprises/e/users/u",
			wantBody: `{"department":"","email":"a@acme.test","first_name":"","last_name":"","mobile":"","phone":"","role_ids":[],"title":"CTO"}`,
			want:     &wantUser, op: "updateEnterpriseUser", idempotent: true},
		{name: "DeleteUser", call: func(ctx context.Context, c Client) (any, error) { return nil, c.DeleteUser(ctx, "e", "u") },
			wantRequest: "DELETE /v1/enterprises/e/users/u", op: "deleteEnterpriseUser", idempotent: true},
		{name: "SuspendUser", call: func(ctx context.Context, c Client) (any, error) { return c.SuspendUser(ctx, "e", "u") },
			answer: userJSON("u"), wantRequest: "POST /v1/enterprises/e/users/u/suspend", want: &wantUser, op: "suspendEnterpriseUser", idempotent: true},
		{name: "ActivateUser", call: func(ctx context.Context, c Client) (any, error) { return c.ActivateUser(ctx, "e", "u") },
			answer: userJSON("u"), wantRequest: "POST /v1/enterprises/e/users/u/activate", want: &wantUser, op: "activateEnterpriseUser", idempotent: true},
		{name: "ResetUserPassword", call: func(ctx context.Context, c Client) (any, error) { return c.ResetUserPassword(ctx, "e", "u") },
			answer: map[string]any{"temporary_password": "tmp-1", "user_id": "u"}, wantRequest: "POST /v1/enterprises/e/users/u/reset-password",
			want: "tmp-1", op: "resetEnterpriseUserPassword"},

		{name: "ListRoles", call: func(ctx context.Context, c Client) (any, error) { return c.ListRoles(ctx, "e", "adm") },
			answer: page(roleJSON), wantRequest: "GET /v1/enterprises/e/roles?page=1&per_page=100&search=adm",
			want: []Role{wantRole}, op: "listEnterpriseRoles", idempotent: true},
		{name: "GetRole", call: func(ctx context.Context, c Client) (any, error) { return c.GetRole(ctx, "e", "r") },
			answer: roleJSON, wantRequest: "GET /v1/enterprises/e/roles/r", want: &wantRole, op: "getEnterpriseRole", idempotent: true},
		{name: "CreateRole", call: func(ctx context.Context, c Client) (any, error) {
			return c.CreateRole(ctx, "e", RoleSpec{Name: "Admins"})
		},
			answer: roleJSON, wantRequest: "POST /v1/enterprises/e/roles", wantBody: `{"name":"Admins","permissions":[]}`,
			want: &wantRole, op: "createEnterpriseRole"},
		{name: "UpdateRole", call: func(ctx context.Context, c Client) (any, error) {
			return c.UpdateRole(ctx, "e", "r", RoleSpec{Name: "Admins", Permissions: []string{"users:read"}})
		},
			answer: roleJSON, wantRequest: "PUT /v1/enterprises/e/roles/r", wantBody: `{"description":"","name":"Admins","permissions":["users:read"]}`,
			want: &wantRole, op: "updateEnterpriseRole", idempotent: true},
		{name: "DeleteRole", call: func(ctx context.Context, c Client) (any, error) { return nil, c.DeleteRole(ctx, "e", "r") },
			wantRequest: "DELETE /v1/enterprises/e/roles/r", op: "deleteEnterpriseRole", idempotent: true},

		{name: "ListGroups", call: func(ctx context.Context, c Client) (any, error) { return c.ListGroups(ctx, "e") },
			answer: []any{groupJSON}, wantRequest: "GET /api/v3/enterprises/e/groups", want: []Group{wantGroup},
			op: "listEnterpriseGroups", idempotent: true},
		{name: "GetGroup", call: func(ctx context.Context, c Client) (any, error) { return c.GetGroup(ctx, "e", "103") },
			answer: groupJSON, wantRequest: "GET /v1/enterprises/e/groups/103", want: &wantGroup, op: "getEnterpriseGroup", idempotent: true},
		{name: "CreateGroup", call: func(ctx context.Context, c Client) (any, error) {
			return c.CreateGroup(ctx, "e", GroupSpec{Name: "Sales"})
		},
			answer: groupJSON, wantRequest: "POST /v1/enterprises/e/groups", wantBody: `{"description":"","external_reference":"","name":"Sales"}`,
			want: &wantGroup, op: "createEnterpriseGroup"},
		{name: "UpdateGroup", call: func(ctx context.Context, c Client) (any, error) {
			return c.UpdateGroup(ctx, "e", "103", GroupSpec{Name: "Sales", Description: "NA", ExternalReference: "crm-1"})
		},
			answer: groupJSON, wantRequest: "PUT /v1/enterprises/e/groups/103", wantBody: `{"description":"NA","external_reference":"crm-1","name":"Sales"}`,
			want: &wantGroup, op: "updateEnterpriseGroup", idempotent: true},
		{name: "DeleteGroup", call: func(ctx context.Context, c Client) (any, error) { return nil, c.DeleteGroup(ctx, "e", "103") },
			wantRequest: "DELETE /v1/enterprises/e/groups/103", op: "deleteEnterpriseGroup", idempotent: true},
		{name: "ListGroupMembers", call: func(ctx context.Context, c Client) (any, error) { return c.ListGroupMembers(ctx, "e", "103") },
			answer: [][]any{{"111", 123}, {"123", "7"}}, wantRequest: "GET /api/v3/enterprises/e/groups/103/members",
			want: []string{"111", "123", "7"}, op: "listEnterpriseGroupMembers", idempotent: true},
		{name: "AddGroupMember", call: func(ctx context.Context, c Client) (any, error) { return nil, c.AddGroupMember(ctx, "e", "103", "u") },
			wantRequest: "PUT /v1/enterprises/e/groups/103/members/u", op: "addEnterpriseGroupMember", idempotent: true},
		{name: "RemoveGroupMember", call: func(ctx context.Context, c Client) (any, error) {
			return nil, c.RemoveGroupMember(ctx, "e", "103", "u")
		},
			wantRequest: "DELETE /v1/enterprises/e/groups/103/members/u", op: "removeEnterpriseGroupMember", idempotent: true},

		{name: "ListDomains", call: func(ctx context.Context, c Client) (any, error) { return c.ListDomains(ctx, "e") },
			answer: page(domainJSON), wantRequest: "GET /v1/enterprises/e/domains?page=1&per_page=100",
			want: []Domain{wantDomain}, op: "listEnterpriseDomains", idempotent: true},
		{name: "GetDomain", call: func(ctx context.Context, c Client) (any, error) { return c.GetDomain(ctx, "e", "d") },
			answer: domainJSON, wantRequest: "GET /v1/enterprises/e/domains/d", want: &wantDomain, op: "getEnterpriseDomain", idempotent: true},
		{name: "CreateDomain", call: func(ctx context.Context, c Client) (any, error) { return c.CreateDomain(ctx, "e", "acme.test") },
			answer: domainJSON, wantRequest: "POST /v1/enterprises/e/domains", wantBody: `{"domain":"acme.test"}`,
			want: &wantDomain, op: "createEnterpriseDomain"},
		{name: "DeleteDomain", call: func(ctx context.Context, c Client) (any, error) { return nil, c.DeleteDomain(ctx, "e", "d") },
			wantRequest: "DELETE /v1/enterprises/e/domains/d", op: "deleteEnterpriseDomain", idempotent: true},
		{name: "VerifyDomain", call: func(ctx context.Context, c Client) (any, error) { return c.VerifyDomain(ctx, "e", "d") },
			answer: verifyJSON, wantRequest: "POST /v1/enterprises/e/domains/d/verify", want: wantVerify,
			op: "verifyEnterpriseDomain", idempotent: true},
		{name: "GetDomainVerification", call: func(ctx context.Context, c Client) (any, error) { return c.GetDomainVerification(ctx, "e", "d") },
			answer: verifyJSON, wantRequest: "GET /v1/enterprises/e/domains/d/verification", want: wantVerify,
			op: "getDomainVerificationStatus", idempotent: true},

		{name: "ListWebhooks", call: func(ctx context.Context, c Client) (any, error) { return c.ListWebhooks(ctx, "e") },
			answer: page(webhookJSON), wantRequest: "GET /v1/enterprises/e/webhooks?page=1&per_page=100",
			want: []Webhook{wantWebhook}, op: "listEnterpriseWebhooks", idempotent: true},
		{name: "GetWebhook", call: func(ctx context.Context, c Client) (any, error) { return c.GetWebhook(ctx, "e", "w") },
			answer: webhookJSON, wantRequest: "GET /v1/enterprises/e/webhooks/w", want: &wantWebhook, op: "getEnterpriseWebhook", idempotent: true},
		{name: "CreateWebhook", call: func(ctx context.Context, c Client) (any, error) {
			return c.CreateWebhook(ctx, "e", WebhookSpec{URL: "https://h.test/hook", Active: true, SigningSecret: testSigning})
		},
			answer: webhookJSON, wantRequest: "POST /v1/enterprises/e/webhooks",
			wantBody: `{"active":true,"events":[],"signing_secret":"` + testSigning + `","url":"https://h.test/hook"}`,
			want:     &wantWebhook, op: "createEnterpriseWebhook"},
		{name: "UpdateWebhook", call: func(ctx context.Context, c Client) (any, error) {
			return c.UpdateWebhook(ctx, "e", "w", WebhookSpec{URL: "https://h.test/hook", Events: []string{"user.created"}})
		},
			answer: webhookJSON, wantRequest: "PUT /v1/enterprises/e/webhooks/w",
			wantBody: `{"active":false,"events":["user.created"],"url":"https://h.test/hook"}`,
			want:     &wantWebhook, op: "updateEnterpriseWebhook", idempotent: true},
		{name: "DeleteWebhook", call: func(ctx context.Context, c Client) (any, error) { return nil, c.DeleteWebhook(ctx, "e", "w") },
			wantRequest: "DELETE /v1/enterprises/e/webhooks/w", op: "deleteEnterpriseWebhook", idempotent: true},
		{name: "TestWebhook", call: func(ctx context.Context, c Client) (any, error) { return c.TestWebhook(ctx, "e", "w") },
			answer:      map[string]any{"success": true, "status_code": 204, "message": "ok", "tested_at": testChecked},
			wantRequest: "POST /v1/enterprises/e/webhooks/w/test",
			want:        &WebhookTestResult{Success: true, StatusCode: 204, Message: "ok", TestedAt: testChecked},
			op:          "testEnterpriseWebhook"},

		{name: "ListCompanies", call: func(ctx context.Context, c Client) (any, error) { return c.ListCompanies(ctx) },
			answer:      map[string]any{"status": "SUCCESS", "items": []any{map[string]any{"resourceId": "c1", "name": "Acme"}}, "totalNumberOfPages": 1},
			wantRequest: "POST /api/companies/search",
			wantBody:    `{"ascending":true,"orderBy":"CreateTime","pageNumber":1,"pageSize":100}`,
			want:        []Company{{ResourceID: "c1", Name: "Acme"}}, op: "searchCompanies", idempotent: true},
	}
}

// TestOperations pins down, for every Client method, the request it sends, what it
// makes of the answer and the operation its request is counted as.
func TestOperations(t *testing.T) {
	for _, tc := range operations() {
		t.Run(tc.name, func(t *testing.T) {
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
				if tc.answer == nil {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				writeJSON(w, http.StatusOK, tc.answer)
			})
			metrics := &fakeRecorder{}
			c, _ := testClient(t, srv.URL, func(c *Config) { c.Recorder = metrics })
			got, err := tc.call(context.Background(), c)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if rec.count() != 1 {
				t.Fatalf("requests = %d, want 1", rec.count())
			}
			r := rec.last()
			sent := r.Method + " " + r.URL.Path
			if r.URL.RawQuery != "" {
				sent += "?" + r.URL.RawQuery
			}
			if diff := cmp.Diff(tc.wantRequest, sent); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantBody, compactJSON(t, r.body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			code := "200"
			if tc.answer == nil {
				code = "204"
			}
			if diff := cmp.Diff([]string{tc.op + " " + code}, metrics.requests); diff != "" {
				t.Errorf("recorded requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOperationsRetryPolicy: after a 503 only idempotent operations are repeated, and
// every attempt is counted under the operation's id.
func TestOperationsRetryPolicy(t *testing.T) {
	for _, tc := range operations() {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
				writeJSON(w, http.StatusServiceUnavailable, seedError("Unavailable", "try later", "req-1"))
			})
			metrics := &fakeRecorder{}
			c, _ := testClient(t, srv.URL, func(c *Config) { c.MaxRetries = 2; c.Recorder = metrics })
			_, err := tc.call(context.Background(), c)
			want := &Error{Kind: KindUnavailable, StatusCode: http.StatusServiceUnavailable, Operation: tc.op, Name: "Unavailable", Message: "try later", RequestID: "req-1"}
			if diff := cmp.Diff(error(want), err); diff != "" {
				t.Errorf("err (-want +got):\n%s", diff)
			}
			attempts := []string{tc.op + " 503"}
			if tc.idempotent {
				attempts = append(attempts, tc.op+" 503", tc.op+" 503")
			}
			if diff := cmp.Diff(attempts, metrics.requests); diff != "" {
				t.Errorf("attempts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRefusedBeforeSending: a request that cannot be right (an empty id in its path,
// a required field missing) is an Invalid error and nothing is sent.
func TestRefusedBeforeSending(t *testing.T) {
	// errOf keeps the error of a method's results.
	errOf := func(_ any, err error) error { return err }
	cases := []struct {
		name string
		op   string
		// msg is the error's message; "" is the one for an empty path id.
		msg  string
		call func(ctx context.Context, c Client) error
	}{
		{"CreateEnterprise without organization", "createEnterprise", "", func(ctx context.Context, c Client) error {
			return errOf(c.CreateEnterprise(ctx, EnterpriseCreate{OrganizationID: " "}))
		}},
		{"CreateEnterprise without idempotency key", "createEnterprise", "idempotencyKey is required", func(ctx context.Context, c Client) error {
			return errOf(c.CreateEnterprise(ctx, EnterpriseCreate{OrganizationID: "o", AdminEmail: "a@acme.test"}))
		}},
		{"CreateEnterprise without admin email", "createEnterprise", "the admin email is required", func(ctx context.Context, c Client) error {
			return errOf(c.CreateEnterprise(ctx, EnterpriseCreate{OrganizationID: "o", IdempotencyKey: "k"}))
		}},
		{"GetEnterprise", "getEnterprise", "", func(ctx context.Context, c Client) error { return errOf(c.GetEnterprise(ctx, "")) }},
		{"UpdateEnterprise", "updateEnterprise", "", func(ctx context.Context, c Client) error {
			return errOf(c.UpdateEnterprise(ctx, "", EnterpriseUpdate{}))
		}},
		{"DeleteEnterprise", "deleteEnterprise", "", func(ctx context.Context, c Client) error { return c.DeleteEnterprise(ctx, "") }},
		{"ListUsers", "listEnterpriseUsers", "", func(ctx context.Context, c Client) error { return errOf(c.ListUsers(ctx, "", UserFilter{})) }},
		{"GetUser", "getEnterpriseUser", "", func(ctx context.Context, c Client) error { return errOf(c.GetUser(ctx, "e", "")) }},
		{"FindUserIDByEmail", "getUserIdByEmail", "email is required", func(ctx context.Context, c Client) error {
			return errOf(c.FindUserIDByEmail(ctx, " "))
		}},
		{"CreateUser without enterprise", "createEnterpriseUser", "", func(ctx context.Context, c Client) error {
			return errOf(c.CreateUser(ctx, "", UserCreate{}))
		}},
		{"CreateUser without password", "createEnterpriseUser", "username and password are required", func(ctx context.Context, c Client) error {
			return errOf(c.CreateUser(ctx, "e", UserCreate{Username: "alice"}))
		}},
		{"UpdateUser", "updateEnterpriseUser", "", func(ctx context.Context, c Client) error { return errOf(c.UpdateUser(ctx, "", "u", UserUpdate{})) }},
		{"DeleteUser", "deleteEnterpriseUser", "", func(ctx context.Context, c Client) error { return c.DeleteUser(ctx, "e", "") }},
		{"SuspendUser", "suspendEnterpriseUser", "", func(ctx context.Context, c Client) error { return errOf(c.SuspendUser(ctx, "e", "")) }},
		{"ActivateUser", "activateEnterpriseUser", "", func(ctx context.Context, c Client) error { return errOf(c.ActivateUser(ctx, "", "u")) }},
		{"ResetUserPassword", "resetEnterpriseUserPassword", "", func(ctx context.Context, c Client) error {
			return errOf(c.ResetUserPassword(ctx, "e", ""))
		}},
		{"ListRoles", "listEnterpriseRoles", "", func(ctx context.Context, c Client) error { return errOf(c.ListRoles(ctx, "", "")) }},
		{"GetRole", "getEnterpriseRole", "", func(ctx context.Context, c Client) error { return errOf(c.GetRole(ctx, "e", "")) }},
		{"CreateRole", "createEnterpriseRole", "", func(ctx context.Context, c Client) error { return errOf(c.CreateRole(ctx, "", RoleSpec{})) }},
		{"UpdateRole", "updateEnterpriseRole", "", func(ctx context.Context, c Client) error { return errOf(c.UpdateRole(ctx, "e", "", RoleSpec{})) }},
		{"DeleteRole", "deleteEnterpriseRole", "", func(ctx context.Context, c Client) error { return c.DeleteRole(ctx, "", "r") }},
		{"ListGroups", "listEnterpriseGroups", "", func(ctx context.Context, c Client) error { return errOf(c.ListGroups(ctx, "")) }},
		{"GetGroup", "getEnterpriseGroup", "", func(ctx context.Context, c Client) error { return errOf(c.GetGroup(ctx, "e", "")) }},
		{"CreateGroup", "createEnterpriseGroup", "", func(ctx context.Context, c Client) error { return errOf(c.CreateGroup(ctx, "", GroupSpec{})) }},
		{"UpdateGroup", "updateEnterpriseGroup", "", func(ctx context.Context, c Client) error {
			return errOf(c.UpdateGroup(ctx, "e", "", GroupSpec{}))
		}},
		{"DeleteGroup", "deleteEnterpriseGroup", "", func(ctx context.Context, c Client) error { return c.DeleteGroup(ctx, "", "g") }},
		{"ListGroupMembers", "listEnterpriseGroupMembers", "", func(ctx context.Context, c Client) error {
			return errOf(c.ListGroupMembers(ctx, "e", ""))
		}},
		{"AddGroupMember", "addEnterpriseGroupMember", "", func(ctx context.Context, c Client) error { return c.AddGroupMember(ctx, "e", "g", "") }},
		{"RemoveGroupMember", "removeEnterpriseGroupMember", "", func(ctx context.Context, c Client) error {
			return c.RemoveGroupMember(ctx, "e", "", "u")
		}},
		{"ListDomains", "listEnterpriseDomains", "", func(ctx context.Context, c Client) error { return errOf(c.ListDomains(ctx, "")) }},
		{"GetDomain", "getEnterpriseDomain", "", func(ctx context.Context, c Client) error { return errOf(c.GetDomain(ctx, "e", "")) }},
		{"CreateDomain", "createEnterpriseDomain", "", func(ctx context.Context, c Client) error { return errOf(c.CreateDomain(ctx, "", "acme.test")) }},
		{"DeleteDomain", "deleteEnterpriseDomain", "", func(ctx context.Context, c Client) error { return c.DeleteDomain(ctx, "", "d") }},
		{"VerifyDomain", "verifyEnterpriseDomain", "", func(ctx context.Context, c Client) error { return errOf(c.VerifyDomain(ctx, "e", "")) }},
		{"GetDomainVerification", "getDomainVerificationStatus", "", func(ctx context.Context, c Client) error {
			return errOf(c.GetDomainVerification(ctx, "", "d"))
		}},
		{"ListWebhooks", "listEnterpriseWebhooks", "", func(ctx context.Context, c Client) error { return errOf(c.ListWebhooks(ctx, "")) }},
		{"GetWebhook", "getEnterpriseWebhook", "", func(ctx context.Context, c Client) error { return errOf(c.GetWebhook(ctx, "e", "")) }},
		{"CreateWebhook", "createEnterpriseWebhook", "", func(ctx context.Context, c Client) error {
			return errOf(c.CreateWebhook(ctx, "", WebhookSpec{}))
		}},
		{"UpdateWebhook", "updateEnterpriseWebhook", "", func(ctx context.Context, c Client) error {
			return errOf(c.UpdateWebhook(ctx, "e", "", WebhookSpec{}))
		}},
		{"DeleteWebhook", "deleteEnterpriseWebhook", "", func(ctx context.Context, c Client) error { return c.DeleteWebhook(ctx, "", "w") }},
		{"TestWebhook", "testEnterpriseWebhook", "", func(ctx context.Context, c Client) error { return errOf(c.TestWebhook(ctx, "e", "")) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
				t.Errorf("sent %s %s", r.Method, r.URL.Path)
				w.WriteHeader(http.StatusInternalServerError)
			})
			c, _ := testClient(t, srv.URL, nil)
			want := &Error{Kind: KindInvalid, Operation: tc.op, Message: tc.msg}
			if tc.msg == "" {
				want.Message = "an id in the request path is empty"
			}
			if diff := cmp.Diff(error(want), tc.call(context.Background(), c)); diff != "" {
				t.Errorf("err (-want +got):\n%s", diff)
			}
			if rec.count() != 0 {
				t.Errorf("requests = %d, want none", rec.count())
			}
		})
	}
}

// TestAnswersMissingWhatWasAsked: a 2xx answer without the one thing the method
// returns is an error of its own, not an empty result.
func TestAnswersMissingWhatWasAsked(t *testing.T) {
	cases := []struct {
		name   string
		call   func(ctx context.Context, c Client) error
		answer any
		want   *Error
	}{
		{"FindUserIDByEmail without userId", func(ctx context.Context, c Client) error {
			_, err := c.FindUserIDByEmail(ctx, "a@acme.test")
			return err
		}, map[string]any{"resultCode": "OK"},
			&Error{Kind: KindNotFound, StatusCode: http.StatusOK, Operation: "getUserIdByEmail", Message: "no user has that email"}},
		{"ResetUserPassword without password", func(ctx context.Context, c Client) error {
			_, err := c.ResetUserPassword(ctx, "e", "u")
			return err
		}, map[string]any{"user_id": "u"},
			&Error{Kind: KindUnavailable, StatusCode: http.StatusOK, Operation: "resetEnterpriseUserPassword", Message: "the platform returned no temporary password"}},
		{"GetUser with a body off the contract", func(ctx context.Context, c Client) error {
			_, err := c.GetUser(ctx, "e", "u")
			return err
		}, []string{"not", "a", "user"},
			&Error{Kind: KindUnavailable, StatusCode: http.StatusOK, Operation: "getEnterpriseUser",
				Message: "response does not match the contract: json: cannot unmarshal array into Go value of type api.EnterpriseUserResponse"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) { writeJSON(w, http.StatusOK, tc.answer) })
			c, _ := testClient(t, srv.URL, nil)
			if diff := cmp.Diff(error(tc.want), tc.call(context.Background(), c)); diff != "" {
				t.Errorf("err (-want +got):\n%s", diff)
			}
		})
	}
}

// compactJSON is body without insignificant white space ("" for no body).
func compactJSON(t *testing.T, body []byte) string {
	t.Helper()
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, body); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	return b.String()
}
