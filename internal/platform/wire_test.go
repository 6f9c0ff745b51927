package platform

// Methods whose paths or bodies do not follow the /v1 CRUD pattern the operations
// table in methods_test.go covers: they get a request-and-answer test each.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestGroupsAndMembers(t *testing.T) {
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v3/enterprises/e/groups":
			writeJSON(w, 200, []map[string]any{{"id": "103", "name": "Sales Team", "description": "NA", "external_reference": nil}})
		case r.Method == http.MethodGet && r.URL.Path == "/api/v3/enterprises/e/groups/103/members":
			writeJSON(w, 200, [][]string{{"111", "123"}, {"123", "7"}})
		case r.Method == http.MethodPut && r.URL.Path == "/v1/enterprises/e/groups/103/members/111":
			w.WriteHeader(http.StatusNoContent)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			w.WriteHeader(500)
		}
	})
	c, _ := testClient(t, srv.URL, nil)
	ctx := context.Background()
	gs, err := c.ListGroups(ctx, "e")
	if err != nil || len(gs) != 1 || gs[0] != (Group{ID: "103", GroupSpec: GroupSpec{Name: "Sales Team", Description: "NA"}}) {
		t.Fatalf("ListGroups = %+v, %v", gs, err)
	}
	ms, err := c.ListGroupMembers(ctx, "e", "103")
	if err != nil || fmt.Sprint(ms) != "[111 123 7]" {
		t.Fatalf("ListGroupMembers = %v, %v", ms, err)
	}
	if err := c.AddGroupMember(ctx, "e", "103", "111"); err != nil {
		t.Fatal(err)
	}
}

func TestFindUserIDByEmail(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		if r.URL.Query().Get("email") == "known@acme.test" {
			writeJSON(w, 200, map[string]any{"userId": "12", "enterpriseOd": "18", "resultCode": "OK"})
			return
		}
		writeJSON(w, 404, seedError("UserNotFound", "no user with that email", "r"))
	})
	c, _ := testClient(t, srv.URL, nil)
	id, err := c.FindUserIDByEmail(context.Background(), "known@acme.test")
	if err != nil || id != "12" || rec.last().URL.Path != "/api/v3/users/id" {
		t.Fatalf("FindUserIDByEmail = %q, %v", id, err)
	}
	if _, err := c.FindUserIDByEmail(context.Background(), "nobody@acme.test"); !IsNotFound(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestCreateEnterpriseBody(t *testing.T) {
	org := "59cd72485007a239fb00282ed480da1f"
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		writeJSON(w, 200, map[string]any{"enterpriseId": strings.Repeat("b", 32), "userId": strings.Repeat("c", 32)})
	})
	c, _ := testClient(t, srv.URL, nil)
	out, err := c.CreateEnterprise(context.Background(), EnterpriseCreate{
		OrganizationID: org, AdminEmail: "admin@acme.test", IdempotencyKey: "uid-1",
		ThirdPartyIdentifiers: []ThirdPartyIdentifier{{ID: "sf-1", Label: "salesforce"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.EnterpriseID != strings.Repeat("b", 32) || out.AdminUserID != strings.Repeat("c", 32) {
		t.Errorf("out = %+v", out)
	}
	r := rec.last()
	if r.URL.Path != "/api/v2/organization/"+org+"/enterprise" {
		t.Errorf("path = %s", r.URL.Path)
	}
	want := `{"additionalAdmins":[],"email":"admin@acme.test","idempotencyKey":"uid-1","thirdPartyIdentifier":[{"id":"sf-1","label":"salesforce"}]}`
	if strings.TrimSpace(string(r.body)) != want {
		t.Errorf("body = %s\nwant   %s", r.body, want)
	}
}
