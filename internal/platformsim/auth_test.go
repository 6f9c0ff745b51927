package platformsim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"enterprise-operator/internal/platform/api"
)

// basicAuthValue encodes client credentials for HTTP Basic (RFC 6749 2.3.1).
func basicAuthValue(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func tokenRequest(t *testing.T, h *harness, form url.Values, basic ...string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", h.s.URL()+"/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.Header.Set("Authorization", basicAuthValue(basic[0], basic[1]))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	return resp.StatusCode, raw
}

func TestTokenEndpoint(t *testing.T) {
	// A clock the test moves, so expiry needs no sleep.
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	h := newHarness(t, func(o *Options) {
		o.TokenTTL = 300 * time.Millisecond
		o.Now = func() time.Time { return time.Unix(0, now.Load()) }
	})
	tests := []struct {
		name   string
		form   url.Values
		basic  []string
		status int
		code   string
	}{
		{"post credentials", url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {testSecret}}, nil, 200, ""},
		{"basic credentials", url.Values{"grant_type": {"client_credentials"}, "scope": {"API"}}, []string{testClientID, testSecret}, 200, ""},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {"x"}}, nil, 401, "invalid_client"},
		{"no client", url.Values{"grant_type": {"client_credentials"}}, nil, 401, "invalid_client"},
		{"wrong grant", url.Values{"grant_type": {"password"}, "client_id": {testClientID}, "client_secret": {testSecret}}, nil, 400, "unsupported_grant_type"},
		{"wrong scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, []string{testClientID, testSecret}, 400, "invalid_scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, raw := tokenRequest(t, h, tc.form, tc.basic...)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, raw)
			}
			if status != 200 {
				if eb := checkErrorBody(t, raw); eb.Error != tc.code {
					t.Fatalf("error %q, want %q", eb.Error, tc.code)
				}
				return
			}
			var tok api.TokenResponse
			_ = json.Unmarshal(raw, &tok)
			if tok.TokenType != "Bearer" || tok.AccessToken == "" || deref(tok.ExpiresIn) != 1 {
				t.Fatalf("token %+v", tok)
			}
		})
	}

	// An issued token works until it expires.
	_, raw := tokenRequest(t, h, url.Values{"grant_type": {"client_credentials"}}, testClientID, testSecret)
	var tok api.TokenResponse
	_ = json.Unmarshal(raw, &tok)
	h.do("GET", "/api/v3/users/me", nil, 200, nil, "Authorization", "Bearer "+tok.AccessToken)
	// A tampered token is refused.
	h.do("GET", "/api/v3/users/me", nil, 401, nil, "Authorization", "Bearer "+tok.AccessToken[:len(tok.AccessToken)-2]+"xx")
	now.Add(int64(350 * time.Millisecond))
	raw = h.do("GET", "/api/v3/users/me", nil, 401, nil, "Authorization", "Bearer "+tok.AccessToken)
	if eb := checkErrorBody(t, raw); !strings.Contains(eb.Error, "expired") {
		t.Fatalf("expired token: %s", raw)
	}
}

