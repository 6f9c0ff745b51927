package platformsim

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"enterprise-operator/internal/platform/api"
)

func TestCreateEnterpriseIsIdempotent(t *testing.T) {
	h := newHarness(t)
	a := h.createEnterprise("key-1")
	b := h.createEnterprise("key-1")
	if a != b {
		t.Fatalf("same idempotency key gave %+v then %+v", a, b)
	}
	c := h.createEnterprise("key-2")
	if c.EnterpriseID == a.EnterpriseID {
		t.Fatalf("a new key reused enterprise %s", a.EnterpriseID)
	}
	// The same key with another body is a conflict.
	h.do("POST", "/api/v2/organization/"+testOrg+"/enterprise",
		map[string]any{"email": "other@acme.test", "idempotencyKey": "key-1", "additionalAdmins": []string{}}, 409, nil)
	// The same key in another organization is another enterprise.
	var d created
	h.do("POST", "/api/v2/organization/"+strings.Repeat("a", 32)+"/enterprise",
		map[string]any{"email": "admin@acme.test", "idempotencyKey": "key-1", "additionalAdmins": []string{}}, 200, &d)
	if d.EnterpriseID == a.EnterpriseID {
		t.Fatal("idempotency key leaked across organizations")
	}
	st := h.s.State()
	if len(st.Enterprises) != 3 {
		t.Fatalf("want 3 enterprises, got %d", len(st.Enterprises))
	}
	// The admin user exists in the new enterprise.
	var u struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	}
	h.do("GET", "/v1/enterprises/"+a.EnterpriseID+"/users/"+a.UserID, nil, 200, &u)
	if u.Username != "admin@acme.test" {
		t.Fatalf("admin user %+v", u)
	}
	if n := h.s.CallCount("createEnterprise"); n != 5 {
		t.Fatalf("createEnterprise calls = %d, want 5", n)
	}
}

func TestEnterpriseReadUpdateDelete(t *testing.T) {
	h := newHarness(t)
	c := h.createEnterprise("k")
	var e api.EnterpriseResponse
	h.do("PUT", "/v1/enterprises/"+c.EnterpriseID, map[string]any{
		"additionalAdmins":     []string{"a@acme.test"},
		"thirdPartyIdentifier": []map[string]string{{"id": "crm-1", "label": "crm"}},
	}, 200, &e)
	if !slices.Equal(e.AdditionalAdmins, []string{"a@acme.test"}) || len(e.ThirdPartyIdentifier) != 1 {
		t.Fatalf("update not applied: %+v", e)
	}
	role := h.createRole(c.EnterpriseID, "viewer")
	h.createUser(c.EnterpriseID, "bob", "bob@acme.test", role)
	h.do("DELETE", "/v1/enterprises/"+c.EnterpriseID, nil, 200, nil)
	h.do("GET", "/v1/enterprises/"+c.EnterpriseID, nil, 404, nil)
	h.do("GET", "/v1/enterprises/"+c.EnterpriseID+"/users", nil, 404, nil)
	h.do("DELETE", "/v1/enterprises/"+c.EnterpriseID, nil, 404, nil)
	if n := len(h.s.State().Enterprises); n != 0 {
		t.Fatalf("%d enterprises left", n)
	}
	// A deleted enterprise's key creates a fresh one.
	if again := h.createEnterprise("k"); again.EnterpriseID == c.EnterpriseID {
		t.Fatal("deleted enterprise came back")
	}
}

func TestConflicts(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	base := "/v1/enterprises/" + ent
	h.createUser(ent, "alice", "alice@acme.test")
	h.createRole(ent, "editor")
	h.do("POST", base+"/groups", map[string]any{"name": "Sales"}, 201, nil)
	h.do("POST", base+"/domains", map[string]any{"domain": "acme.test"}, 201, nil)

	tests := []struct {
		name string
		path string
		body map[string]any
	}{
		{"duplicate username", "/users", map[string]any{"username": "ALICE", "password": "x", "email": "new@acme.test"}},
		{"duplicate email", "/users", map[string]any{"username": "alice2", "password": "x", "email": "Alice@Acme.test"}},
		{"duplicate role", "/roles", map[string]any{"name": "Editor"}},
		{"duplicate group", "/groups", map[string]any{"name": "sales"}},
		{"duplicate domain", "/domains", map[string]any{"domain": "ACME.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			raw := h.do("POST", base+tc.path, tc.body, 409, nil)
			if eb := checkErrorBody(t, raw); eb.Name != NameConflict {
				t.Fatalf("name %q", eb.Name)
			}
		})
	}
	h.t = t
	// The admin user created with the enterprise also owns its email.
	h.do("POST", base+"/users", map[string]any{"username": "x", "password": "x", "email": "admin@acme.test"}, 409, nil)
}

