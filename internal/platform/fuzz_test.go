package platform

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"enterprise-operator/internal/platform/api"
)

// FuzzDecodeError feeds arbitrary statuses, bodies and Retry-After values to the
// error decoder: it must not panic, must classify by status, must bound what it
// keeps, and must never let a secret through.
func FuzzDecodeError(f *testing.F) {
	const secret = "s3cr3t-Pa55"
	f.Add(400, []byte(`{"name":"Invalid","context":{},"error":"bad","requestId":"r"}`), "")
	f.Add(429, []byte(`{"error":"slow down","requestId":"r","context":null}`), "3")
	f.Add(429, []byte(``), "Sun, 22 Nov 2026 10:00:05 GMT")
	f.Add(500, []byte(`<html>oops</html>`), "-1")
	f.Add(404, []byte(`{"name":12,"error":{"nested":true},"requestId":[1]}`), "99999999999999999999")
	f.Add(409, []byte(`{"error":"user `+secret+` exists","name":"`+secret+`"}`), "")
	f.Add(401, []byte(`null`), "")
	f.Add(403, []byte(`{"message":"`+strings.Repeat("x", 600)+secret+`"}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		e := decodeError("op", status, h, body, secret)
		if e.Kind != KindForStatus(status) {
			t.Fatalf("kind %s for status %d", e.Kind, status)
		}
		if e.Kind == KindRateLimited && (e.RetryAfter <= 0 || e.RetryAfter > 24*time.Hour) {
			t.Fatalf("RetryAfter %v", e.RetryAfter)
		}
		s := e.Error()
		if strings.Contains(s, secret) {
			t.Fatalf("secret in %q", s)
		}
		for _, field := range []string{e.Name, e.Message, e.RequestID} {
			if len(field) > maxErrorField+len("…") {
				t.Fatalf("field of %d bytes kept", len(field))
			}
			if strings.ContainsAny(field, "\r\n") {
				t.Fatalf("control characters kept: %q", field)
			}
		}
	})
}

// FuzzDecodeResponse feeds arbitrary 2xx bodies to the response decoders the Client
// uses: they either decode or return a KindUnavailable *Error, never panic.
func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"1","username":"u","role_ids":[],"status":"active"}],"page":1,"per_page":100,"total":1,"total_pages":1}`))
	f.Add([]byte(`{"data":[{"id":12,"username":"u","role_ids":[25,12345678901234567890,"r"],"status":"active"}],"page":1,"per_page":100,"total":1,"total_pages":1}`))
	f.Add([]byte(`[[111,123]]`))
	f.Add([]byte(`[[111,true]]`))
	f.Add([]byte(`[["111","123"]]`))
	f.Add([]byte(`{"enterpriseId":"x","userId":null}`))
	f.Add([]byte(`{"tested_at":"not a time","success":true}`))
	f.Add([]byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, body []byte) {
		a := &answer{status: 200, body: body}
		o := op{name: "op"}
		check := func(err error) {
			if err == nil {
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Kind != KindUnavailable {
				t.Fatalf("err = %#v", err)
			}
		}
		_, err := decodeJSON[api.PaginatedResponseEnterpriseUserResponse](o, a)
		check(err)
		_, err = decodeJSON[api.GroupMemberIds](o, a)
		check(err)
		_, err = decodeJSON[api.EnterpriseCreated](o, a)
		check(err)
		_, err = decodeJSON[api.WebhookTestResponse](o, a)
		check(err)
		_, err = decodeJSON[api.CompanySearchResponse](o, a)
		check(err)
		if u, err := decodeJSON[api.PaginatedResponseEnterpriseUserResponse](o, a); err == nil {
			for i := range u.Data {
				_ = toUser(&u.Data[i])
			}
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"12":                            12 * time.Second,
		" 3 ":                           3 * time.Second,
		"999999999999":                  24 * time.Hour,
		"soon":                          0,
		"Sun, 22 Nov 2026 10:00:30 GMT": 30 * time.Second,
		"Sun, 22 Nov 2026 09:00:00 GMT": 0,
	}
	for in, want := range cases {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