func TestOAuth2ClientCredentialsLibrary(t *testing.T) {
	h := newHarness(t)
	cfg := clientcredentials.Config{ClientID: testClientID, ClientSecret: testSecret, TokenURL: h.s.URL() + "/connect/token", Scopes: []string{"API"}}
	c := cfg.Client(context.Background())
	resp, err := c.Get(h.s.URL() + "/api/v3/users/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	bad := clientcredentials.Config{ClientID: testClientID, ClientSecret: "nope", TokenURL: h.s.URL() + "/connect/token"}
	if _, err := bad.Token(context.Background()); err == nil {
		t.Fatal("wrong secret accepted")
	}
}

func TestAuthAndCompanyScoping(t *testing.T) {
	h := newHarness(t)
	ent := h.createEnterprise("k").EnterpriseID
	scoped := h.createEnterprise("k", CompanyHeader, managedCompany, "Authorization", "Bearer "+resellerToken).EnterpriseID
	if scoped == ent {
		t.Fatal("company-scoped create reused the unscoped enterprise")
	}
	tests := []struct {
		name   string
		path   string
		hdr    []string
		status int
	}{
		{"no token", "/v1/enterprises/" + ent + "/users", []string{"Authorization", ""}, 401},
		{"bad token", "/v1/enterprises/" + ent + "/users", []string{"Authorization", "Bearer nope"}, 401},
		{"basic instead of bearer", "/v1/enterprises/" + ent + "/users", []string{"Authorization", "Basic Zm9vOmJhcg=="}, 401},
		{"ok", "/v1/enterprises/" + ent + "/users", nil, 200},
		{"company header without reseller", "/v1/enterprises/" + ent + "/users", []string{CompanyHeader, managedCompany}, 403},
		{"unmanaged company", "/v1/enterprises/" + scoped + "/users", []string{"Authorization", "Bearer " + resellerToken, CompanyHeader, otherCompany}, 403},
		{"managed but unknown company", "/v1/enterprises/" + scoped + "/users", []string{"Authorization", "Bearer " + resellerToken, CompanyHeader, "ghostCompany"}, 404},
		{"scoped enterprise in its company", "/v1/enterprises/" + scoped + "/users", []string{"Authorization", "Bearer " + resellerToken, CompanyHeader, managedCompany}, 200},
		{"scoped enterprise outside its company", "/v1/enterprises/" + scoped + "/users", nil, 404},
		{"scoped enterprise by reseller without header", "/v1/enterprises/" + scoped, []string{"Authorization", "Bearer " + resellerToken}, 404},
		{"unscoped enterprise inside a company", "/v1/enterprises/" + ent, []string{"Authorization", "Bearer " + resellerToken, CompanyHeader, managedCompany}, 404},
		{"companies need a reseller", "/api/companies/search", nil, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			method, body := "GET", any(nil)
			if strings.HasPrefix(tc.path, "/api/companies") {
				method, body = "POST", map[string]any{"pageNumber": 1, "pageSize": 10, "orderBy": "CreateTime", "ascending": false}
			}
			h.do(method, tc.path, body, tc.status, nil, tc.hdr...)
		})
	}
	h.t = t
	// The reseller lists its companies (only those that exist).
	var res api.CompanySearchResponse
	h.do("POST", "/api/companies/search", map[string]any{"pageNumber": 1, "pageSize": 10, "orderBy": "Name", "ascending": true},
		200, &res, "Authorization", "Bearer "+resellerToken)
	if res.Items == nil || len(*res.Items) != 1 || (*res.Items)[0].ResourceId != managedCompany {
		t.Fatalf("companies %+v", res)
	}
	// Target users go to the header's company.
	body := map[string]any{"email": "t@acme.test", "phoneNumber": "+100"}
	h.do("POST", "/api/target-users", body, 400, nil, "Authorization", "Bearer "+resellerToken)
	h.do("POST", "/api/target-users", body, 200, nil, "Authorization", "Bearer "+resellerToken, CompanyHeader, managedCompany)
	h.do("POST", "/api/target-users", body, 400, nil, "Authorization", "Bearer "+resellerToken, CompanyHeader, managedCompany)
	h.do("POST", "/api/target-users", map[string]any{"email": "u@acme.test", "phoneNumber": "+100"}, 200, nil,
		"Authorization", "Bearer "+resellerToken, CompanyHeader, managedCompany)
	h.do("POST", "/api/target-users", map[string]any{"email": strings.Repeat("x", 321), "phoneNumber": "1"}, 400, nil,
		"Authorization", "Bearer "+resellerToken, CompanyHeader, managedCompany)
	h.do("POST", "/api/companies/search", map[string]any{"pageNumber": 1, "pageSize": 10, "orderBy": "Name", "ascending": true,
		"isTargetUserCountExceededLimit": true}, 200, &res, "Authorization", "Bearer "+resellerToken)
	if len(*res.Items) != 1 || deref((*res.Items)[0].TargetUserCount) != 2 {
		t.Fatalf("exceeded filter %+v", res)
	}
	// The admin dump keeps company ownership.
	for _, e := range h.s.State().Enterprises {
		if e.ID == scoped && e.CompanyID != managedCompany {
			t.Fatalf("scoped enterprise company %q", e.CompanyID)
		}
	}
}
