package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

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
