package platformsim

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// principal is the identity behind a request's bearer token.
type principal struct {
	cred      Credential
	companyID string // the company header, when present and allowed
}

type principalKey struct{}

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

func scopeFrom(ctx context.Context) scope {
	if p := principalFrom(ctx); p != nil {
		return scope{companyID: p.companyID}
	}
	return scope{}
}

// userID is a stable 32-hex id for the credential's own identity (users/me).
func (p *principal) userID() string {
	sum := sha256.Sum256([]byte("cred:" + p.cred.ClientID + ":" + p.cred.Name))
	return hex.EncodeToString(sum[:16])
}

func (p *principal) nickname() string {
	if p.cred.Name != "" {
		return p.cred.Name
	}
	return p.cred.ClientID
}

// auth holds credentials and signs/verifies tokens. Tokens are JWT-shaped
// (header.claims.signature, base64url) and signed with HMAC-SHA256.
type auth struct {
	mu    sync.RWMutex
	creds []Credential
	key   []byte
	ttl   time.Duration
	now   func() time.Time
}

type tokenClaims struct {
	Subject   string `json:"sub"`
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp"`
	ID        string `json:"jti"`
	Scope     string `json:"scope,omitempty"`
	// ExpiresAtMS is exp in milliseconds, so sub-second TTLs work in tests.
	ExpiresAtMS int64 `json:"exp_ms"`
}

func newAuth(key []byte, ttl time.Duration, now func() time.Time) *auth {
	if len(key) == 0 {
		key = cryptoBytes(32)
	}
	return &auth{key: key, ttl: ttl, now: now}
}

func (a *auth) add(c Credential) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c.Tokens = slices.Clone(c.Tokens)
	c.CompanyIDs = slices.Clone(c.CompanyIDs)
	if c.ClientID != "" {
		for i, o := range a.creds {
			if o.ClientID == c.ClientID {
				a.creds[i] = c
				return
			}
		}
	}
	a.creds = append(a.creds, c)
}

func secretEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// clientCredentials checks a client id/secret pair.
func (a *auth) clientCredentials(id, secret string) (Credential, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, c := range a.creds {
		if c.ClientID != "" && c.ClientID == id && c.ClientSecret != "" && secretEqual(c.ClientSecret, secret) {
			return c, true
		}
	}
	return Credential{}, false
}

var b64 = base64.RawURLEncoding

// issue signs a token for c valid for the configured TTL.
func (a *auth) issue(c Credential, scopeStr string) (string, time.Duration) {
	now := a.now()
	claims := tokenClaims{Subject: c.ClientID, IssuedAt: now.Unix(), ExpiresAt: now.Add(a.ttl).Unix(),
		ID: randHex(12), Scope: scopeStr, ExpiresAtMS: now.Add(a.ttl).UnixMilli()}
	hdr, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	signing := b64.EncodeToString(hdr) + "." + b64.EncodeToString(body)
	return signing + "." + b64.EncodeToString(a.sign(signing)), a.ttl
}

func (a *auth) sign(s string) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

var (
	errNoToken      = errors.New("missing bearer token")
	errBadToken     = errors.New("invalid bearer token")
	errExpiredToken = errors.New("bearer token expired")
)

// verify resolves a bearer token (static or issued) to its credential.
func (a *auth) verify(token string) (Credential, error) {
	if token == "" {
		return Credential{}, errNoToken
	}
	a.mu.RLock()
	for _, c := range a.creds {
		for _, t := range c.Tokens {
			if t != "" && secretEqual(t, token) {
				a.mu.RUnlock()
				return c, nil
			}
		}
	}
	a.mu.RUnlock()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Credential{}, errBadToken
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, a.sign(parts[0]+"."+parts[1])) {
		return Credential{}, errBadToken
	}
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		return Credential{}, errBadToken
	}
	var cl tokenClaims
	if err := json.Unmarshal(raw, &cl); err != nil {
		return Credential{}, errBadToken
	}
	if a.now().UnixMilli() >= cl.ExpiresAtMS {
		return Credential{}, errExpiredToken
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, c := range a.creds {
		if c.ClientID == cl.Subject && c.ClientID != "" {
			return c, nil
		}
	}
	// The credential was removed after the token was issued.
	return Credential{}, errBadToken
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate resolves the request's principal, enforcing the company header: a
// company id the credential does not manage answers 403.
func (a *auth) authenticate(r *http.Request, companyExists func(string) bool) (*principal, *apiError) {
	c, err := a.verify(bearerToken(r))
	if err != nil {
		return nil, errf(http.StatusUnauthorized, NameUnauthorized, map[string]any{"reason": err.Error()}, "%s", err.Error())
	}
	p := &principal{cred: c}
	if company := strings.TrimSpace(r.Header.Get(CompanyHeader)); company != "" {
		if !c.Reseller {
			return nil, errf(http.StatusForbidden, NameForbidden, map[string]any{"companyId": company},
				"the credential is not a reseller and may not use the %s header", CompanyHeader)
		}
		if !slices.Contains(c.CompanyIDs, company) {
			return nil, errf(http.StatusForbidden, NameForbidden, map[string]any{"companyId": company},
				"company %q is not managed by this credential", company)
		}
		if !companyExists(company) {
			return nil, errf(http.StatusNotFound, NameNotFound, map[string]any{"companyId": company},
				"company %q does not exist", company)
		}
		p.companyID = company
	}
	return p, nil
}
