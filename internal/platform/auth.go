package platform

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// opGetToken is the contract's operationId of the token endpoint.
const opGetToken = "getToken"

// authorizer produces the Authorization header value for one attempt.
type authorizer interface {
	// authorization returns "Bearer <token>" and the bare token (for redaction).
	authorization(ctx context.Context) (header, token string, err error)
	// invalidate drops the cached token if it is still the one given; it reports
	// whether a refresh can help (false for a static token).
	invalidate(token string) bool
	// secrets lists the credential strings that must never appear in an error.
	secrets() []string
}

type staticToken string

func (t staticToken) authorization(context.Context) (string, string, error) {
	return "Bearer " + string(t), string(t), nil
}
func (staticToken) invalidate(string) bool { return false }
func (t staticToken) secrets() []string    { return []string{string(t)} }

// clientCredentials caches one token per client and fetches a new one when it is
// missing, (almost) expired, or was refused by the platform. Fetches are serialized
// (one in flight), and waiting for one honours the caller's context.
type clientCredentials struct {
	cfg        clientcredentials.Config
	httpClient *http.Client
	timeout    time.Duration // bounds one token request
	sem        chan struct{} // serializes fetches

	mu  sync.Mutex
	tok *oauth2.Token
}

func newClientCredentials(o *OAuth2, tokenURL string, hc *http.Client, timeout time.Duration) *clientCredentials {
	return &clientCredentials{
		cfg: clientcredentials.Config{
			ClientID:     o.ClientID,
			ClientSecret: o.ClientSecret,
			TokenURL:     tokenURL,
			Scopes:       append([]string(nil), o.Scopes...),
			AuthStyle:    oauth2.AuthStyleAutoDetect,
		},
		httpClient: hc,
		timeout:    timeout,
		sem:        make(chan struct{}, 1),
	}
}

func (c *clientCredentials) lock(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *clientCredentials) unlock() { <-c.sem }

func (c *clientCredentials) authorization(ctx context.Context) (string, string, error) {
	if err := c.lock(ctx); err != nil {
		return "", "", &Error{Kind: KindUnavailable, Operation: opGetToken, Message: "waiting for the token: " + err.Error(), Err: err}
	}
	defer c.unlock()
	c.mu.Lock()
	tok := c.tok
	c.mu.Unlock()
	if !tok.Valid() {
		tctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, c.httpClient), c.timeout)
		var err error
		tok, err = c.cfg.Token(tctx)
		cancel()
		if err != nil {
			return "", "", c.tokenError(err)
		}
		c.mu.Lock()
		c.tok = tok
		c.mu.Unlock()
	}
	return "Bearer " + tok.AccessToken, tok.AccessToken, nil
}

func (c *clientCredentials) invalidate(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil && c.tok.AccessToken == token {
		c.tok = nil
	}
	return true
}

func (c *clientCredentials) secrets() []string {
	s := []string{c.cfg.ClientSecret}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil {
		s = append(s, c.tok.AccessToken)
	}
	return s
}

// tokenError maps a failed token request to an *Error. It never includes the raw
// response body or the request (which carries the client secret): only the status,
// the RFC 6749 error code and description, each redacted.
func (c *clientCredentials) tokenError(err error) *Error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		status := re.Response.StatusCode
		kind := KindForStatus(status)
		switch status {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
			// invalid_client, unauthorized_client, invalid_grant, invalid_scope: the
			// credential is refused.
			kind = KindUnauthorized
		}
		e := &Error{Kind: kind, StatusCode: status, Operation: opGetToken, Name: re.ErrorCode, Message: re.ErrorDescription}
		if pe := decodeErrorBody(re.Body); pe.ok {
			if e.Name == "" {
				e.Name = pe.name
			}
			if e.Message == "" {
				e.Message = pe.message
			}
			e.RequestID = pe.requestID
		}
		if e.Message == "" {
			e.Message = "token request refused"
		}
		if kind == KindRateLimited {
			e.RetryAfter = parseRetryAfter(re.Response.Header.Get("Retry-After"), nowFunc())
			if e.RetryAfter <= 0 {
				e.RetryAfter = DefaultRateLimitedRetryAfter
			}
		}
		redactError(e, c.cfg.ClientSecret)
		return e
	}
	// Transport failure (or a 2xx without a token): no status.
	return transportError(opGetToken, err, c.cfg.ClientSecret)
}
