package platform

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"
)

// DefaultCompanyIDHeader is the reseller company-id header of seed 003.
const DefaultCompanyIDHeader = "X-KEEPNET-Company-Id"

// Defaults New applies to zero Config fields.
const (
	DefaultTimeout           = 30 * time.Second
	DefaultRequestsPerSecond = 10.0
	DefaultMaxRetries        = 3
	DefaultRetryBackoff      = 250 * time.Millisecond
	DefaultMaxRetryBackoff   = 10 * time.Second
	DefaultMaxRetryAfter     = 30 * time.Second
	// DefaultTokenPath is where the token endpoint is when OAuth2.TokenURL is empty
	// (seed 003's POST /connect/token, relative to BaseURL).
	DefaultTokenPath = "/connect/token"
	// DefaultRateLimitedRetryAfter is reported in Error.RetryAfter when a 429 carries
	// no usable Retry-After header.
	DefaultRateLimitedRetryAfter = time.Second
)

// ConfigError is a Config validation failure. New returns one of the constants
// below (possibly wrapped with detail that never includes a secret); test with
// errors.Is.
type ConfigError string

func (e ConfigError) Error() string { return string(e) }

// Config validation errors.
const (
	ErrBaseURLRequired      ConfigError = "platform: BaseURL is required"
	ErrBaseURLInvalid       ConfigError = "platform: BaseURL must be an absolute http(s) URL without credentials, query or fragment"
	ErrAuthRequired         ConfigError = "platform: one of Auth.OAuth2 or Auth.BearerToken is required"
	ErrAuthAmbiguous        ConfigError = "platform: Auth.OAuth2 and Auth.BearerToken are mutually exclusive"
	ErrOAuth2ClientID       ConfigError = "platform: Auth.OAuth2.ClientID is required"
	ErrOAuth2ClientSecret   ConfigError = "platform: Auth.OAuth2.ClientSecret is required"
	ErrTokenURLInvalid      ConfigError = "platform: Auth.OAuth2.TokenURL must be an absolute http(s) URL without credentials"
	ErrBearerTokenInvalid   ConfigError = "platform: Auth.BearerToken must not contain whitespace or control characters"
	ErrCompanyIDHeader      ConfigError = "platform: CompanyIDHeader is not a valid HTTP header name"
	ErrCompanyIDInvalid     ConfigError = "platform: CompanyID must not contain control characters"
	ErrRequestsPerSecond    ConfigError = "platform: RequestsPerSecond must not be negative or NaN"
	ErrBurst                ConfigError = "platform: Burst must not be negative"
	ErrTimeout              ConfigError = "platform: Timeout must not be negative"
	ErrBackoff              ConfigError = "platform: RetryBackoff, MaxRetryBackoff and MaxRetryAfter must not be negative"
	ErrUserAgentInvalid     ConfigError = "platform: UserAgent must not contain control characters"
	ErrMaxRetriesOutOfRange ConfigError = "platform: MaxRetries must be at most 10"
)

