package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testToken        = "static-test-token-0123456789"
	testClientSecret = "cl1ent-S3cret-value"
	testPassword     = "hunter2-P@ssw0rd-xyz"
	testSigning      = "whsec-signing-secret-abcdef"
)

// recorder is an httptest platform whose answers a test scripts.
type recorder struct {
	mu       sync.Mutex
	requests []*recordedRequest
	handler  func(w http.ResponseWriter, r *recordedRequest)
}

type recordedRequest struct {
	*http.Request
	body []byte
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rr := &recordedRequest{Request: r, body: body}
	rec.mu.Lock()
	rec.requests = append(rec.requests, rr)
	rec.mu.Unlock()
	rec.handler(w, rr)
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.requests)
}

func (rec *recorder) last() *recordedRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.requests[len(rec.requests)-1]
}

func newRecorder(t *testing.T, h func(w http.ResponseWriter, r *recordedRequest)) (*recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{handler: h}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv
}

// testClient builds a client whose sleeps are recorded instead of waited.
func testClient(t *testing.T, baseURL string, mutate func(*Config)) (*client, *[]time.Duration) {
	t.Helper()
	cfg := Config{
		BaseURL:           baseURL,
		Auth:              Auth{BearerToken: testToken},
		RequestsPerSecond: math.Inf(1),
		Timeout:           5 * time.Second,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := newClient(cfg)
	if err != nil {
		t.Fatalf("newClient: %v", err)
	}
	var mu sync.Mutex
	sleeps := &[]time.Duration{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*sleeps = append(*sleeps, d)
		mu.Unlock()
		return ctx.Err()
	}
	return c, sleeps
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func seedError(name, msg, requestID string) map[string]any {
	return map[string]any{"name": name, "context": map[string]any{"field": "x"}, "error": msg, "requestId": requestID}
}

func userJSON(id string) map[string]any {
	return map[string]any{"id": id, "username": "user-" + id, "email": id + "@acme.test", "role_ids": []string{"r1"}, "status": "active"}
}

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

// TestRetryPolicy: 5xx is retried for reads and idempotent writes only.
func TestRetryPolicy(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		call      func(c *client) error
		retryable bool
	}{
		{"GET getEnterpriseUser", func(c *client) error { _, err := c.GetUser(ctx, "e", "u"); return err }, true},
		{"PUT updateEnterpriseUser", func(c *client) error { _, err := c.UpdateUser(ctx, "e", "u", UserUpdate{}); return err }, true},
		{"DELETE deleteEnterpriseUser", func(c *client) error { return c.DeleteUser(ctx, "e", "u") }, true},
		{"POST suspendEnterpriseUser", func(c *client) error { _, err := c.SuspendUser(ctx, "e", "u"); return err }, true},
		{"POST activateEnterpriseUser", func(c *client) error { _, err := c.ActivateUser(ctx, "e", "u"); return err }, true},
		{"POST createEnterprise (idempotency key)", func(c *client) error {
			_, err := c.CreateEnterprise(ctx, EnterpriseCreate{OrganizationID: strings.Repeat("a", 32), AdminEmail: "a@acme.test", IdempotencyKey: "k"})
			return err
		}, true},
		{"PUT addEnterpriseGroupMember", func(c *client) error { return c.AddGroupMember(ctx, "e", "g", "u") }, true},
		{"POST createEnterpriseUser", func(c *client) error {
			_, err := c.CreateUser(ctx, "e", UserCreate{Username: "u", Password: testPassword})
			return err
		}, false},
		{"POST createEnterpriseRole", func(c *client) error { _, err := c.CreateRole(ctx, "e", RoleSpec{Name: "r"}); return err }, false},
		{"POST createEnterpriseDomain", func(c *client) error { _, err := c.CreateDomain(ctx, "e", "acme.test"); return err }, false},
		{"POST createEnterpriseWebhook", func(c *client) error {
			_, err := c.CreateWebhook(ctx, "e", WebhookSpec{URL: "https://h.test", Events: []string{"x"}})
			return err
		}, false},
		{"POST createEnterpriseGroup", func(c *client) error { _, err := c.CreateGroup(ctx, "e", GroupSpec{Name: "g"}); return err }, false},
		{"POST resetEnterpriseUserPassword", func(c *client) error { _, err := c.ResetUserPassword(ctx, "e", "u"); return err }, false},
		{"POST testEnterpriseWebhook", func(c *client) error { _, err := c.TestWebhook(ctx, "e", "w"); return err }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Always 503: a retryable call makes 1+MaxRetries attempts, others one.
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
				writeJSON(w, http.StatusServiceUnavailable, seedError("Unavailable", "try later", "req-1"))
			})
			c, sleeps := testClient(t, srv.URL, func(c *Config) { c.MaxRetries = 2 })
			err := tc.call(c)
			if !IsUnavailable(err) {
				t.Fatalf("err = %v, want Unavailable", err)
			}
			want := 1
			if tc.retryable {
				want = 3
			}
			if rec.count() != want {
				t.Errorf("attempts = %d, want %d", rec.count(), want)
			}
			if len(*sleeps) != want-1 {
				t.Errorf("backoffs = %v, want %d", *sleeps, want-1)
			}
		})
	}
}

