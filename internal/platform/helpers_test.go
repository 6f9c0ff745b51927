package platform

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
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
