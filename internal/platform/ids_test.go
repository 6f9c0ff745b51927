package platform

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seed001Answer is one of seed 001's example answers, copied verbatim from
// /work/shared/seeds/001_afceb4f8ef3c2ecc.txt into testdata/seed001.
func seed001Answer(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed001", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// numericIDPlatform answers each "METHOD /path" in answers with its JSON body and
// fails the test on any other request.
func numericIDPlatform(t *testing.T, answers map[string]string) (*recorder, string) {
	t.Helper()
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		body, found := answers[r.Method+" "+r.URL.Path]
		if !found {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if body == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(body))
	})
	return rec, srv.URL
}

// TestNumericIDs: the real platform answers JSON numbers for ids (seed 000 types them
// as Long, seed 001's examples show numbers); the Client decodes every one of them to
// its exact digits.
func TestNumericIDs(t *testing.T) {
	const bigID = "12345678901234567890" // beyond int64 and float64 precision
	user := `{"id": 12, "username": "my.username@email.com", "email": "my.email@email.com",
		"first_name": "John", "last_name": "Doe", "title": "agent", "phone": "XXXXXXXXX", "mobile": "XXXXXXXXX",
		"role_ids": [25, ` + bigID + `, "r-hex"], "status": "active"}`
	wantUser := User{
		ID: "12", Username: "my.username@email.com", Email: "my.email@email.com", FirstName: "John", LastName: "Doe",
		Title: "agent", Phone: "XXXXXXXXX", Mobile: "XXXXXXXXX", RoleIDs: []string{"25", bigID, "r-hex"},
		Status: UserStatusActive,
	}

	tests := []struct {
		name    string
		answers map[string]string
		call    func(context.Context, Client) (any, error)
		want    any
	}{
		{
			name:    "ListGroups answers seed 001's groups",
			answers: map[string]string{"GET /api/v3/enterprises/15/groups": seed001Answer(t, "groups.json")},
			call:    func(ctx context.Context, c Client) (any, error) { return c.ListGroups(ctx, "15") },
			want: []Group{
				{ID: "103", GroupSpec: GroupSpec{Name: "Sales Team", Description: "Sales representatives for North America"}},
				{ID: "104", GroupSpec: GroupSpec{Name: "Engineering", Description: "Research and Development division"}},
			},
		},
		{
			name:    "ListGroupMembers answers seed 001's members",
			answers: map[string]string{"GET /api/v3/enterprises/15/groups/103/members": seed001Answer(t, "group_members.json")},
			call:    func(ctx context.Context, c Client) (any, error) { return c.ListGroupMembers(ctx, "15", "103") },
			want:    []string{"111", "123"},
		},
		{
			name:    "WhoAmI answers seed 001's current user",
			answers: map[string]string{"GET /api/v3/users/me": seed001Answer(t, "me.json")},
			call:    func(ctx context.Context, c Client) (any, error) { return c.WhoAmI(ctx) },
			want:    &CurrentUser{UserID: "12", EnterpriseID: "15", Nickname: "John Doe"},
		},
		{
			name:    "FindUserIDByEmail answers seed 001's user id",
			answers: map[string]string{"GET /api/v3/users/id": seed001Answer(t, "user_id.json")},
			call: func(ctx context.Context, c Client) (any, error) {
				return c.FindUserIDByEmail(ctx, "my.email@email.com")
			},
			want: "12",
		},
		{
			name: "ListUsers with seed 001's user ids",
			answers: map[string]string{"GET /v1/enterprises/15/users": `{"data": [` + user + `],
				"page": 1, "per_page": 100, "total": 1, "total_pages": 1}`},
			call: func(ctx context.Context, c Client) (any, error) { return c.ListUsers(ctx, "15", UserFilter{}) },
			want: []User{wantUser},
		},
		{
			name:    "GetUser",
			answers: map[string]string{"GET /v1/enterprises/15/users/12": user},
			call:    func(ctx context.Context, c Client) (any, error) { return c.GetUser(ctx, "15", "12") },
			want:    &wantUser,
		},
		{
			name:    "ResetUserPassword",
			answers: map[string]string{"POST /v1/enterprises/15/users/12/reset-password": `{"user_id": 12, "temporary_password": "Tmp-1"}`},
			call:    func(ctx context.Context, c Client) (any, error) { return c.ResetUserPassword(ctx, "15", "12") },
			want:    "Tmp-1",
		},
		{
			// Seed 002 gives this body exactly: 32-hex strings, never numbers.
			name: "CreateEnterprise",
			answers: map[string]string{
				"POST /api/v2/organization/59cd72485007a239fb00282ed480da1f/enterprise": `{"enterpriseId": "0123456789abcdef0123456789abcdef", "userId": "59cd72485007a239fb00282ed480da1f"}`,
			},
			call: func(ctx context.Context, c Client) (any, error) {
				return c.CreateEnterprise(ctx, EnterpriseCreate{
					OrganizationID: "59cd72485007a239fb00282ed480da1f", AdminEmail: "a@acme.test", IdempotencyKey: "k"})
			},
			want: &EnterpriseCreated{EnterpriseID: "0123456789abcdef0123456789abcdef", AdminUserID: "59cd72485007a239fb00282ed480da1f"},
		},
		{
			name: "GetEnterprise",
			answers: map[string]string{"GET /v1/enterprises/15": `{"enterpriseId": 15, "organizationId": 3, "email": "a@acme.test",
				"userId": ` + bigID + `, "additionalAdmins": [], "thirdPartyIdentifier": [{"id": "sf-1", "label": "salesforce"}]}`},
			call: func(ctx context.Context, c Client) (any, error) { return c.GetEnterprise(ctx, "15") },
			want: &Enterprise{ID: "15", OrganizationID: "3", AdminEmail: "a@acme.test", AdminUserID: bigID,
				AdditionalAdmins: []string{}, ThirdPartyIdentifiers: []ThirdPartyIdentifier{{ID: "sf-1", Label: "salesforce"}}},
		},
		{
			name:    "GetRole",
			answers: map[string]string{"GET /v1/enterprises/15/roles/25": `{"id": 25, "name": "Admins", "permissions": ["users:read"]}`},
			call:    func(ctx context.Context, c Client) (any, error) { return c.GetRole(ctx, "15", "25") },
			want:    &Role{ID: "25", RoleSpec: RoleSpec{Name: "Admins", Permissions: []string{"users:read"}}},
		},
		{
			name: "GetDomain",
			answers: map[string]string{"GET /v1/enterprises/15/domains/7": `{"id": 7, "domain": "acme.test", "status": "pending",
				"verified": false, "verification_record": {"type": "TXT", "name": "_v.acme.test", "value": "v=1"}}`},
			call: func(ctx context.Context, c Client) (any, error) { return c.GetDomain(ctx, "15", "7") },
			want: &Domain{ID: "7", Name: "acme.test", State: DomainStatePending,
				Record: DNSRecord{Type: "TXT", Name: "_v.acme.test", Value: "v=1"}},
		},
		{
			name:    "VerifyDomain",
			answers: map[string]string{"POST /v1/enterprises/15/domains/7/verify": `{"domain_id": 7, "status": "verified", "verified": true}`},
			call:    func(ctx context.Context, c Client) (any, error) { return c.VerifyDomain(ctx, "15", "7") },
			want:    &DomainVerification{State: DomainStateVerified},
		},
		{
			name: "GetWebhook",
			answers: map[string]string{"GET /v1/enterprises/15/webhooks/9": `{"id": 9, "url": "https://hooks.acme.test/p",
				"events": ["user.created"], "active": true}`},
			call: func(ctx context.Context, c Client) (any, error) { return c.GetWebhook(ctx, "15", "9") },
			want: &Webhook{ID: "9", URL: "https://hooks.acme.test/p", Events: []string{"user.created"}, Active: true},
		},
		{
			name: "ListCompanies",
			answers: map[string]string{"POST /api/companies/search": `{"status": "Success",
				"items": [{"resourceId": 42, "name": "Acme"}, {"resourceId": "xC5kfGz7w2Nz", "name": "Other"}], "totalNumberOfPages": 1}`},
			call: func(ctx context.Context, c Client) (any, error) { return c.ListCompanies(ctx) },
			want: []Company{{ResourceID: "42", Name: "Acme"}, {ResourceID: "xC5kfGz7w2Nz", Name: "Other"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := numericIDPlatform(t, tt.answers)
			c, _ := testClient(t, url, nil)
			got, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestNumericIDsAreSentAsStrings: ids the platform answered as numbers go back in
// paths as their digits.
func TestNumericIDsAreSentAsStrings(t *testing.T) {
	rec, url := numericIDPlatform(t, map[string]string{
		"GET /api/v3/users/me":                            seed001Answer(t, "me.json"),
		"GET /api/v3/enterprises/15/groups":               seed001Answer(t, "groups.json"),
		"GET /api/v3/enterprises/15/groups/103/members":   seed001Answer(t, "group_members.json"),
		"PUT /v1/enterprises/15/groups/103/members/111":   "",
		"DELETE /v1/enterprises/15/groups/103/members/12": "",
	})
	c, _ := testClient(t, url, nil)
	ctx := context.Background()
	me, err := c.WhoAmI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := c.ListGroups(ctx, me.EnterpriseID)
	if err != nil || len(groups) == 0 {
		t.Fatalf("ListGroups = %v, %v", groups, err)
	}
	members, err := c.ListGroupMembers(ctx, me.EnterpriseID, groups[0].ID)
	if err != nil || len(members) == 0 {
		t.Fatalf("ListGroupMembers = %v, %v", members, err)
	}
	if err := c.AddGroupMember(ctx, me.EnterpriseID, groups[0].ID, members[0]); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveGroupMember(ctx, me.EnterpriseID, groups[0].ID, me.UserID); err != nil {
		t.Fatal(err)
	}
	var paths []string
	rec.mu.Lock()
	for _, r := range rec.requests {
		paths = append(paths, r.Method+" "+r.URL.Path)
	}
	rec.mu.Unlock()
	want := []string{
		"GET /api/v3/users/me",
		"GET /api/v3/enterprises/15/groups",
		"GET /api/v3/enterprises/15/groups/103/members",
		"PUT /v1/enterprises/15/groups/103/members/111",
		"DELETE /v1/enterprises/15/groups/103/members/12",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestMalformedIDs: an id that is neither a JSON string nor an integer fails the
// decoding of the whole answer (KindUnavailable), never becomes a wrong id.
func TestMalformedIDs(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "boolean", body: `[{"id": true, "name": "Sales Team"}]`},
		{name: "object", body: `[{"id": {"value": 103}, "name": "Sales Team"}]`},
		{name: "array", body: `[{"id": [103], "name": "Sales Team"}]`},
		{name: "null", body: `[{"id": null, "name": "Sales Team"}]`},
		{name: "fraction", body: `[{"id": 103.5, "name": "Sales Team"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := numericIDPlatform(t, map[string]string{"GET /api/v3/enterprises/15/groups": tt.body})
			c, _ := testClient(t, url, nil)
			got, err := c.ListGroups(context.Background(), "15")
			if !IsUnavailable(err) {
				t.Fatalf("ListGroups = %+v, %v; want an Unavailable error", got, err)
			}
		})
	}
}