func TestRetryThenSuccessAndBackoff(t *testing.T) {
	var n atomic.Int32
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		switch n.Add(1) {
		case 1:
			writeJSON(w, http.StatusInternalServerError, seedError("Internal", "boom", "r1"))
		case 2:
			w.WriteHeader(http.StatusBadGateway)
		default:
			writeJSON(w, 200, userJSON("u"))
		}
	})
	c, sleeps := testClient(t, srv.URL, func(c *Config) {
		c.RetryBackoff = 100 * time.Millisecond
		c.MaxRetryBackoff = 150 * time.Millisecond
	})
	u, err := c.GetUser(context.Background(), "e", "u")
	if err != nil || u.ID != "u" {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	if len(*sleeps) != 2 {
		t.Fatalf("sleeps = %v", *sleeps)
	}
	// Equal jitter: [d/2, d] with d = 100ms then min(200ms, 150ms).
	if s := (*sleeps)[0]; s < 50*time.Millisecond || s > 100*time.Millisecond {
		t.Errorf("first backoff %v outside [50ms,100ms]", s)
	}
	if s := (*sleeps)[1]; s < 75*time.Millisecond || s > 150*time.Millisecond {
		t.Errorf("second backoff %v outside [75ms,150ms]", s)
	}
}

func TestRetriesDisabled(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c, _ := testClient(t, srv.URL, func(c *Config) { c.MaxRetries = -1 })
	if _, err := c.GetUser(context.Background(), "e", "u"); !IsUnavailable(err) {
		t.Fatalf("err = %v", err)
	}
	if rec.count() != 1 {
		t.Errorf("attempts = %d", rec.count())
	}
}

func TestTransportErrorRetriedForReads(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close() // connection refused from now on
	c, sleeps := testClient(t, url, func(c *Config) { c.MaxRetries = 2 })
	_, err := c.GetUser(context.Background(), "e", "u")
	if !IsUnavailable(err) {
		t.Fatalf("err = %v", err)
	}
	if len(*sleeps) != 2 {
		t.Errorf("sleeps = %v, want 2 retries", *sleeps)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("transport error leaks the token: %v", err)
	}
	c2, sleeps2 := testClient(t, url, func(c *Config) { c.MaxRetries = 2 })
	if _, err := c2.CreateUser(context.Background(), "e", UserCreate{Username: "u", Password: testPassword}); !IsUnavailable(err) {
		t.Fatalf("create err = %v", err)
	}
	if len(*sleeps2) != 0 {
		t.Errorf("a create was retried after a transport failure: %v", *sleeps2)
	}
}

