package platform

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewValidation(t *testing.T) {
	ok := func(c *Config) {}
	cases := []struct {
		name   string
		mutate func(*Config)
		want   error
	}{
		{"valid static", ok, nil},
		{"valid oauth2", func(c *Config) {
			c.Auth = Auth{OAuth2: &OAuth2{ClientID: "id", ClientSecret: "s"}}
		}, nil},
		{"no base url", func(c *Config) { c.BaseURL = "" }, ErrBaseURLRequired},
		{"relative base url", func(c *Config) { c.BaseURL = "/v1" }, ErrBaseURLInvalid},
		{"base url with credentials", func(c *Config) { c.BaseURL = "https://u:p@h.test" }, ErrBaseURLInvalid},
		{"base url ftp", func(c *Config) { c.BaseURL = "ftp://h.test" }, ErrBaseURLInvalid},
		{"no auth", func(c *Config) { c.Auth = Auth{} }, ErrAuthRequired},
		{"both auths", func(c *Config) {
			c.Auth.OAuth2 = &OAuth2{ClientID: "id", ClientSecret: "s"}
		}, ErrAuthAmbiguous},
		{"oauth2 without id", func(c *Config) {
			c.Auth = Auth{OAuth2: &OAuth2{ClientSecret: "s"}}
		}, ErrOAuth2ClientID},
		{"oauth2 without secret", func(c *Config) {
			c.Auth = Auth{OAuth2: &OAuth2{ClientID: "id"}}
		}, ErrOAuth2ClientSecret},
		{"oauth2 bad token url", func(c *Config) {
			c.Auth = Auth{OAuth2: &OAuth2{ClientID: "id", ClientSecret: "s", TokenURL: "connect/token"}}
		}, ErrTokenURLInvalid},
		{"bearer with space", func(c *Config) { c.Auth.BearerToken = "a b" }, ErrBearerTokenInvalid},
		{"bad company header", func(c *Config) { c.CompanyIDHeader = "X Company" }, ErrCompanyIDHeader},
		{"company id newline", func(c *Config) { c.CompanyID = "a\nb" }, ErrCompanyIDInvalid},
		{"negative rps", func(c *Config) { c.RequestsPerSecond = -1 }, ErrRequestsPerSecond},
		{"NaN rps", func(c *Config) { c.RequestsPerSecond = math.NaN() }, ErrRequestsPerSecond},
		{"negative burst", func(c *Config) { c.Burst = -1 }, ErrBurst},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, ErrTimeout},
		{"negative backoff", func(c *Config) { c.RetryBackoff = -time.Second }, ErrBackoff},
		{"user agent newline", func(c *Config) { c.UserAgent = "a\r\nb" }, ErrUserAgentInvalid},
		{"too many retries", func(c *Config) { c.MaxRetries = 11 }, ErrMaxRetriesOutOfRange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{BaseURL: "https://platform.test", Auth: Auth{BearerToken: testToken}}
			tc.mutate(&cfg)
			c, err := New(cfg)
			if tc.want == nil {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("New error = %v, want %v", err, tc.want)
			}
			var ce ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a ConfigError", err)
			}
		})
	}
}

func TestConfigFormattingHidesSecrets(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: "https://p.test", Auth: Auth{BearerToken: testToken}},
		{BaseURL: "https://p.test", Auth: Auth{OAuth2: &OAuth2{ClientID: "id", ClientSecret: testClientSecret}}},
	} {
		for _, verb := range []string{"%v", "%+v", "%s"} {
			s := fmt.Sprintf(verb, cfg)
			if strings.Contains(s, testToken) || strings.Contains(s, testClientSecret) {
				t.Errorf("%s of Config leaks a secret: %s", verb, s)
			}
		}
		if s := fmt.Sprintf("%#v", cfg.Auth); strings.Contains(s, testToken) || strings.Contains(s, testClientSecret) {
			t.Errorf("%%#v of Auth leaks a secret: %s", s)
		}
	}
}

func TestHeaders(t *testing.T) {
	cases := []struct {
		name       string
		mutate     func(*Config)
		wantHeader string
		wantValue  string
		wantUA     string
	}{
		{"no company", nil, DefaultCompanyIDHeader, "", DefaultUserAgent()},
		{"company default header", func(c *Config) { c.CompanyID = "xC5kfGz7w2Nz" }, DefaultCompanyIDHeader, "xC5kfGz7w2Nz", DefaultUserAgent()},
		{"company custom header", func(c *Config) {
			c.CompanyID = "cmp-1"
			c.CompanyIDHeader = "X-Company-Id"
			c.UserAgent = "enterprise-operator/v9.9.9"
		}, "X-Company-Id", "cmp-1", "enterprise-operator/v9.9.9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
				writeJSON(w, 200, userJSON("u1"))
			})
			c, _ := testClient(t, srv.URL, tc.mutate)
			if _, err := c.GetUser(context.Background(), "e1", "u1"); err != nil {
				t.Fatal(err)
			}
			r := rec.last()
			if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
				t.Errorf("Authorization = %q", got)
			}
			if got := r.Header.Get(tc.wantHeader); got != tc.wantValue {
				t.Errorf("%s = %q, want %q", tc.wantHeader, got, tc.wantValue)
			}
			if got := r.Header.Get("User-Agent"); got != tc.wantUA {
				t.Errorf("User-Agent = %q, want %q", got, tc.wantUA)
			}
			if !strings.HasPrefix(r.Header.Get("User-Agent"), "enterprise-operator/") {
				t.Errorf("User-Agent %q lacks the product", r.Header.Get("User-Agent"))
			}
			if r.URL.Path != "/v1/enterprises/e1/users/u1" || r.Method != http.MethodGet {
				t.Errorf("request = %s %s", r.Method, r.URL.Path)
			}
		})
	}
}

func TestBaseURLPathPrefix(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		writeJSON(w, 200, map[string]any{"userId": "12", "enterpriseId": "15", "nickname": "John"})
	})
	c, _ := testClient(t, srv.URL+"/platform/", nil)
	me, err := c.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rec.last().URL.Path != "/platform/api/v3/users/me" {
		t.Errorf("path = %s", rec.last().URL.Path)
	}
	if *me != (CurrentUser{UserID: "12", EnterpriseID: "15", Nickname: "John"}) {
		t.Errorf("WhoAmI = %+v", me)
	}
}
