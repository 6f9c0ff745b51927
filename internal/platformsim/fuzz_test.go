package platformsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandler feeds arbitrary requests to the whole handler: it must never panic,
// every non-2xx answer must be the Error body, and no answer may violate the
// contract (ValidateResponses turns a violation into a 500 the fuzzer reports).
func FuzzHandler(f *testing.F) {
	opts := testOptions()
	opts.ValidateResponses = true
	s, err := New(opts)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	// A known enterprise gives the fuzzer deeper paths to reach.
	ent, _, aerr := s.store.createEnterprise(scope{}, EnterpriseInput{OrganizationID: testOrg, AdminEmail: "a@acme.test", IdempotencyKey: "fuzz"})
	if aerr != nil {
		f.Fatal(aerr)
	}
	e := "/v1/enterprises/" + ent.ID
	seeds := []struct {
		method, path, body string
		auth               bool
	}{
		{"GET", "/v1/enterprises/x/users", "", true},
		{"GET", e + "/users?page=2&per_page=1&status=active", "", true},
		{"POST", e + "/users", `{"username":"u","password":"p","email":"u@x.test"}`, true},
		{"POST", e + "/users", `{"username":"u","password":"p","role_ids":["nope"],"email":"v@x.test"}`, true},
		{"PUT", e + "/users/" + ent.AdminUserID, `{"first_name":"A"}`, true},
		{"POST", e + "/roles", `{"name":"r","permissions":["a"]}`, true},
		{"POST", e + "/groups", `{"name":"g"}`, true},
		{"POST", e + "/domains", `{"domain":"fuzz.test"}`, true},
		{"POST", e + "/domains", `{"domain":"-bad-"}`, true},
		{"POST", e + "/webhooks", `{"url":"http://127.0.0.1:9/x","events":["a"]}`, true},
		{"POST", e + "/webhooks", `{"url":"::","events":[]}`, true},
		{"POST", "/api/v2/organization/" + testOrg + "/enterprise", `{"email":"b@x.test","idempotencyKey":"k","additionalAdmins":[]}`, true},
		{"POST", "/api/v2/organization/NOTHEX/enterprise", `{}`, true},
		{"POST", "/connect/token", "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret", false},
		{"POST", "/connect/token", "grant_type=password", false},
		{"POST", "/api/companies/search", `{"pageNumber":1,"pageSize":1,"orderBy":"Name","ascending":true}`, true},
		{"POST", "/api/target-users", `{"email":"t@x.test","phoneNumber":"1"}`, true},
		{"GET", "/api/v3/users/me", "", true},
		{"GET", "/api/v3/users/id?email=a@acme.test", "", true},
		{"DELETE", "/api/v3/users?userId=zzz", "", true},
		{"POST", "/api/v3/users?username=a&password=b", "", true},
		{"GET", "/api/v3/enterprises/" + ent.ID + "/groups/x/members", "", true},
		{"PATCH", e, `{}`, true},
		{"GET", "/v1/enterprises//users", "", true},
		{"GET", "/v1/enterprises/../users", "", true},
		{"GET", "/admin/state", "", false},
		{"PUT", "/admin/faults", `{"latency":"bogus"}`, false},
		{"GET", "/nope", "", false},
		{"POST", e + "/users", `{"username":`, true},
		{"GET", e + "/users?per_page=-1", "", false},
	}
	for _, sd := range seeds {
		f.Add(sd.method, sd.path, sd.body, sd.auth)
	}
	f.Fuzz(func(t *testing.T, method, path, body string, auth bool) {
		if strings.HasPrefix(path, "/admin/faults") || strings.HasPrefix(path, "/admin/credentials") ||
			strings.HasPrefix(path, "/admin/calls") {
			// Admin writes would change the server for later inputs (e.g. inject faults).
			return
		}
		if strings.Contains(path, "/test") {
			return // webhook tests would dial out
		}
		req, err := http.NewRequest(method, "http://sim.test"+path, strings.NewReader(body))
		if err != nil || req.URL.Host != "sim.test" {
			return
		}
		switch {
		case strings.HasPrefix(body, "{") || strings.HasPrefix(body, "["):
			req.Header.Set("Content-Type", "application/json")
		case body != "":
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+testToken)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code >= 200 && rec.Code < 300 {
			return
		}
		var eb map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil {
			t.Fatalf("%s %q: %d without a JSON Error body: %q", method, path, rec.Code, rec.Body.String())
		}
		ctx, okCtx := eb["context"].(map[string]any)
		msg, okErr := eb["error"].(string)
		rid, okRID := eb["requestId"].(string)
		if !okCtx || !okErr || !okRID || msg == "" || rid == "" {
			t.Fatalf("%s %q: %d with a malformed Error body: %s", method, path, rec.Code, rec.Body.String())
		}
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("%s %q %q: 500: %s (context %v)", method, path, body, msg, ctx)
		}
	})
}