func TestRateLimited(t *testing.T) {
	ctx := context.Background()
	t.Run("GET waits Retry-After then retries", func(t *testing.T) {
		var n atomic.Int32
		rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "2")
				writeJSON(w, http.StatusTooManyRequests, seedError("RateLimited", "slow down", "r"))
				return
			}
			writeJSON(w, 200, userJSON("u"))
		})
		c, sleeps := testClient(t, srv.URL, nil)
		if _, err := c.GetUser(ctx, "e", "u"); err != nil {
			t.Fatal(err)
		}
		if rec.count() != 2 || len(*sleeps) != 1 || (*sleeps)[0] != 2*time.Second {
			t.Errorf("attempts = %d, sleeps = %v; want 2 attempts and one 2s wait", rec.count(), *sleeps)
		}
	})
	t.Run("GET honours an HTTP-date Retry-After", func(t *testing.T) {
		now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		nowFunc = func() time.Time { return now }
		t.Cleanup(func() { nowFunc = time.Now })
		var n atomic.Int32
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", now.Add(5*time.Second).Format(http.TimeFormat))
				writeJSON(w, http.StatusTooManyRequests, seedError("RateLimited", "slow down", "r"))
				return
			}
			writeJSON(w, 200, userJSON("u"))
		})
		c, sleeps := testClient(t, srv.URL, nil)
		if _, err := c.GetUser(ctx, "e", "u"); err != nil {
			t.Fatal(err)
		}
		if len(*sleeps) != 1 || (*sleeps)[0] != 5*time.Second {
			t.Errorf("sleeps = %v, want [5s]", *sleeps)
		}
	})
	t.Run("create returns RateLimited with RetryAfter", func(t *testing.T) {
		rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			w.Header().Set("Retry-After", "7")
			writeJSON(w, http.StatusTooManyRequests, seedError("RateLimited", "slow down", "r"))
		})
		c, sleeps := testClient(t, srv.URL, nil)
		_, err := c.CreateUser(ctx, "e", UserCreate{Username: "u", Password: testPassword})
		d, ok := IsRateLimited(err)
		if !ok || d != 7*time.Second {
			t.Fatalf("IsRateLimited(%v) = %v, %v", err, d, ok)
		}
		if rec.count() != 1 || len(*sleeps) != 0 {
			t.Errorf("attempts = %d, sleeps = %v", rec.count(), *sleeps)
		}
	})
	t.Run("GET returns a Retry-After beyond MaxRetryAfter", func(t *testing.T) {
		rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			w.Header().Set("Retry-After", "3600")
			writeJSON(w, http.StatusTooManyRequests, seedError("RateLimited", "slow down", "r"))
		})
		c, _ := testClient(t, srv.URL, nil)
		_, err := c.GetUser(ctx, "e", "u")
		if d, ok := IsRateLimited(err); !ok || d != time.Hour {
			t.Fatalf("IsRateLimited(%v) = %v, %v", err, d, ok)
		}
		if rec.count() != 1 {
			t.Errorf("attempts = %d", rec.count())
		}
	})
	t.Run("GET gives up when Retry-After passes the deadline", func(t *testing.T) {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			w.Header().Set("Retry-After", "20")
			writeJSON(w, http.StatusTooManyRequests, seedError("RateLimited", "slow down", "r"))
		})
		c, sleeps := testClient(t, srv.URL, nil)
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if _, ok := IsRateLimited(func() error { _, err := c.GetUser(dctx, "e", "u"); return err }()); !ok {
			t.Fatal("want RateLimited")
		}
		if len(*sleeps) != 0 {
			t.Errorf("sleeps = %v", *sleeps)
		}
	})
	t.Run("missing Retry-After defaults", func(t *testing.T) {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
			w.WriteHeader(http.StatusTooManyRequests)
		})
		c, _ := testClient(t, srv.URL, nil)
		_, err := c.CreateRole(ctx, "e", RoleSpec{Name: "r"})
		if d, ok := IsRateLimited(err); !ok || d != DefaultRateLimitedRetryAfter {
			t.Fatalf("IsRateLimited(%v) = %v, %v", err, d, ok)
		}
	})
}

func TestRateLimiterSpacesRequests(t *testing.T) {
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		writeJSON(w, 200, userJSON("u"))
	})
	c, _ := testClient(t, srv.URL, func(c *Config) { c.RequestsPerSecond = 20; c.Burst = 1 })
	start := time.Now()
	for range 4 {
		if _, err := c.GetUser(context.Background(), "e", "u"); err != nil {
			t.Fatal(err)
		}
	}
	// 4 requests at 20/s with burst 1 need at least 3 intervals of 50ms.
	if el := time.Since(start); el < 140*time.Millisecond {
		t.Errorf("4 requests took %v, the limiter did not wait", el)
	}
}

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

// tokenServer is an OAuth2 token endpoint that numbers its tokens.
type tokenServer struct {
	issued atomic.Int32
}

