package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"

	"enterprise-operator/internal/platform/api"
)

// maxResponseBody bounds how much of one answer the client reads.
const maxResponseBody = 16 << 20

// op describes one contract operation for the retry policy.
type op struct {
	// name is the contract's operationId.
	name string
	// idempotent: repeating the request has the same effect as sending it once (reads,
	// PUT, DELETE, createEnterprise with its idempotency key, suspend/activate,
	// verify). Only idempotent operations are retried after a 5xx, 408, 429 or a
	// transport failure; a create without an idempotency key is never repeated.
	idempotent bool
}

// answer is a 2xx response, fully read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

type attemptKey struct{}

// attempt is what the request editor needs for one attempt.
type attempt struct {
	authorization string
}

type client struct {
	api     *api.Client
	s       settings
	auth    authorizer
	limiter *rate.Limiter
	breaker *Breaker
	log     logr.Logger
	rec     Recorder
	// sleep waits d or until ctx is done; replaced in tests.
	sleep func(ctx context.Context, d time.Duration) error
}

var _ Client = (*client)(nil)

// New validates cfg and returns a Client for the platform at cfg.BaseURL. It does not
// contact the platform; call WhoAmI to check the credentials.
func New(cfg Config) (Client, error) {
	return newClient(cfg)
}

func newClient(cfg Config) (*client, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: newTransport(nil)}
	}
	c := &client{
		s:     s,
		log:   cfg.Logger,
		rec:   cfg.Recorder,
		sleep: sleepCtx,
	}
	if c.rec == nil {
		c.rec = nopRecorder{}
	}
	switch {
	case cfg.Limiter != nil:
		c.limiter = cfg.Limiter
	case math.IsInf(s.rps, 1):
		c.limiter = rate.NewLimiter(rate.Inf, s.burst)
	default:
		c.limiter = rate.NewLimiter(rate.Limit(s.rps), s.burst)
	}
	c.breaker = cfg.Breaker
	if c.breaker == nil {
		c.breaker = NewBreaker(BreakerSettings{})
	}
	if cfg.Auth.OAuth2 != nil {
		// The token endpoint gets the same transport (so the same refusal of
		// link-local and metadata addresses) and User-Agent, but neither the company
		// header nor the rate limiter.
		tokenHC := *hc
		tokenHC.Transport = tokenTransport{ua: s.userAgent, rec: c.rec, next: hc.Transport}
		c.auth = newClientCredentials(cfg.Auth.OAuth2, s.tokenURL, &tokenHC, s.timeout)
	} else {
		c.auth = staticToken(cfg.Auth.BearerToken)
	}
	c.api, err = api.NewClient(s.baseURL,
		api.WithHTTPClient(hc),
		api.WithRequestEditorFn(c.editRequest))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrBaseURLInvalid, redact(err.Error(), c.auth.secrets()...))
	}
	// WhoAmI is the cheapest call the contract has, and it checks the credential too.
	c.breaker.setProbe(func(ctx context.Context) error { _, err := c.WhoAmI(ctx); return err })
	return c, nil
}

// editRequest sets the headers every API request carries.
func (c *client) editRequest(ctx context.Context, req *http.Request) error {
	a, _ := ctx.Value(attemptKey{}).(*attempt)
	if a == nil {
		return errors.New("platform: request without attempt context")
	}
	req.Header.Set("Authorization", a.authorization)
	req.Header.Set("User-Agent", c.s.userAgent)
	req.Header.Set("Accept", "application/json")
	if c.s.companyID != "" {
		req.Header.Set(c.s.companyIDHeader, c.s.companyID)
	}
	return nil
}

// send runs one operation with the client's policy: rate limiting, per-attempt
// timeout, a transparent token refresh after a 401, and retries with jittered
// exponential backoff (or the platform's Retry-After) for idempotent operations only.
// A non-2xx answer becomes an *Error; secrets are redacted from every error.
func (c *client) send(ctx context.Context, o op, secrets []string, call func(context.Context) (*http.Response, error)) (*answer, error) {
	refreshed, waited := false, false
	for retry := 0; ; retry++ {
		a, usedToken, err := c.attempt(ctx, o, secrets, call, waited)
		if err == nil {
			return a, nil
		}
		var pe *Error
		if !errors.As(err, &pe) {
			return nil, transportError(o.name, err, c.secretsFor(secrets, "")...)
		}
		// 401 with a cached OAuth2 token: drop it, fetch a new one, retry once. The
		// request was refused before it was processed, so this is safe for creates.
		if pe.StatusCode == http.StatusUnauthorized && pe.Operation == o.name && !refreshed && c.auth.invalidate(usedToken) {
			refreshed = true
			retry--
			c.log.V(1).Info("platform token refused, refreshing", "operation", o.name)
			continue
		}
		delay, ok := c.retryDelay(ctx, o, pe, retry)
		if !ok {
			return nil, pe
		}
		c.log.V(1).Info("retrying platform call", "operation", o.name, "status", pe.StatusCode, "kind", string(pe.Kind), "retry", retry+1, "delay", delay.String())
		if c.sleep(ctx, delay) != nil {
			return nil, pe
		}
		// Having waited out the platform's Retry-After, this request may go although
		// the credential's pause (which the same 429 set) may not have ended on the
		// breaker's clock.
		waited = pe.Kind == KindRateLimited
	}
}

