package platformsim

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"enterprise-operator/internal/platform/api"
)

// TestDriftReachesTheIndexes: what Mutate* and Delete change behind the API's back
// is what the API answers afterwards, uniqueness and order included.
func TestDriftReachesTheIndexes(t *testing.T) {
	type request struct {
		method, path string
		body         any
		want         int
		// wantJSON, when set, is the body (its member key, when set) the request answers.
		key, wantJSON string
	}
	tests := []struct {
		name      string
		drift     func(s *Server, ent, user, role, group string) error
		requests  func(ent, user, role, group string) []request
		wantUsers []string // usernames listed afterwards, in order
	}{
		{
			name: "a username changed by MutateUser is taken, the old one free",
			drift: func(s *Server, ent, user, _, _ string) error {
				return s.MutateUser(ent, user, func(u *User) { u.Username = "Renamed" })
			},
			requests: func(ent, _, _, _ string) []request {
				return []request{
					{"POST", "/v1/enterprises/" + ent + "/users", map[string]any{"username": "renamed", "password": "x", "email": "n1@acme.test"}, 409, "", ""},
					{"POST", "/v1/enterprises/" + ent + "/users", map[string]any{"username": "bob", "password": "x", "email": "n2@acme.test"}, 201, "", ""},
				}
			},
			wantUsers: []string{"admin@acme.test", "Renamed", "bob"},
		},
		{
			name: "a user added with MutateEnterprises is listed, found and owns its email",
			drift: func(s *Server, ent, _, _, _ string) error {
				id := s.NewID()
				s.MutateEnterprises(func(m map[string]*Enterprise) {
					m[ent].Users[id] = &User{ID: id, Username: "ghost", Email: "Ghost@acme.test", Status: StatusActive, RoleIDs: []string{}}
				})
				return nil
			},
			requests: func(ent, _, _, _ string) []request {
				return []request{
					{"POST", "/v1/enterprises/" + ent + "/users", map[string]any{"username": "g2", "password": "x", "email": "ghost@ACME.test"}, 409, "", ""},
					{"GET", "/api/v3/users/id?email=GHOST@acme.test", nil, 200, "", ""},
				}
			},
			// Added without a place in creation order, it lists first.
			wantUsers: []string{"ghost", "admin@acme.test", "bob"},
		},
		{
			name: "MutateEnterprise replacing the users map",
			drift: func(s *Server, ent, _, _, _ string) error {
				return s.MutateEnterprise(ent, func(e *Enterprise) {
					e.Users = map[string]*User{"u1": {ID: "u1", Username: "only", Status: StatusActive, RoleIDs: []string{}}}
				})
			},
			requests: func(ent, user, _, _ string) []request {
				return []request{
					{"GET", "/v1/enterprises/" + ent + "/users/" + user, nil, 404, "", ""},
					{"POST", "/v1/enterprises/" + ent + "/users", map[string]any{"username": "bob", "password": "x", "email": "bob@acme.test"}, 201, "", ""},
				}
			},
			wantUsers: []string{"only", "bob"},
		},
		{
			name:  "Delete of a user frees its name and its memberships",
			drift: func(s *Server, ent, user, _, _ string) error { return s.Delete(kindUser, ent, user) },
			requests: func(ent, _, _, group string) []request {
				return []request{
					{"POST", "/v1/enterprises/" + ent + "/users", map[string]any{"username": "BOB", "password": "x", "email": "b2@acme.test"}, 201, "", ""},
					{"GET", "/api/v3/enterprises/" + ent + "/groups/" + group + "/members", nil, 200, "", `[[]]`},
				}
			},
			wantUsers: []string{"admin@acme.test", "BOB"},
		},
		{
			name:  "Delete of a role leaves it assigned, unlike the API",
			drift: func(s *Server, ent, _, role, _ string) error { return s.Delete(kindRole, ent, role) },
			requests: func(ent, user, role, _ string) []request {
				return []request{
					{"POST", "/v1/enterprises/" + ent + "/roles", map[string]any{"name": "viewer"}, 201, "", ""},
					{"GET", "/v1/enterprises/" + ent + "/roles/" + role, nil, 404, "", ""},
					{"GET", "/v1/enterprises/" + ent + "/users/" + user, nil, 200, "role_ids", `["` + role + `"]`},
				}
			},
			wantUsers: []string{"admin@acme.test", "bob"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			ent := h.createEnterprise("k").EnterpriseID
			role := h.createRole(ent, "viewer")
			user := h.createUser(ent, "bob", "bob@acme.test", role)
			var g api.UserGroup
			h.do("POST", "/v1/enterprises/"+ent+"/groups", map[string]any{"name": "team"}, 201, &g)
			h.do("PUT", "/v1/enterprises/"+ent+"/groups/"+string(g.Id)+"/members/"+user, nil, 204, nil)
			if err := tc.drift(h.s, ent, user, role, string(g.Id)); err != nil {
				t.Fatalf("drift: %v", err)
			}
			for _, r := range tc.requests(ent, user, role, string(g.Id)) {
				raw := h.do(r.method, r.path, r.body, r.want, nil)
				if r.wantJSON != "" {
					checkJSON(t, raw, r.key, r.wantJSON)
				}
			}
			var page api.PaginatedResponseEnterpriseUserResponse
			h.do("GET", "/v1/enterprises/"+ent+"/users?per_page=100", nil, 200, &page)
			got := []string{}
			for _, u := range page.Data {
				got = append(got, u.Username)
			}
			if diff := cmp.Diff(tc.wantUsers, got); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(len(tc.wantUsers), page.Total); diff != "" {
				t.Errorf("total (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListPages: pages come in creation order whatever was deleted between them,
// and a page far past the end is empty rather than an overflow.
func TestListPages(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	ids := []string{}
	for i := range 7 {
		ids = append(ids, h.createRole(ent, fmt.Sprintf("role-%d", i)))
	}
	h.do("DELETE", "/v1/enterprises/"+ent+"/roles/"+ids[2], nil, 200, nil)
	h.do("DELETE", "/v1/enterprises/"+ent+"/roles/"+ids[5], nil, 200, nil)
	tests := []struct {
		query string
		want  []string
		total int
		pages int
	}{
		{"?per_page=2&page=1", []string{"role-0", "role-1"}, 5, 3},
		{"?per_page=2&page=2", []string{"role-3", "role-4"}, 5, 3},
		{"?per_page=2&page=3", []string{"role-6"}, 5, 3},
		{"?per_page=2&page=4", []string{}, 5, 3},
		{"?per_page=100&page=9223372036854775807", []string{}, 5, 1},
		{"?search=ROLE-6", []string{"role-6"}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			h.t = t
			var page api.PaginatedResponseEnterpriseRoleResponse
			h.do("GET", "/v1/enterprises/"+ent+"/roles"+tc.query, nil, 200, &page)
			got := []string{}
			for _, r := range page.Data {
				got = append(got, r.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([2]int{tc.total, tc.pages}, [2]int{page.Total, page.TotalPages}); diff != "" {
				t.Errorf("total, pages (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoginLookups: lookups by login compare case-insensitively, usernames and
// emails alike, and find the earliest created match.
func TestLoginLookups(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	carol := h.createUser(ent, "carol", "carol@acme.test")
	dave := h.createUser(ent, "dave", "dave@acme.test")
	tests := []struct {
		login string
		want  string // user id, "" for 404
	}{
		{"CAROL@acme.test", carol},
		{"Dave", dave},
		{"dave@ACME.TEST", dave},
		{"nobody@acme.test", ""},
	}
	for _, tc := range tests {
		t.Run(tc.login, func(t *testing.T) {
			h.t = t
			status, raw, _ := h.call("GET", "/api/v3/users/id?email="+tc.login, nil)
			got := ""
			if status == 200 {
				var look api.UserIdLookup
				h.do("GET", "/api/v3/users/id?email="+tc.login, nil, 200, &look)
				got = string(look.UserId)
			} else if status != 404 {
				t.Fatalf("status %d: %s", status, raw)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lookup (-want +got):\n%s", diff)
			}
			wantReset := 404
			if tc.want != "" {
				wantReset = 200
			}
			h.do("POST", "/api/v3/users/password/reset?login="+tc.login, nil, wantReset, nil)
		})
	}
	resets := map[string]int{}
	for _, u := range h.s.State().Enterprises[0].Users {
		resets[u.Username] = u.PasswordResets
	}
	if diff := cmp.Diff(map[string]int{"admin@acme.test": 0, "carol": 1, "dave": 2}, resets); diff != "" {
		t.Errorf("password resets (-want +got):\n%s", diff)
	}
}

// checkJSON compares the JSON body raw (or its member key) with want.
func checkJSON(t *testing.T, raw []byte, key, want string) {
	t.Helper()
	var got, w any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("body %s: %v", raw, err)
	}
	if key != "" {
		m, _ := got.(map[string]any)
		got = m[key]
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w, got); diff != "" {
		t.Errorf("body %s (-want +got):\n%s", raw, diff)
	}
}
