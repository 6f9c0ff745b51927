package platformsim

import (
	"slices"
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

// companyRow is a company as the store keeps it: Company has no place for its
// sequence, which orders the companies by when they were first added.
type companyRow struct {
	Company
	seq uint64
}

// Field names of the natural keys, as conflict errors name them.
const (
	fieldUsername = "username"
	fieldEmail    = "email"
	fieldName     = "name"
)

// userKeys are a user's natural keys: usernames and emails are each unique in an
// enterprise, case-insensitively (a username is not compared with emails).
func userKeys(username, email string) []naturalKey {
	return []naturalKey{{field: fieldUsername, value: username}, {field: fieldEmail, value: email}}
}

// nameKey is the natural key of roles and groups: the name, case-insensitively.
func nameKey(name string) []naturalKey { return []naturalKey{{field: fieldName, value: name}} }

// domainKey is a domain's natural key: the name, normalized on create and then
// compared as it is.
func domainKey(name string) []naturalKey {
	return []naturalKey{{field: fieldName, value: name, exact: true}}
}

// targetUserKey is a target user's natural key: the email, case-insensitively,
// within its company.
func targetUserKey(companyID, email string) []naturalKey {
	return []naturalKey{{field: fieldEmail, scope: companyID, value: email}}
}

func (e *Enterprise) ident() (string, uint64) { return e.ID, e.seq }
func (u *User) ident() (string, uint64)       { return u.ID, u.seq }
func (r *Role) ident() (string, uint64)       { return r.ID, r.seq }
func (g *Group) ident() (string, uint64)      { return g.ID, g.seq }
func (d *Domain) ident() (string, uint64)     { return d.ID, d.seq }
func (w *Webhook) ident() (string, uint64)    { return w.ID, w.seq }
func (t *TargetUser) ident() (string, uint64) { return t.ID, t.seq }
func (c *companyRow) ident() (string, uint64) { return c.ResourceID, c.seq }

func (e *Enterprise) naturalKeys() []naturalKey { return nil }
func (u *User) naturalKeys() []naturalKey       { return userKeys(u.Username, u.Email) }
func (r *Role) naturalKeys() []naturalKey       { return nameKey(r.Name) }
func (g *Group) naturalKeys() []naturalKey      { return nameKey(g.Name) }
func (d *Domain) naturalKeys() []naturalKey     { return domainKey(d.Name) }
func (w *Webhook) naturalKeys() []naturalKey    { return nil }
func (t *TargetUser) naturalKeys() []naturalKey { return targetUserKey(t.CompanyID, t.Email) }
func (c *companyRow) naturalKeys() []naturalKey { return nil }

// copyOut leaves the children out: they are read through their own tables.
func (e *Enterprise) copyOut() *Enterprise {
	c := *e
	c.AdditionalAdmins = slices.Clone(e.AdditionalAdmins)
	c.ThirdPartyIdentifiers = slices.Clone(e.ThirdPartyIdentifiers)
	c.Users, c.Roles, c.Groups, c.Domains, c.Webhooks = nil, nil, nil, nil, nil
	c.kids = nil
	return &c
}

func (u *User) copyOut() *User {
	c := *u
	c.RoleIDs = slices.Clone(u.RoleIDs)
	return &c
}

func (r *Role) copyOut() *Role {
	c := *r
	c.Permissions = slices.Clone(r.Permissions)
	return &c
}

func (g *Group) copyOut() *Group {
	c := *g
	c.Members = slices.Clone(g.Members)
	return &c
}

// copyOut shares the time pointers: the store replaces them, never writes through them.
func (d *Domain) copyOut() *Domain {
	c := *d
	return &c
}

func (w *Webhook) copyOut() *Webhook {
	c := *w
	c.Events = slices.Clone(w.Events)
	if w.LastTest != nil {
		lt := *w.LastTest
		c.LastTest = &lt
	}
	return &c
}

func (t *TargetUser) copyOut() *TargetUser {
	c := *t
	c.TargetGroupResourceIDs = slices.Clone(t.TargetGroupResourceIDs)
	return &c
}

func (c *companyRow) copyOut() *companyRow {
	cc := *c
	return &cc
}