// retryDelay decides whether and after how long a failed attempt is repeated.
func (c *client) retryDelay(ctx context.Context, o op, pe *Error, retry int) (time.Duration, bool) {
	// A probe is one request; a request the breaker did not send is not repeated
	// (the breaker says when the platform is worth asking again).
	if !o.idempotent || retry >= c.s.maxRetries || ctx.Err() != nil || isProbe(ctx) || errors.Is(pe, ErrCircuitOpen) {
		return 0, false
	}
	switch pe.Kind {
	case KindRateLimited:
		d := pe.RetryAfter
		if d > c.s.maxRetryAfter {
			return 0, false
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
			return 0, false
		}
		return d, true
	case KindUnavailable:
		// 5xx, 408, transport failures and token endpoint outages.
		if errors.Is(pe, context.Canceled) {
			return 0, false
		}
		return c.backoff(retry), true
	default:
		return 0, false
	}
}

// backoff is "equal jitter" exponential backoff: half the capped exponential delay
// plus a random share of the other half.
func (c *client) backoff(retry int) time.Duration {
	d := c.s.backoff << min(retry, 20)
	if d <= 0 || d > c.s.maxBackoff {
		d = c.s.maxBackoff
	}
	half := d / 2
	return half + rand.N(half+1)
}

// attempt sends the request once, if the credential's breaker lets it, and reads the
// whole answer. It also returns the bearer token it used, for the refresh after a 401.
func (c *client) attempt(ctx context.Context, o op, secrets []string, call func(context.Context) (*http.Response, error), waited bool) (*answer, string, error) {
	done, err := c.breaker.allow(o.name, isProbe(ctx), waited)
	if err != nil {
		return nil, "", err
	}
	waitStart := time.Now()
	if err := c.limiter.Wait(ctx); err != nil {
		// Nothing was sent: a cancellation is what the breaker leaves uncounted.
		done(context.Canceled)
		return nil, "", &Error{Kind: KindUnavailable, Operation: o.name, Message: "rate limiter: " + err.Error(), Err: err}
	}
	c.rec.Throttled(o.name, time.Since(waitStart))
	a, token, err := c.sendOnce(ctx, o, secrets, call)
	done(err)
	if after, limited := IsRateLimited(err); limited {
		// A 429 speaks for the credential, not for this request alone.
		c.breaker.pause(after)
	}
	return a, token, err
}

// sendOnce sends the request and reads the answer.
func (c *client) sendOnce(ctx context.Context, o op, secrets []string, call func(context.Context) (*http.Response, error)) (*answer, string, error) {
	authz, token, err := c.auth.authorization(ctx)
	if err != nil {
		return nil, "", err
	}
	actx, cancel := context.WithTimeout(ctx, c.s.timeout)
	defer cancel()
	actx = context.WithValue(actx, attemptKey{}, &attempt{authorization: authz})
	start := time.Now()
	resp, err := call(actx)
	if err != nil {
		c.rec.Request(o.name, CodeTransport, time.Since(start))
		return nil, token, transportError(o.name, err, c.secretsFor(secrets, token)...)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		c.rec.Request(o.name, CodeTransport, time.Since(start))
		return nil, token, transportError(o.name, fmt.Errorf("reading the response: %w", err), c.secretsFor(secrets, token)...)
	}
	c.rec.Request(o.name, strconv.Itoa(resp.StatusCode), time.Since(start))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return &answer{status: resp.StatusCode, header: resp.Header, body: body}, token, nil
	}
	return nil, token, decodeError(o.name, resp.StatusCode, resp.Header, body, c.secretsFor(secrets, token)...)
}

func (c *client) secretsFor(secrets []string, token string) []string {
	out := append(append([]string(nil), secrets...), c.auth.secrets()...)
	if token != "" {
		out = append(out, token)
	}
	return out
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// decodeJSON decodes a 2xx body into T; a body that does not match the contract is a
// KindUnavailable error (the platform misbehaves; retrying later may help).
func decodeJSON[T any](o op, a *answer) (*T, error) {
	var v T
	if err := json.Unmarshal(a.body, &v); err != nil {
		return nil, &Error{
			Kind:       KindUnavailable,
			StatusCode: a.status,
			Operation:  o.name,
			Message:    "response does not match the contract: " + clip(err.Error()),
		}
	}
	return &v, nil
}

// tokenTransport sets the User-Agent on token requests and records them, as
// operation getToken, like every other request.
type tokenTransport struct {
	ua   string
	rec  Recorder
	next http.RoundTripper
}

func (t tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.ua)
	start := time.Now()
	resp, err := next.RoundTrip(r)
	code := CodeTransport
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.rec.Request(opGetToken, code, time.Since(start))
	return resp, err
}
