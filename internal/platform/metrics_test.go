package platform

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeRecorder keeps what a client recorded, without the durations' values.
type fakeRecorder struct {
	mu        sync.Mutex
	requests  []string
	throttled []string
	negative  bool
}

func (f *fakeRecorder) Request(op, code string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, op+" "+code)
	f.negative = f.negative || d < 0
}

func (f *fakeRecorder) Throttled(op string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttled = append(f.throttled, op)
	f.negative = f.negative || d < 0
}

func TestRecorderSeesEveryAttempt(t *testing.T) {
	var n atomic.Int32
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *recordedRequest) {
		if n.Add(1) == 1 {
			writeJSON(w, http.StatusServiceUnavailable, seedError("Unavailable", "busy", "r1"))
			return
		}
		if r.Method == http.MethodDelete {
			writeJSON(w, http.StatusNotFound, seedError("NotFound", "no such user", "r2"))
			return
		}
		writeJSON(w, http.StatusOK, userJSON("u"))
	})
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()

	rec := &fakeRecorder{}
	c, _ := testClient(t, srv.URL, func(c *Config) { c.Recorder = rec })
	if _, err := c.GetUser(context.Background(), "e", "u"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if err := c.DeleteUser(context.Background(), "e", "u"); !IsNotFound(err) {
		t.Fatalf("DeleteUser err = %v, want NotFound", err)
	}
	down, _ := testClient(t, refusedURL, func(c *Config) { c.Recorder = rec; c.MaxRetries = -1 })
	if _, err := down.GetUser(context.Background(), "e", "u"); !IsUnavailable(err) {
		t.Fatalf("GetUser against a closed port: %v", err)
	}

	want := []string{
		"getEnterpriseUser 503", "getEnterpriseUser 200", // a retry is an attempt of its own
		"deleteEnterpriseUser 404",
		"getEnterpriseUser " + CodeTransport,
	}
	if diff := cmp.Diff(want, rec.requests); diff != "" {
		t.Errorf("recorded requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"getEnterpriseUser", "getEnterpriseUser", "deleteEnterpriseUser", "getEnterpriseUser"}, rec.throttled); diff != "" {
		t.Errorf("recorded limiter waits (-want +got):\n%s", diff)
	}
	if rec.negative {
		t.Error("a negative duration was recorded")
	}
}

// Token requests are recorded as getToken; a cached token costs none.
func TestRecorderSeesTokenRequests(t *testing.T) {
	ts := &tokenServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /connect/token", ts.handle(t))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, userJSON("u")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	rec := &fakeRecorder{}
	c, _ := testClient(t, srv.URL, func(c *Config) {
		c.Auth = Auth{OAuth2: &OAuth2{ClientID: "cid", ClientSecret: testClientSecret, Scopes: []string{"API"}}}
		c.Recorder = rec
	})
	for range 2 {
		if _, err := c.GetUser(context.Background(), "e", "u"); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"getToken 200", "getEnterpriseUser 200", "getEnterpriseUser 200"}
	if diff := cmp.Diff(want, rec.requests); diff != "" {
		t.Errorf("recorded requests (-want +got):\n%s", diff)
	}
}
