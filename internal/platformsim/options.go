package platformsim

import (
	"log/slog"
	"net/http"
	"time"
)

// CompanyHeader scopes a reseller's request to one managed customer company (seed 003).
const CompanyHeader = "X-KEEPNET-Company-Id"

// Webhook test event headers.
const (
	// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the body keyed with the
	// webhook's signing secret>".
	SignatureHeader = "X-Platform-Signature"
	// TimestampHeader carries the Unix time (seconds) the event was sent.
	TimestampHeader = "X-Platform-Timestamp"
	// EventHeader carries the event type ("webhook.test").
	EventHeader = "X-Platform-Event"
)

// VerificationRecordPrefix prefixes the TXT record name a domain owner must publish:
// "_platform-verification.<domain>".
const VerificationRecordPrefix = "_platform-verification."

// Credential is an API credential the simulator accepts. A credential may be used as a
// client id/secret pair at /connect/token, as a static bearer token, or both.
type Credential struct {
	// ClientID and ClientSecret are exchanged for a token at /connect/token.
	ClientID     string `json:"clientId,omitempty"`
	ClientSecret string `json:"-"`
	// Tokens are static bearer tokens accepted as they are, without expiry.
	Tokens []string `json:"-"`
	// Name is shown by GET /api/v3/users/me as the nickname; defaults to ClientID.
	Name string `json:"name,omitempty"`
	// EnterpriseID is the credential's own enterprise: getCurrentUser reports it and
	// the v3 createUser uses it when the request names no enterprise.
	EnterpriseID string `json:"enterpriseId,omitempty"`
	// Reseller credentials may list companies and scope requests to the companies in
	// CompanyIDs with the X-KEEPNET-Company-Id header; anything else answers 403.
	Reseller   bool     `json:"reseller,omitempty"`
	CompanyIDs []string `json:"companyIds,omitempty"`
}

// Company is a reseller's customer company (seed 003).
type Company struct {
	ResourceID string `json:"resourceId"`
	Name       string `json:"name"`
	// LicenseTargetUserLimit is the company's licensed number of target users (0: no
	// limit); searchCompanies' isTargetUserCountExceededLimit filters on it.
	LicenseTargetUserLimit int `json:"licenseTargetUserLimit,omitempty"`
	// CreatedAt is the company's createTime; default the time it was added.
	CreatedAt time.Time `json:"createTime,omitempty"`
}

// Options configures a simulator. The zero value is usable: it listens on
// 127.0.0.1:0 with no credentials (add some with AddCredential) and starts its own
// loopback DNS server.
type Options struct {
	// Addr is the listen address; default "127.0.0.1:0".
	Addr string
	// SpecPath reads the OpenAPI contract from a file instead of the spec embedded in
	// the generated package.
	SpecPath string

	// Credentials accepted from the start.
	Credentials []Credential
	// Companies known from the start.
	Companies []Company
	// TokenTTL is the lifetime of tokens issued by /connect/token; default 1h.
	TokenTTL time.Duration
	// TokenSigningKey signs issued tokens; default a random key, so tokens do not
	// survive a restart.
	TokenSigningKey []byte
	// AdminToken, when set, is required as "Authorization: Bearer <AdminToken>" on
	// /admin/ endpoints. Empty leaves them open (they only listen on loopback).
	AdminToken string

	// DNSAddr is the address of the DNS server domain verification queries. Empty
	// starts an embedded loopback DNSServer (see Server.DNS).
	DNSAddr string
	// EmbeddedDNSAddr is where the embedded DNS server listens (UDP and TCP) when
	// DNSAddr is empty; default "127.0.0.1:0" (a free port, see Server.DNS().Addr()).
	EmbeddedDNSAddr string
	// DNSTimeout bounds one verification lookup; default 3s.
	DNSTimeout time.Duration
	// VerificationRecheck is the interval reported as a pending domain's next check;
	// default 5m.
	VerificationRecheck time.Duration

	// AllowInsecureWebhookURLs accepts http:// webhook URLs (tests on loopback);
	// otherwise only https:// is accepted.
	AllowInsecureWebhookURLs bool
	// WebhookClient sends webhook test events; default an http.Client with
	// WebhookTimeout. Set it to trust an httptest TLS server.
	WebhookClient *http.Client
	// WebhookTimeout bounds one webhook test delivery; default 5s.
	WebhookTimeout time.Duration

	// Faults are the faults injected from the start (see SetFaults).
	Faults Faults
	// Seed makes random fault decisions and ids reproducible when non-zero.
	Seed int64

	// ValidateResponses also checks every API response against the contract and turns
	// a violation into a 500 (tests use it to keep the simulator faithful).
	ValidateResponses bool

	// Logger receives one line per request; default discards.
	Logger *slog.Logger
	// Now overrides the clock (tests); default time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = time.Hour
	}
	if o.DNSTimeout <= 0 {
		o.DNSTimeout = 3 * time.Second
	}
	if o.VerificationRecheck <= 0 {
		o.VerificationRecheck = 5 * time.Minute
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}
