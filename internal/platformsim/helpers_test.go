package platformsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const (
	testOrg        = "59cd72485007a239fb00282ed480da1f"
	testToken      = "static-token"
	resellerToken  = "reseller-token"
	testClientID   = "demo-client"
	testSecret     = "demo-secret"
	managedCompany = "xC5kfGz7w2Nz"
	otherCompany   = "otherCo00001"
)

type harness struct {
	t     *testing.T
	s     *Server
	token string
}

func testOptions() Options {
	return Options{
		Credentials: []Credential{
			{ClientID: testClientID, ClientSecret: testSecret, Tokens: []string{testToken}, Name: "Demo", EnterpriseID: ""},
			{ClientID: "reseller", ClientSecret: "reseller-secret", Tokens: []string{resellerToken}, Reseller: true,
				CompanyIDs: []string{managedCompany, "ghostCompany"}},
		},
		Companies: []Company{
			{ResourceID: managedCompany, Name: "Acme", LicenseTargetUserLimit: 1},
			{ResourceID: otherCompany, Name: "Other"},
		},
		ValidateResponses:        true,
		AllowInsecureWebhookURLs: true,
		Seed:                     0,
	}
}

func newHarness(t *testing.T, mutate ...func(*Options)) *harness {
	t.Helper()
	opts := testOptions()
	for _, m := range mutate {
		m(&opts)
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &harness{t: t, s: s, token: testToken}
}

// call sends a request; hdr holds key/value pairs ("Authorization" defaults to the
// harness token; pass "Authorization", "" to send none).
func (h *harness) call(method, path string, body any, hdr ...string) (int, []byte, http.Header) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.s.URL()+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header
}

// do calls and checks the status, decoding the body into out when non-nil. Non-2xx
// bodies are checked to be the Error body.
func (h *harness) do(method, path string, body any, want int, out any, hdr ...string) []byte {
	h.t.Helper()
	status, raw, _ := h.call(method, path, body, hdr...)
	if status != want {
		h.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, status, want, raw)
	}
	if status >= 300 {
		checkErrorBody(h.t, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return raw
}

func checkErrorBody(t testing.TB, raw []byte) ErrorBody {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("error body is not JSON: %q", raw)
	}
	for _, k := range []string{"context", "error", "requestId"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("error body misses %q: %s", k, raw)
		}
	}
	if _, ok := m["context"].(map[string]any); !ok {
		t.Fatalf("error body context is not an object: %s", raw)
	}
	var eb ErrorBody
	_ = json.Unmarshal(raw, &eb)
	if eb.Error == "" || eb.RequestID == "" {
		t.Fatalf("error body has empty error or requestId: %s", raw)
	}
	return eb
}

type created struct {
	EnterpriseID string `json:"enterpriseId"`
	UserID       string `json:"userId"`
}

func (h *harness) createEnterprise(key string, hdr ...string) created {
	h.t.Helper()
	var c created
	h.do("POST", "/api/v2/organization/"+testOrg+"/enterprise",
		map[string]any{"email": "admin@acme.test", "idempotencyKey": key, "additionalAdmins": []string{}}, 200, &c, hdr...)
	return c
}

func (h *harness) createRole(ent, name string) string {
	h.t.Helper()
	var r struct{ ID string }
	h.do("POST", "/v1/enterprises/"+ent+"/roles", map[string]any{"name": name, "permissions": []string{"read"}}, 201, &r)
	return r.ID
}

func (h *harness) createUser(ent, username, email string, roles ...string) string {
	h.t.Helper()
	if roles == nil {
		roles = []string{}
	}
	var u struct{ ID string }
	h.do("POST", "/v1/enterprises/"+ent+"/users", map[string]any{"username": username, "password": "pw-1",
		"email": email, "role_ids": roles}, 201, &u)
	return u.ID
}