func TestUserLifecycle(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	base := "/v1/enterprises/" + ent + "/users"
	role := h.createRole(ent, "viewer")

	// Unknown role ids are a bad request.
	raw := h.do("POST", base, map[string]any{"username": "x", "password": "x", "email": "x@acme.test", "role_ids": []string{"nope"}}, 400, nil)
	if eb := checkErrorBody(t, raw); eb.Context["field"] != "roleIds" {
		t.Fatalf("context %v", eb.Context)
	}
	// Email or a phone is required.
	h.do("POST", base, map[string]any{"username": "x", "password": "x"}, 400, nil)
	// Schema validation: username is required.
	h.do("POST", base, map[string]any{"password": "x", "email": "y@acme.test"}, 400, nil)

	id := h.createUser(ent, "carol", "carol@acme.test", role)
	var u api.EnterpriseUserResponse
	h.do("PUT", base+"/"+id, map[string]any{"first_name": "Carol", "role_ids": []string{}}, 200, &u)
	if deref(u.FirstName) != "Carol" || len(u.RoleIds) != 0 || deref(u.Email) != "carol@acme.test" {
		t.Fatalf("partial update: %+v", u)
	}
	h.do("POST", base+"/"+id+"/suspend", nil, 200, &u)
	if u.Status != api.Suspended {
		t.Fatalf("status %s", u.Status)
	}
	var page api.PaginatedResponseEnterpriseUserResponse
	h.do("GET", base+"?status=suspended", nil, 200, &page)
	if page.Total != 1 || string(page.Data[0].Id) != id {
		t.Fatalf("status filter: %+v", page)
	}
	h.do("POST", base+"/"+id+"/activate", nil, 200, &u)
	if u.Status != api.Active {
		t.Fatalf("status %s", u.Status)
	}
	var pw1, pw2 api.PasswordResetResponse
	h.do("POST", base+"/"+id+"/reset-password", nil, 200, &pw1)
	h.do("POST", base+"/"+id+"/reset-password", nil, 200, &pw2)
	if pw1.TemporaryPassword == "" || pw1.TemporaryPassword == pw2.TemporaryPassword {
		t.Fatalf("passwords %q %q", pw1.TemporaryPassword, pw2.TemporaryPassword)
	}
	snap := h.s.State()
	for _, su := range snap.Enterprises[0].Users {
		if su.ID == id && su.PasswordSHA256 != SecretHash(pw2.TemporaryPassword) {
			t.Fatal("state does not hold the new password's hash")
		}
	}
	if raw, _ := json.Marshal(snap); strings.Contains(string(raw), pw2.TemporaryPassword) {
		t.Fatal("state dump leaks a password")
	}

	// Filters and pagination.
	h.createUser(ent, "dave", "dave@acme.test", role)
	h.do("GET", base+"?role_id="+role, nil, 200, &page)
	if page.Total != 1 {
		t.Fatalf("role filter: %+v", page)
	}
	h.do("GET", base+"?search=DAV", nil, 200, &page)
	if page.Total != 1 || page.Data[0].Username != "dave" {
		t.Fatalf("search: %+v", page)
	}
	h.do("GET", base+"?per_page=2&page=2", nil, 200, &page)
	if page.Total != 3 || page.TotalPages != 2 || len(page.Data) != 1 {
		t.Fatalf("pagination: %+v", page)
	}
	h.do("GET", base+"?per_page=1000", nil, 400, nil)

	// v3 lookups.
	var look api.UserIdLookup
	h.do("GET", "/api/v3/users/id?email=carol@acme.test", nil, 200, &look)
	if string(look.UserId) != id || string(deref(look.EnterpriseOd)) != ent {
		t.Fatalf("lookup %+v", look)
	}
	h.do("GET", "/api/v3/users/id?email=nobody@acme.test", nil, 404, nil)

	// Deleting a role unassigns it; deleting a user removes memberships.
	var g api.UserGroup
	h.do("POST", "/v1/enterprises/"+ent+"/groups", map[string]any{"name": "Team"}, 201, &g)
	h.do("PUT", "/v1/enterprises/"+ent+"/groups/"+string(g.Id)+"/members/"+id, nil, 204, nil)
	h.do("DELETE", base+"/"+id, nil, 200, nil)
	h.do("GET", base+"/"+id, nil, 404, nil)
	var members api.GroupMemberIds
	h.do("GET", "/api/v3/enterprises/"+ent+"/groups/"+string(g.Id)+"/members", nil, 200, &members)
	if len(members) != 1 || len(members[0]) != 0 {
		t.Fatalf("members after delete: %v", members)
	}
}

