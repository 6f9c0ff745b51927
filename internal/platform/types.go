package platform

import (
	"context"
	"time"
)

// Client is what controllers use to talk to the platform. Every method maps to one or
// more operations of openapi/platform.yaml. IDs are opaque strings: the seeds type
// some of them as integers and others as 32-hex strings, and the operator never does
// arithmetic on them. An id the platform answers as a JSON number (api.ID) becomes its
// digits here ("103").
//
// Errors are *Error values (see errors.go): branch on them with IsNotFound, IsConflict,
// IsInvalid, IsForbidden, IsUnauthorized, IsRateLimited and IsUnavailable.
//
// List methods walk every page and return the whole collection, so a caller that wants
// to serve many objects from one list (one call per enterprise per resync instead of one
// GET per object) can do so.
type Client interface {
	// WhoAmI is the cheap call PlatformConfig uses to validate credentials.
	WhoAmI(ctx context.Context) (*CurrentUser, error)

	CreateEnterprise(ctx context.Context, in EnterpriseCreate) (*EnterpriseCreated, error)
	GetEnterprise(ctx context.Context, enterpriseID string) (*Enterprise, error)
	UpdateEnterprise(ctx context.Context, enterpriseID string, in EnterpriseUpdate) (*Enterprise, error)
	DeleteEnterprise(ctx context.Context, enterpriseID string) error

	ListUsers(ctx context.Context, enterpriseID string, filter UserFilter) ([]User, error)
	GetUser(ctx context.Context, enterpriseID, userID string) (*User, error)
	// FindUserIDByEmail returns a NotFound error when no user has that email.
	FindUserIDByEmail(ctx context.Context, email string) (string, error)
	CreateUser(ctx context.Context, enterpriseID string, in UserCreate) (*User, error)
	UpdateUser(ctx context.Context, enterpriseID, userID string, in UserUpdate) (*User, error)
	DeleteUser(ctx context.Context, enterpriseID, userID string) error
	SuspendUser(ctx context.Context, enterpriseID, userID string) (*User, error)
	ActivateUser(ctx context.Context, enterpriseID, userID string) (*User, error)
	// ResetUserPassword returns the temporary password the platform generated.
	ResetUserPassword(ctx context.Context, enterpriseID, userID string) (string, error)

	ListRoles(ctx context.Context, enterpriseID string, search string) ([]Role, error)
	GetRole(ctx context.Context, enterpriseID, roleID string) (*Role, error)
	CreateRole(ctx context.Context, enterpriseID string, in RoleSpec) (*Role, error)
	UpdateRole(ctx context.Context, enterpriseID, roleID string, in RoleSpec) (*Role, error)
	DeleteRole(ctx context.Context, enterpriseID, roleID string) error

	ListGroups(ctx context.Context, enterpriseID string) ([]Group, error)
	GetGroup(ctx context.Context, enterpriseID, groupID string) (*Group, error)
	CreateGroup(ctx context.Context, enterpriseID string, in GroupSpec) (*Group, error)
	UpdateGroup(ctx context.Context, enterpriseID, groupID string, in GroupSpec) (*Group, error)
	DeleteGroup(ctx context.Context, enterpriseID, groupID string) error
	ListGroupMembers(ctx context.Context, enterpriseID, groupID string) ([]string, error)
	AddGroupMember(ctx context.Context, enterpriseID, groupID, userID string) error
	RemoveGroupMember(ctx context.Context, enterpriseID, groupID, userID string) error

	ListDomains(ctx context.Context, enterpriseID string) ([]Domain, error)
	GetDomain(ctx context.Context, enterpriseID, domainID string) (*Domain, error)
	CreateDomain(ctx context.Context, enterpriseID string, name string) (*Domain, error)
	DeleteDomain(ctx context.Context, enterpriseID, domainID string) error
	// VerifyDomain asks the platform to check the DNS record now.
	VerifyDomain(ctx context.Context, enterpriseID, domainID string) (*DomainVerification, error)
	GetDomainVerification(ctx context.Context, enterpriseID, domainID string) (*DomainVerification, error)

	ListWebhooks(ctx context.Context, enterpriseID string) ([]Webhook, error)
	GetWebhook(ctx context.Context, enterpriseID, webhookID string) (*Webhook, error)
	CreateWebhook(ctx context.Context, enterpriseID string, in WebhookSpec) (*Webhook, error)
	UpdateWebhook(ctx context.Context, enterpriseID, webhookID string, in WebhookSpec) (*Webhook, error)
	DeleteWebhook(ctx context.Context, enterpriseID, webhookID string) error
	TestWebhook(ctx context.Context, enterpriseID, webhookID string) (*WebhookTestResult, error)

	// ListCompanies walks the reseller's managed companies (seed 003).
	ListCompanies(ctx context.Context) ([]Company, error)
}