func (ts *tokenServer) handle(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != "cid" || secret != testClientSecret || r.PostForm.Get("grant_type") != "client_credentials" {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "context": map[string]any{}, "requestId": "t"})
			return
		}
		if got := r.PostForm.Get("scope"); got != "API" {
			t.Errorf("scope = %q", got)
		}
		if r.Header.Get(DefaultCompanyIDHeader) != "" || !strings.HasPrefix(r.Header.Get("User-Agent"), "enterprise-operator/") {
			t.Errorf("token request headers: company %q, User-Agent %q", r.Header.Get(DefaultCompanyIDHeader), r.Header.Get("User-Agent"))
		}
		n := ts.issued.Add(1)
		writeJSON(w, 200, map[string]any{"access_token": fmt.Sprintf("tok-%d", n), "token_type": "Bearer", "expires_in": 3600})
	}
}

func TestOAuth2TokenCachingAndRefreshOn401(t *testing.T) {
	ts := &tokenServer{}
	var apiCalls atomic.Int32
	var mu sync.Mutex
	var seen []string
	// The platform revokes tok-1 after its first use.
	mux := http.NewServeMux()
	mux.HandleFunc("POST /connect/token", ts.handle(t))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiCalls.Add(1)
		authz := r.Header.Get("Authorization")
		mu.Lock()
		seen = append(seen, authz)
		revoked := authz == "Bearer tok-1" && len(seen) > 1
		mu.Unlock()
		if revoked {
			writeJSON(w, http.StatusUnauthorized, seedError("TokenExpired", "token expired", "r"))
			return
		}
		writeJSON(w, 200, userJSON("u"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, sleeps := testClient(t, srv.URL, func(c *Config) {
		c.Auth = Auth{OAuth2: &OAuth2{ClientID: "cid", ClientSecret: testClientSecret, Scopes: []string{"API"}}}
		c.CompanyID = "cmp-1"
	})
	ctx := context.Background()
	if _, err := c.GetUser(ctx, "e", "u"); err != nil { // tok-1 fetched and accepted
		t.Fatal(err)
	}
	// tok-1 is cached; the platform refuses it now; the client refreshes once
	// transparently, also for a non-idempotent create.
	if _, err := c.CreateUser(ctx, "e", UserCreate{Username: "u", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(ctx, "e", "u"); err != nil { // tok-2 cached
		t.Fatal(err)
	}
	want := []string{"Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-2"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("Authorization headers = %v, want %v", seen, want)
	}
	if ts.issued.Load() != 2 {
		t.Errorf("tokens issued = %d, want 2 (cached between calls)", ts.issued.Load())
	}
	if len(*sleeps) != 0 {
		t.Errorf("the refresh must not back off: %v", *sleeps)
	}
}

func TestOAuth2PersistentUnauthorized(t *testing.T) {
	ts := &tokenServer{}
	var apiCalls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /connect/token", ts.handle(t))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiCalls.Add(1)
		writeJSON(w, http.StatusUnauthorized, seedError("Unauthorized", "no", "r"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := testClient(t, srv.URL, func(c *Config) {
		c.Auth = Auth{OAuth2: &OAuth2{ClientID: "cid", ClientSecret: testClientSecret, Scopes: []string{"API"}, TokenURL: srv.URL + "/connect/token"}}
	})
	_, err := c.GetUser(context.Background(), "e", "u")
	if !IsUnauthorized(err) {
		t.Fatalf("err = %v", err)
	}
	if apiCalls.Load() != 2 || ts.issued.Load() != 2 {
		t.Errorf("api calls = %d, tokens = %d; want one refresh (2 and 2)", apiCalls.Load(), ts.issued.Load())
	}
}

func TestStaticTokenUnauthorizedNotRetried(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		writeJSON(w, http.StatusUnauthorized, seedError("Unauthorized", "no", "r"))
	})
	c, _ := testClient(t, srv.URL, nil)
	if _, err := c.GetUser(context.Background(), "e", "u"); !IsUnauthorized(err) {
		t.Fatalf("err = %v", err)
	}
	if rec.count() != 1 {
		t.Errorf("attempts = %d", rec.count())
	}
}

func TestOAuth2BadCredentials(t *testing.T) {
	ts := &tokenServer{}
	var apiCalls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /connect/token", ts.handle(t))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { apiCalls.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _ := testClient(t, srv.URL, func(c *Config) {
		c.Auth = Auth{OAuth2: &OAuth2{ClientID: "cid", ClientSecret: "wrong-secret"}}
	})
	_, err := c.WhoAmI(context.Background())
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != KindUnauthorized || pe.Operation != "getToken" || pe.Name != "invalid_client" {
		t.Fatalf("err = %#v", err)
	}
	if apiCalls.Load() != 0 {
		t.Errorf("the API was called without a token")
	}
}

func TestPagination(t *testing.T) {
	type server struct {
		name string
		// page returns the users of a page, per_page and total_pages to report.
		total        int
		cap          int  // the platform's own per_page maximum
		reportTotal  bool // total_pages is reported
		wantRequests int
		wantUsers    int
	}
	cases := []server{
		{name: "total_pages", total: 250, cap: 100, reportTotal: true, wantRequests: 3, wantUsers: 250},
		{name: "exact multiple with total_pages", total: 200, cap: 100, reportTotal: true, wantRequests: 2, wantUsers: 200},
		{name: "short page without total", total: 250, cap: 100, wantRequests: 3, wantUsers: 250},
		{name: "empty page without total", total: 200, cap: 100, wantRequests: 3, wantUsers: 200},
		{name: "platform caps per_page", total: 120, cap: 50, wantRequests: 3, wantUsers: 120},
		{name: "no users", total: 0, cap: 100, reportTotal: true, wantRequests: 1, wantUsers: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
				q := r.URL.Query()
				page, _ := strconv.Atoi(q.Get("page"))
				perPage, _ := strconv.Atoi(q.Get("per_page"))
				if q.Get("search") != "ali" || q.Get("status") != "active" || q.Get("role_id") != "r1" {
					t.Errorf("filters = %v", q)
				}
				perPage = min(perPage, tc.cap)
				var data []map[string]any
				for i := (page - 1) * perPage; i < min(page*perPage, tc.total); i++ {
					data = append(data, userJSON(strconv.Itoa(i)))
				}
				if data == nil {
					data = []map[string]any{}
				}
				totalPages := 0
				if tc.reportTotal {
					totalPages = (tc.total + perPage - 1) / perPage
				}
				writeJSON(w, 200, map[string]any{"data": data, "page": page, "per_page": perPage, "total": tc.total, "total_pages": totalPages})
			})
			c, _ := testClient(t, srv.URL, nil)
			users, err := c.ListUsers(context.Background(), "e", UserFilter{Search: "ali", Status: UserStatusActive, RoleID: "r1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != tc.wantUsers || rec.count() != tc.wantRequests {
				t.Errorf("users = %d, requests = %d; want %d, %d", len(users), rec.count(), tc.wantUsers, tc.wantRequests)
			}
			if users == nil {
				t.Error("ListUsers returned nil instead of an empty list")
			}
			for i, u := range users {
				if u.ID != strconv.Itoa(i) {
					t.Fatalf("users[%d].ID = %s", i, u.ID)
				}
			}
		})
	}
}

func TestListCompaniesPagination(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		var body struct {
			PageNumber int `json:"pageNumber"`
			PageSize   int `json:"pageSize"`
		}
		_ = json.Unmarshal(r.body, &body)
		if r.URL.Path != "/api/companies/search" || r.Method != http.MethodPost {
			t.Errorf("request = %s %s", r.Method, r.URL.Path)
		}
		items := []map[string]any{}
		if body.PageNumber <= 2 {
			for i := range body.PageSize {
				items = append(items, map[string]any{"resourceId": fmt.Sprintf("c%d-%d", body.PageNumber, i), "name": "n"})
			}
		}
		writeJSON(w, 200, map[string]any{"status": "SUCCESS", "items": items, "pageNumber": body.PageNumber, "pageSize": body.PageSize})
	})
	c, _ := testClient(t, srv.URL, nil)
	cs, err := c.ListCompanies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2*listPageSize || rec.count() != 3 || cs[0].ResourceID != "c1-0" {
		t.Errorf("companies = %d, requests = %d", len(cs), rec.count())
	}
}

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