func TestGroupsAndRoles(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	base := "/v1/enterprises/" + ent
	u1 := h.createUser(ent, "u1", "u1@acme.test")
	var g api.UserGroup
	h.do("POST", base+"/groups", map[string]any{"name": "Eng", "description": "R&D", "external_reference": "ext-1"}, 201, &g)
	h.do("PUT", base+"/groups/"+string(g.Id)+"/members/"+u1, nil, 204, nil)
	h.do("PUT", base+"/groups/"+string(g.Id)+"/members/"+u1, nil, 204, nil) // idempotent
	h.do("PUT", base+"/groups/"+string(g.Id)+"/members/unknown", nil, 404, nil)
	var members api.GroupMemberIds
	h.do("GET", "/api/v3/enterprises/"+ent+"/groups/"+string(g.Id)+"/members", nil, 200, &members)
	if diff := cmp.Diff(api.GroupMemberIds{{api.ID(u1)}}, members); diff != "" {
		t.Fatalf("members (-want +got):\n%s", diff)
	}
	h.do("DELETE", base+"/groups/"+string(g.Id)+"/members/"+u1, nil, 204, nil)
	h.do("DELETE", base+"/groups/"+string(g.Id)+"/members/"+u1, nil, 204, nil) // idempotent
	gid := string(g.Id)
	g = api.UserGroup{}
	h.do("PUT", base+"/groups/"+gid, map[string]any{"name": "Engineering"}, 200, &g)
	if g.Name != "Engineering" || deref(g.Description) != "" {
		t.Fatalf("group update replaces the group: %+v", g)
	}
	var groups []api.UserGroup
	h.do("GET", "/api/v3/enterprises/"+ent+"/groups", nil, 200, &groups)
	if len(groups) != 1 || groups[0].Name != "Engineering" {
		t.Fatalf("groups %+v", groups)
	}
	h.do("DELETE", base+"/groups/"+string(g.Id), nil, 200, nil)
	h.do("DELETE", base+"/groups/"+string(g.Id)+"/members/"+u1, nil, 404, nil)

	r1 := h.createRole(ent, "admin")
	h.createRole(ent, "reader")
	var role api.EnterpriseRoleResponse
	h.do("PUT", base+"/roles/"+r1, map[string]any{"description": "all"}, 200, &role)
	if role.Name != "admin" || deref(role.Description) != "all" || !slices.Equal(role.Permissions, []string{"read"}) {
		t.Fatalf("role partial update: %+v", role)
	}
	h.do("PUT", base+"/roles/"+r1, map[string]any{"name": "reader"}, 409, nil)
	var roles api.PaginatedResponseEnterpriseRoleResponse
	h.do("GET", base+"/roles?search=READ", nil, 200, &roles)
	if roles.Total != 1 {
		t.Fatalf("role search %+v", roles)
	}
	u2 := h.createUser(ent, "u2", "u2@acme.test", r1)
	h.do("DELETE", base+"/roles/"+r1, nil, 200, nil)
	var u api.EnterpriseUserResponse
	h.do("GET", base+"/users/"+u2, nil, 200, &u)
	if len(u.RoleIds) != 0 {
		t.Fatalf("deleted role still assigned: %v", u.RoleIds)
	}
}

func TestV3Operations(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	h.s.AddCredential(Credential{Tokens: []string{"ent-token"}, Name: "Ent bot", EnterpriseID: ent})
	var me api.CurrentUserV3
	h.do("GET", "/api/v3/users/me", nil, 200, &me, "Authorization", "Bearer ent-token")
	if string(me.EnterpriseId) != ent || deref(me.Nickname) != "Ent bot" || me.UserId == "" {
		t.Fatalf("me %+v", me)
	}
	// v3 create takes the enterprise from the token, or from enterpriseId.
	var res api.V3UserResult
	h.do("POST", "/api/v3/users?username=v3user&password=pw&email=v3@acme.test", nil, 200, &res, "Authorization", "Bearer ent-token")
	h.do("POST", "/api/v3/users?username=v3user2&password=pw&email=v32@acme.test", nil, 400, nil)
	h.do("POST", "/api/v3/users?username=v3user2&password=pw&phone=123&enterpriseId="+ent, nil, 200, nil)
	var list api.V3UserList
	h.do("GET", "/api/v3/enterprises/"+ent+"/users", nil, 200, &list)
	if len(*list.Users) != 3 {
		t.Fatalf("v3 users: %d", len(*list.Users))
	}
	h.do("PUT", "/api/v3/users?Userid="+string(deref(res.UserId)), nil, 200, nil)
	h.do("POST", "/api/v3/users/password/reset?login=v3user", nil, 200, nil)
	h.do("POST", "/api/v3/users/password/reset?login=ghost", nil, 404, nil)
	h.do("DELETE", "/api/v3/users?userId="+string(deref(res.UserId)), nil, 200, nil)
	h.do("DELETE", "/api/v3/users?userId="+string(deref(res.UserId)), nil, 404, nil)
}