// CurrentUser is the identity behind the credentials.
type CurrentUser struct {
	UserID       string
	EnterpriseID string
	Nickname     string
}

// ThirdPartyIdentifier links an enterprise to an id in another system.
type ThirdPartyIdentifier struct {
	ID    string
	Label string
}

// EnterpriseCreate is seed 002's create request. IdempotencyKey makes a retried create
// return the first enterprise instead of a second one.
type EnterpriseCreate struct {
	OrganizationID        string
	AdminEmail            string
	IdempotencyKey        string
	AdditionalAdmins      []string
	ThirdPartyIdentifiers []ThirdPartyIdentifier
}

// EnterpriseCreated is seed 002's 200 body.
type EnterpriseCreated struct {
	EnterpriseID string
	AdminUserID  string
}

// Enterprise is the platform's view of an enterprise (read is a contract extension).
type Enterprise struct {
	ID                    string
	OrganizationID        string
	AdminEmail            string
	AdminUserID           string
	AdditionalAdmins      []string
	ThirdPartyIdentifiers []ThirdPartyIdentifier
}

// EnterpriseUpdate holds what can change on an existing enterprise (extension).
type EnterpriseUpdate struct {
	AdditionalAdmins      []string
	ThirdPartyIdentifiers []ThirdPartyIdentifier
}

// UserStatus is a user's platform state.
type UserStatus string

const (
	UserStatusActive    UserStatus = "active"
	UserStatusSuspended UserStatus = "suspended"
)

// User is an enterprise user.
type User struct {
	ID         string
	Username   string
	Email      string
	FirstName  string
	LastName   string
	Phone      string
	Mobile     string
	Title      string
	Department string
	RoleIDs    []string
	Status     UserStatus
}

// UserFilter narrows ListUsers (seed 000 parameters).
type UserFilter struct {
	Search string
	Status UserStatus
	RoleID string
}

// UserCreate creates a user; the password travels in the JSON body, never in a URL.
type UserCreate struct {
	Username   string
	Password   string
	Email      string
	FirstName  string
	LastName   string
	Phone      string
	Mobile     string
	Title      string
	Department string
	RoleIDs    []string
}

// UserUpdate is the desired profile; every field is sent (empty clears it).
type UserUpdate struct {
	Email      string
	FirstName  string
	LastName   string
	Phone      string
	Mobile     string
	Title      string
	Department string
	RoleIDs    []string
}

// RoleSpec is what the operator sets on a role.
type RoleSpec struct {
	Name        string
	Description string
	Permissions []string
}

// Role is an enterprise role.
type Role struct {
	ID string
	RoleSpec
}

// GroupSpec is what the operator sets on a user group.
type GroupSpec struct {
	Name              string
	Description       string
	ExternalReference string
}

// Group is an enterprise user group.
type Group struct {
	ID string
	GroupSpec
}

// DomainState is a domain's verification state.
type DomainState string

const (
	DomainStatePending  DomainState = "pending"
	DomainStateVerified DomainState = "verified"
	DomainStateFailed   DomainState = "failed"
)

// DNSRecord is the record the platform asks the domain owner to publish.
type DNSRecord struct {
	Type  string
	Name  string
	Value string
}

// Domain is an enterprise domain.
type Domain struct {
	ID        string
	Name      string
	State     DomainState
	Record    DNSRecord
	LastCheck *time.Time
	NextCheck *time.Time
}

// DomainVerification is the outcome of a verification check.
type DomainVerification struct {
	State     DomainState
	Message   string
	LastCheck *time.Time
	NextCheck *time.Time
}

// WebhookSpec is what the operator sets on a webhook. SigningSecret is write-only: the
// platform never returns it, so drift on it cannot be observed.
type WebhookSpec struct {
	URL           string
	Events        []string
	Active        bool
	SigningSecret string
}

// Webhook is an enterprise webhook as the platform returns it.
type Webhook struct {
	ID     string
	URL    string
	Events []string
	Active bool
}

// WebhookTestResult is the outcome of the platform POSTing a signed test event.
type WebhookTestResult struct {
	Success    bool
	StatusCode int
	Message    string
	TestedAt   time.Time
}

// Company is a customer company a reseller credential manages (seed 003).
type Company struct {
	ResourceID string
	Name       string
}