// Config configures New.
type Config struct {
	// BaseURL is the platform root, e.g. https://business.apis.kesk.app (the contract's
	// paths start with /v1, /api and /connect). A path prefix is kept.
	BaseURL string

	// Auth is the credential: OAuth2 client credentials or a static bearer token.
	Auth Auth

	// CompanyID, when set, is sent in CompanyIDHeader on every API request: a reseller
	// credential scopes each request to that managed customer company (seed 003).
	CompanyID string
	// CompanyIDHeader defaults to DefaultCompanyIDHeader.
	CompanyIDHeader string

	// RequestsPerSecond and Burst configure this client's token-bucket rate limiter
	// (golang.org/x/time/rate); every attempt, retries included, waits for it.
	// RequestsPerSecond 0 means DefaultRequestsPerSecond, +Inf disables the limiter.
	// Burst 0 means max(1, ceil(RequestsPerSecond)).
	RequestsPerSecond float64
	Burst             int
	// Limiter, when set, replaces the limiter RequestsPerSecond and Burst would build,
	// so several clients of one credential (one per reseller company scope) share one
	// request budget.
	Limiter *rate.Limiter

	// Breaker, when set, is the circuit breaker this client shares with the other
	// clients of the same credential; otherwise the client gets its own.
	Breaker *Breaker

	// Timeout bounds one attempt (request and reading its response); 0 means
	// DefaultTimeout.
	Timeout time.Duration

	// UserAgent defaults to "enterprise-operator/<version>".
	UserAgent string

	// HTTPClient replaces the default client (for API and token requests); its own
	// Timeout, if any, applies in addition to Timeout. The default client's transport
	// refuses to connect to link-local and cloud metadata addresses
	// (ErrForbiddenAddress); a client given here is used as it is, without that check.
	HTTPClient *http.Client

	// MaxRetries is how many times a retryable call (reads and idempotent writes) is
	// retried after a 5xx, 408, 429 or transport failure: 0 means DefaultMaxRetries,
	// a negative value disables retries. The transparent token refresh after a 401 is
	// not counted.
	MaxRetries int
	// RetryBackoff is the first backoff (doubled per retry, jittered, capped by
	// MaxRetryBackoff). 0 means DefaultRetryBackoff / DefaultMaxRetryBackoff.
	RetryBackoff    time.Duration
	MaxRetryBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits out itself; a longer
	// one (or one beyond the context deadline) is returned as a KindRateLimited error
	// for the caller to requeue. 0 means DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration

	// Logger receives retry decisions at V(1) (operation, status, attempt, delay),
	// never headers, bodies or credentials. Zero value discards.
	Logger logr.Logger

	// Recorder, when set, receives every request attempt's outcome and duration and
	// every wait for the rate limiter (see Recorder).
	Recorder Recorder
}

// Auth selects the credential. Exactly one of OAuth2 and BearerToken must be set.
type Auth struct {
	// OAuth2 uses the client-credentials grant (seed 003); tokens are cached until
	// shortly before they expire and refreshed once when the platform answers 401.
	OAuth2 *OAuth2
	// BearerToken is a static JWT sent as "Authorization: Bearer <token>".
	BearerToken string
}

// OAuth2 is a client-credentials credential.
type OAuth2 struct {
	// TokenURL defaults to BaseURL + DefaultTokenPath.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Scopes defaults to none (the platform's default; seed 003 documents "API").
	Scopes []string
}

// String never prints the secret.
func (o OAuth2) String() string {
	return fmt.Sprintf("OAuth2{TokenURL:%q ClientID:%q ClientSecret:<redacted> Scopes:%v}", o.TokenURL, o.ClientID, o.Scopes)
}

// GoString never prints the secret.
func (o OAuth2) GoString() string { return o.String() }

// String never prints the bearer token or the client secret.
func (a Auth) String() string {
	switch {
	case a.OAuth2 != nil:
		return "Auth{" + a.OAuth2.String() + "}"
	case a.BearerToken != "":
		return "Auth{BearerToken:<redacted>}"
	default:
		return "Auth{}"
	}
}

// GoString never prints the bearer token or the client secret.
func (a Auth) GoString() string { return a.String() }

// settings is a validated Config with defaults applied.
type settings struct {
	baseURL         string
	tokenURL        string
	companyID       string
	companyIDHeader string
	rps             float64
	burst           int
	timeout         time.Duration
	userAgent       string
	maxRetries      int
	backoff         time.Duration
	maxBackoff      time.Duration
	maxRetryAfter   time.Duration
}

