package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		status int
		kind   ErrorKind
		is     func(error) bool
	}{
		{400, KindInvalid, IsInvalid},
		{401, KindUnauthorized, IsUnauthorized},
		{403, KindForbidden, IsForbidden},
		{404, KindNotFound, IsNotFound},
		{409, KindConflict, IsConflict},
		{422, KindInvalid, IsInvalid},
		{429, KindRateLimited, func(err error) bool { _, ok := IsRateLimited(err); return ok }},
		{500, KindUnavailable, IsUnavailable},
		{503, KindUnavailable, IsUnavailable},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
				writeJSON(w, tc.status, seedError("EnterpriseNotFound", "enterprise not found", "req-42"))
			})
			c, _ := testClient(t, srv.URL, func(c *Config) { c.MaxRetries = -1 })
			_, err := c.GetEnterprise(context.Background(), "e1")
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %T %v", err, err)
			}
			want := Error{Kind: tc.kind, StatusCode: tc.status, Operation: "getEnterprise", Name: "EnterpriseNotFound", Message: "enterprise not found", RequestID: "req-42"}
			if tc.status == 429 {
				want.RetryAfter = DefaultRateLimitedRetryAfter
			}
			if *pe != want {
				t.Errorf("error = %+v\nwant    %+v", *pe, want)
			}
			if !tc.is(err) {
				t.Errorf("Is helper false for %v", err)
			}
			wantStr := fmt.Sprintf("platform getEnterprise: HTTP %d EnterpriseNotFound: enterprise not found (requestId req-42)", tc.status)
			if err.Error() != wantStr {
				t.Errorf("Error() = %q, want %q", err.Error(), wantStr)
			}
		})
	}
	t.Run("non-JSON body", func(t *testing.T) {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			w.Header().Set("X-Request-Id", "hdr-1")
			http.Error(w, "<html>gateway</html>", http.StatusNotFound)
		})
		c, _ := testClient(t, srv.URL, nil)
		_, err := c.GetEnterprise(context.Background(), "e1")
		if !IsNotFound(err) {
			t.Fatalf("err = %v", err)
		}
		if got := err.Error(); got != "platform getEnterprise: HTTP 404: Not Found (requestId hdr-1)" {
			t.Errorf("Error() = %q", got)
		}
	})
	t.Run("2xx body that does not match", func(t *testing.T) {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			_, _ = w.Write([]byte(`{"id": 12`))
		})
		c, _ := testClient(t, srv.URL, nil)
		if _, err := c.GetUser(context.Background(), "e", "u"); !IsUnavailable(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty id is refused locally", func(t *testing.T) {
		c, _ := testClient(t, "http://127.0.0.1:1", nil)
		if _, err := c.GetUser(context.Background(), "e", ""); !IsInvalid(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestSecretsNeverInErrors: a platform that echoes everything it received (query,
// body, Authorization) into its error body must not get a secret into an error.
func TestSecretsNeverInErrors(t *testing.T) {
	echo := func(w http.ResponseWriter, r *recordedRequest) {
		msg := fmt.Sprintf("bad request %s?%s auth=%s body=%s", r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.body)
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"name": "Invalid " + r.Header.Get("Authorization"), "context": map[string]any{}, "error": msg, "requestId": string(r.body),
		})
	}
	ctx := context.Background()
	t.Run("CreateUser password", func(t *testing.T) {
		rec, srv := newRecorder(t, echo)
		c, _ := testClient(t, srv.URL, nil)
		_, err := c.CreateUser(ctx, "e", UserCreate{Username: "alice", Password: testPassword, Email: "a@acme.test"})
		if !IsInvalid(err) {
			t.Fatalf("err = %v", err)
		}
		r := rec.last()
		if r.Method != http.MethodPost || r.URL.Path != "/v1/enterprises/e/users" || r.URL.RawQuery != "" {
			t.Errorf("request = %s %s?%s; the password must travel in the body", r.Method, r.URL.Path, r.URL.RawQuery)
		}
		var sent map[string]any
		if json.Unmarshal(r.body, &sent) != nil || sent["password"] != testPassword || sent["username"] != "alice" {
			t.Errorf("body = %s", r.body)
		}
		assertNoSecret(t, err, testPassword, testToken)
	})
	t.Run("CreateWebhook signing secret", func(t *testing.T) {
		_, srv := newRecorder(t, echo)
		c, _ := testClient(t, srv.URL, nil)
		_, err := c.CreateWebhook(ctx, "e", WebhookSpec{URL: "https://h.test/hook", Events: []string{"user.created"}, Active: true, SigningSecret: testSigning})
		assertNoSecret(t, err, testSigning, testToken)
	})
	t.Run("UpdateWebhook signing secret", func(t *testing.T) {
		_, srv := newRecorder(t, echo)
		c, _ := testClient(t, srv.URL, nil)
		_, err := c.UpdateWebhook(ctx, "e", "w", WebhookSpec{URL: "https://h.test/hook", SigningSecret: testSigning})
		assertNoSecret(t, err, testSigning, testToken)
	})
	t.Run("OAuth2 client secret and access token", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /connect/token", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"access_token": "at-" + testClientSecret[:4] + "-opaque-access", "token_type": "Bearer", "expires_in": 3600})
		})
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			echo(w, &recordedRequest{Request: r, body: body})
		})
		srv := httptest.NewServer(mux)
		defer srv.Close()
		c, _ := testClient(t, srv.URL, func(c *Config) {
			c.Auth = Auth{OAuth2: &OAuth2{ClientID: "cid", ClientSecret: testClientSecret}}
		})
		_, err := c.CreateUser(ctx, "e", UserCreate{Username: "alice", Password: testPassword})
		assertNoSecret(t, err, testPassword, testClientSecret, "at-"+testClientSecret[:4]+"-opaque-access")
	})
	t.Run("token endpoint echoing the client secret", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /connect/token", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			_, secret, _ := r.BasicAuth()
			writeJSON(w, http.StatusUnauthorized, map[string]any{
				"error": "invalid_client", "error_description": "bad secret " + secret + r.PostForm.Get("client_secret"),
				"context": map[string]any{}, "requestId": "t-1",
			})
		})
		srv := httptest.NewServer(mux)
		defer srv.Close()
		c, _ := testClient(t, srv.URL, func(c *Config) {
			c.Auth = Auth{OAuth2: &OAuth2{ClientID: "cid", ClientSecret: testClientSecret}}
		})
		_, err := c.GetUser(ctx, "e", "u")
		if !IsUnauthorized(err) {
			t.Fatalf("err = %v", err)
		}
		assertNoSecret(t, err, testClientSecret)
	})
}

func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error")
	}
	var pe *Error
	errors.As(err, &pe)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", pe)} {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("error contains secret %q: %s", secret, s)
			}
		}
	}
}
