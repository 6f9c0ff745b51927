package platformsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// TestEventType is the type of the event a webhook test delivers.
const TestEventType = "webhook.test"

// WebhookEvent is the JSON body of a delivered event.
type WebhookEvent struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	CreatedAt    time.Time      `json:"createdAt"`
	EnterpriseID string         `json:"enterpriseId"`
	WebhookID    string         `json:"webhookId"`
	Data         map[string]any `json:"data"`
}

// Sign returns the X-Platform-Signature value for body: "sha256=" followed by the hex
// HMAC-SHA256 of body keyed with secret. Receivers compare it with hmac.Equal.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether header is body's signature under secret.
func VerifySignature(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

// checkWebhookURL accepts absolute https URLs (and http ones when insecure is set).
func checkWebhookURL(raw string, insecure bool) *apiError {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errInvalid("url", "url %q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !insecure {
			return errInvalid("url", "url %q must use https", raw)
		}
	default:
		return errInvalid("url", "url %q must use https", raw)
	}
	if u.User != nil {
		return errInvalid("url", "url must not carry credentials")
	}
	return nil
}

// deliverTest POSTs a signed test event to w and reports the outcome. It never fails:
// a transport error is a result with Success=false.
func deliverTest(ctx context.Context, client *http.Client, timeout time.Duration, entID string, w *Webhook, eventID string, now time.Time) WebhookTestResult {
	ev := WebhookEvent{
		ID: eventID, Type: TestEventType, CreatedAt: now.UTC(), EnterpriseID: entID, WebhookID: w.ID,
		Data: map[string]any{"message": "This is a test event from the platform simulator.", "events": w.Events},
	}
	body, _ := json.Marshal(ev)
	res := WebhookTestResult{TestedAt: now.UTC()}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		res.Message = "invalid webhook URL: " + err.Error()
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "platform-sim-webhooks/1")
	req.Header.Set(SignatureHeader, Sign(w.SigningSecret, body))
	req.Header.Set(TimestampHeader, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(EventHeader, TestEventType)
	req.Header.Set("X-Platform-Event-Id", eventID)
	start := time.Now()
	resp, err := client.Do(req)
	res.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		res.Message = "delivery failed: " + err.Error()
		return res
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	res.StatusCode = resp.StatusCode
	res.Success = resp.StatusCode >= 200 && resp.StatusCode < 300
	if res.Success {
		res.Message = fmt.Sprintf("delivered: HTTP %d", resp.StatusCode)
	} else {
		res.Message = fmt.Sprintf("endpoint answered HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return res
}