func TestGeneratedClientRoundTrip(t *testing.T) {
	h := newHarness(t)
	c, err := api.NewClientWithResponses(h.s.URL(), api.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+testToken)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cr, err := c.CreateEnterpriseWithResponse(ctx, testOrg, &api.CreateEnterpriseParams{},
		api.CreateEnterpriseJSONRequestBody{Email: "a@acme.test", IdempotencyKey: "k", AdditionalAdmins: []string{}})
	if err != nil || cr.JSON200 == nil {
		t.Fatalf("create: %v %s", err, cr.Body)
	}
	ur, err := c.ListEnterpriseUsersWithResponse(ctx, cr.JSON200.EnterpriseId, &api.ListEnterpriseUsersParams{})
	if err != nil || ur.JSON200 == nil || ur.JSON200.Total != 1 {
		t.Fatalf("list: %v %s", err, ur.Body)
	}
	gr, err := c.GetEnterpriseUserWithResponse(ctx, cr.JSON200.EnterpriseId, "missing", &api.GetEnterpriseUserParams{})
	if err != nil || gr.StatusCode() != 404 || gr.JSON404 == nil || gr.JSON404.RequestId == "" {
		t.Fatalf("404: %v %d %s", err, gr.StatusCode(), gr.Body)
	}
}

func TestMutateHelpersDriftState(t *testing.T) {
	h := newHarness(t)
	c := h.createEnterprise("k")
	if err := h.s.MutateUser(c.EnterpriseID, c.UserID, func(u *User) { u.FirstName = "Drifted"; u.Status = StatusSuspended }); err != nil {
		t.Fatal(err)
	}
	var u api.EnterpriseUserResponse
	h.do("GET", "/v1/enterprises/"+c.EnterpriseID+"/users/"+c.UserID, nil, 200, &u)
	if deref(u.FirstName) != "Drifted" || u.Status != api.Suspended {
		t.Fatalf("drift not visible: %+v", u)
	}
	if err := h.s.MutateUser(c.EnterpriseID, "nope", func(*User) {}); err == nil {
		t.Fatal("want ErrNotFound")
	}
	if err := h.s.Delete("user", c.EnterpriseID, c.UserID); err != nil {
		t.Fatal(err)
	}
	h.do("GET", "/v1/enterprises/"+c.EnterpriseID+"/users/"+c.UserID, nil, 404, nil)
	h.s.ResetCalls()
	if got := h.s.Calls(); got["total"] != 0 {
		t.Fatalf("calls after reset %v", got)
	}
}

func TestAdminEndpoints(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.AdminToken = "admin-secret" })
	h.createEnterprise("k")
	h.do("GET", "/admin/calls", nil, 401, nil)
	var calls map[string]int
	h.do("GET", "/admin/calls", nil, 200, &calls, "Authorization", "Bearer admin-secret")
	if calls["createEnterprise"] != 1 || calls["total"] != 1 {
		t.Fatalf("calls %v", calls)
	}
	h.do("POST", "/admin/calls/reset", nil, 200, nil, "Authorization", "Bearer admin-secret")
	var f Faults
	h.do("PUT", "/admin/faults", `{"latency":"1ms","failNext":{"getEnterprise":2},"errorStatus":503}`, 200, &f, "Authorization", "Bearer admin-secret")
	if f.FailNext["getEnterprise"] != 2 || f.Latency != Duration(1e6) {
		t.Fatalf("faults %+v", f)
	}
	h.do("PUT", "/admin/faults", `{"errorRate":{"x":2}}`, 400, nil, "Authorization", "Bearer admin-secret")
	f = Faults{}
	h.do("DELETE", "/admin/faults", nil, 200, &f, "Authorization", "Bearer admin-secret")
	if f.FailNext != nil {
		t.Fatalf("faults not cleared: %+v", f)
	}
	var snap Snapshot
	h.do("GET", "/admin/state", nil, 200, &snap, "Authorization", "Bearer admin-secret")
	if len(snap.Enterprises) != 1 || len(snap.Enterprises[0].Users) != 1 {
		t.Fatalf("snapshot %+v", snap)
	}
	h.do("POST", "/admin/dns", map[string]any{"name": "x.acme.test", "values": []string{"v"}}, 200, nil, "Authorization", "Bearer admin-secret")
	if got := h.s.DNS().TXT("x.acme.test"); !slices.Equal(got, []string{"v"}) {
		t.Fatalf("dns %v", got)
	}
	h.do("GET", "/admin/nope", nil, 404, nil, "Authorization", "Bearer admin-secret")
}