func (cfg Config) validate() (settings, error) {
	var s settings
	if strings.TrimSpace(cfg.BaseURL) == "" {
		return s, ErrBaseURLRequired
	}
	if !validHTTPURL(cfg.BaseURL, true) {
		return s, ErrBaseURLInvalid
	}
	s.baseURL = strings.TrimRight(cfg.BaseURL, "/")

	switch {
	case cfg.Auth.OAuth2 != nil && cfg.Auth.BearerToken != "":
		return s, ErrAuthAmbiguous
	case cfg.Auth.OAuth2 != nil:
		o := cfg.Auth.OAuth2
		if o.ClientID == "" {
			return s, ErrOAuth2ClientID
		}
		if o.ClientSecret == "" {
			return s, ErrOAuth2ClientSecret
		}
		s.tokenURL = o.TokenURL
		if s.tokenURL == "" {
			s.tokenURL = s.baseURL + DefaultTokenPath
		}
		if !validHTTPURL(s.tokenURL, false) {
			return s, ErrTokenURLInvalid
		}
	case cfg.Auth.BearerToken != "":
		if strings.ContainsFunc(cfg.Auth.BearerToken, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return s, ErrBearerTokenInvalid
		}
	default:
		return s, ErrAuthRequired
	}

	s.companyID = cfg.CompanyID
	if hasControl(s.companyID) {
		return s, ErrCompanyIDInvalid
	}
	s.companyIDHeader = cfg.CompanyIDHeader
	if s.companyIDHeader == "" {
		s.companyIDHeader = DefaultCompanyIDHeader
	}
	if !validHeaderName(s.companyIDHeader) {
		return s, ErrCompanyIDHeader
	}

	switch {
	case math.IsNaN(cfg.RequestsPerSecond) || cfg.RequestsPerSecond < 0:
		return s, ErrRequestsPerSecond
	case cfg.RequestsPerSecond == 0:
		s.rps = DefaultRequestsPerSecond
	default:
		s.rps = cfg.RequestsPerSecond
	}
	if cfg.Burst < 0 {
		return s, ErrBurst
	}
	s.burst = cfg.Burst
	if s.burst == 0 {
		s.burst = 1
		if !math.IsInf(s.rps, 1) && s.rps > 1 {
			s.burst = int(math.Ceil(s.rps))
		}
	}

	if cfg.Timeout < 0 {
		return s, ErrTimeout
	}
	s.timeout = cfg.Timeout
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}

	s.userAgent = cfg.UserAgent
	if s.userAgent == "" {
		s.userAgent = DefaultUserAgent()
	}
	if hasControl(s.userAgent) {
		return s, ErrUserAgentInvalid
	}

	switch {
	case cfg.MaxRetries > 10:
		return s, ErrMaxRetriesOutOfRange
	case cfg.MaxRetries < 0:
		s.maxRetries = 0
	case cfg.MaxRetries == 0:
		s.maxRetries = DefaultMaxRetries
	default:
		s.maxRetries = cfg.MaxRetries
	}
	if cfg.RetryBackoff < 0 || cfg.MaxRetryBackoff < 0 || cfg.MaxRetryAfter < 0 {
		return s, ErrBackoff
	}
	s.backoff, s.maxBackoff, s.maxRetryAfter = cfg.RetryBackoff, cfg.MaxRetryBackoff, cfg.MaxRetryAfter
	if s.backoff == 0 {
		s.backoff = DefaultRetryBackoff
	}
	if s.maxBackoff == 0 {
		s.maxBackoff = DefaultMaxRetryBackoff
	}
	if s.maxBackoff < s.backoff {
		s.maxBackoff = s.backoff
	}
	if s.maxRetryAfter == 0 {
		s.maxRetryAfter = DefaultMaxRetryAfter
	}
	return s, nil
}

// DefaultUserAgent is "enterprise-operator/<version>", the version being the main
// module's version from the build info ("dev" for development builds).
func DefaultUserAgent() string {
	version := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	return "enterprise-operator/" + version
}

func validHTTPURL(raw string, strict bool) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if strict && (u.RawQuery != "" || u.Fragment != "") {
		return false
	}
	return true
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f })
}

// validHeaderName reports an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}
