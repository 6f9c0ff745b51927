package platformsim

import (
	"time"
)

// User statuses.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Domain verification states.
const (
	DomainPending  = "pending"
	DomainVerified = "verified"
	DomainFailed   = "failed"
)

// ThirdPartyIdentifier links an enterprise to an id in another system (seed 002).
type ThirdPartyIdentifier struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Enterprise is one tenant. Its children live in the maps, keyed by id; Mutate*
// callbacks may change any field except the maps' keys and ID.
type Enterprise struct {
	ID                    string                 `json:"id"`
	OrganizationID        string                 `json:"organizationId"`
	CompanyID             string                 `json:"companyId,omitempty"`
	Name                  string                 `json:"name,omitempty"`
	AdminEmail            string                 `json:"adminEmail"`
	AdminUserID           string                 `json:"adminUserId"`
	AdditionalAdmins      []string               `json:"additionalAdmins"`
	ThirdPartyIdentifiers []ThirdPartyIdentifier `json:"thirdPartyIdentifiers"`
	IdempotencyKey        string                 `json:"idempotencyKey"`
	CreatedAt             time.Time              `json:"createdAt"`
	UpdatedAt             time.Time              `json:"updatedAt"`

	Users    map[string]*User    `json:"-"`
	Roles    map[string]*Role    `json:"-"`
	Groups   map[string]*Group   `json:"-"`
	Domains  map[string]*Domain  `json:"-"`
	Webhooks map[string]*Webhook `json:"-"`

	seq         uint64
	requestHash string    // fingerprint of the create request, for idempotency conflicts
	kids        *children // the tables over the maps above
}

// User is an enterprise user. The password is kept only as its SHA-256.
type User struct {
	ID         string    `json:"id"`
	Username   string    `json:"username"`
	Email      string    `json:"email,omitempty"`
	FirstName  string    `json:"firstName,omitempty"`
	LastName   string    `json:"lastName,omitempty"`
	Phone      string    `json:"phone,omitempty"`
	Mobile     string    `json:"mobile,omitempty"`
	Title      string    `json:"title,omitempty"`
	Department string    `json:"department,omitempty"`
	RoleIDs    []string  `json:"roleIds"`
	Status     string    `json:"status"`
	IsAgent    bool      `json:"isAgent"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	// PasswordSHA256 is the hex SHA-256 of the current password ("" when none was set).
	PasswordSHA256 string `json:"passwordSha256,omitempty"`
	// PasswordResets counts reset-password calls (admin reset or by login).
	PasswordResets int `json:"passwordResets"`

	seq uint64
}

// Role is an enterprise role.
type Role struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Permissions []string  `json:"permissions"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`

	seq uint64
}

// Group is an enterprise user group with its members' user ids.
type Group struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	Description       string    `json:"description,omitempty"`
	ExternalReference string    `json:"externalReference,omitempty"`
	Members           []string  `json:"members"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`

	seq uint64
}

// Domain is an enterprise domain and its verification state.
type Domain struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	IsPrimary   bool       `json:"isPrimary,omitempty"`
	State       string     `json:"state"`
	RecordType  string     `json:"recordType"`
	RecordName  string     `json:"recordName"`
	RecordValue string     `json:"recordValue"`
	Message     string     `json:"message,omitempty"`
	Attempts    int        `json:"attempts"`
	LastCheck   *time.Time `json:"lastCheck,omitempty"`
	NextCheck   *time.Time `json:"nextCheck,omitempty"`
	VerifiedAt  *time.Time `json:"verifiedAt,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`

	seq uint64
}

// Webhook is an enterprise webhook. SigningSecret is never returned by the API nor
// dumped by State (which shows its SHA-256).
type Webhook struct {
	ID            string             `json:"id"`
	URL           string             `json:"url"`
	Events        []string           `json:"events"`
	Active        bool               `json:"active"`
	Description   string             `json:"description,omitempty"`
	SigningSecret string             `json:"-"`
	LastTest      *WebhookTestResult `json:"lastTest,omitempty"`
	CreatedAt     time.Time          `json:"createdAt"`
	UpdatedAt     time.Time          `json:"updatedAt"`

	seq uint64
}

// WebhookTestResult is the outcome of a webhook test delivery.
type WebhookTestResult struct {
	Success    bool      `json:"success"`
	StatusCode int       `json:"statusCode"`
	Message    string    `json:"message"`
	DurationMS int64     `json:"durationMs"`
	TestedAt   time.Time `json:"testedAt"`
}

// TargetUser is a company's target user (seed 003).
type TargetUser struct {
	ID                     string    `json:"resourceId"`
	CompanyID              string    `json:"companyId"`
	Email                  string    `json:"email"`
	FirstName              string    `json:"firstName,omitempty"`
	LastName               string    `json:"lastName,omitempty"`
	Department             string    `json:"department,omitempty"`
	Priority               string    `json:"priority,omitempty"`
	IsActive               bool      `json:"isActive"`
	PhoneNumber            string    `json:"phoneNumber,omitempty"`
	TargetGroupResourceIDs []string  `json:"targetGroupResourceIds,omitempty"`
	TimeZoneID             string    `json:"timeZoneId,omitempty"`
	PreferredLanguageID    string    `json:"preferredLanguageId,omitempty"`
	ManagerFirstName       string    `json:"managerFirstName,omitempty"`
	ManagerLastName        string    `json:"managerLastName,omitempty"`
	ManagerEmail           string    `json:"managerEmail,omitempty"`
	CreatedAt              time.Time `json:"createdAt"`

	seq uint64
}
