package platform

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

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
