package platformsim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
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
	requestHash string // fingerprint of the create request, for idempotency conflicts
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

type idemKey struct{ company, org, key string }

// store is the one state of the simulator. Every access holds mu.
type store struct {
	mu          sync.Mutex
	enterprises map[string]*Enterprise
	idem        map[idemKey]string
	companies   map[string]*Company
	targetUsers map[string]*TargetUser
	companySeq  map[string]uint64
	seq         uint64

	now func() time.Time
	rnd *mrand.Rand // guarded by mu; nil → crypto/rand
}

func newStore(now func() time.Time, seed int64) *store {
	s := &store{
		enterprises: map[string]*Enterprise{},
		idem:        map[idemKey]string{},
		companies:   map[string]*Company{},
		targetUsers: map[string]*TargetUser{},
		companySeq:  map[string]uint64{},
		now:         now,
	}
	if seed != 0 {
		s.rnd = mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)) //nolint:gosec // a seed's bits, not a quantity
	}
	return s
}

// randomBytes fills n random bytes; callers hold mu when the store is seeded.
func (s *store) randomBytes(n int) []byte {
	b := make([]byte, n)
	if s.rnd != nil {
		for i := range b {
			b[i] = byte(s.rnd.UintN(256)) //nolint:gosec // UintN(256) < 256
		}
		return b
	}
	_, _ = rand.Read(b)
	return b
}

// newID returns a 32-hex id (the seeds' id pattern ^[0-9a-f]{32}$). Callers hold mu.
func (s *store) newID() string { return hex.EncodeToString(s.randomBytes(16)) }

func (s *store) nextSeq() uint64 { s.seq++; return s.seq }

// randomSecret returns a URL-safe random string of n characters. Callers hold mu.
func (s *store) randomSecret(n int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	b := s.randomBytes(n)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func sha256Hex(s string) string {
	if s == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// scope is what a request may see: enterprises created without a company header are
// visible only without one; enterprises created under a company only with that
// company's header.
type scope struct {
	companyID string
}

func (s *store) enterprise(sc scope, id string) (*Enterprise, *apiError) {
	e, ok := s.enterprises[id]
	if !ok || e.CompanyID != sc.companyID {
		return nil, errNotFound("enterprise", id)
	}
	return e, nil
}

func sortedBySeq[T any](m map[string]*T, seq func(*T) uint64) []*T {
	out := make([]*T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return seq(out[i]) < seq(out[j]) })
	return out
}

func clone[T any](v *T) *T {
	c := *v
	return &c
}

func cloneEnterprise(e *Enterprise) *Enterprise {
	c := *e
	c.AdditionalAdmins = slices.Clone(e.AdditionalAdmins)
	c.ThirdPartyIdentifiers = slices.Clone(e.ThirdPartyIdentifiers)
	c.Users, c.Roles, c.Groups, c.Domains, c.Webhooks = nil, nil, nil, nil, nil
	return &c
}

func cloneUser(u *User) *User { c := clone(u); c.RoleIDs = slices.Clone(u.RoleIDs); return c }
func cloneRole(r *Role) *Role { c := clone(r); c.Permissions = slices.Clone(r.Permissions); return c }
func cloneGroup(g *Group) *Group {
	c := clone(g)
	c.Members = slices.Clone(g.Members)
	return c
}
func cloneDomain(d *Domain) *Domain { return clone(d) }
func cloneWebhook(w *Webhook) *Webhook {
	c := clone(w)
	c.Events = slices.Clone(w.Events)
	if w.LastTest != nil {
		c.LastTest = clone(w.LastTest)
	}
	return c
}

func eqFold(a, b string) bool { return a != "" && strings.EqualFold(a, b) }

// ---- enterprises ----

// EnterpriseInput is createEnterprise's request (seed 002).
type EnterpriseInput struct {
	OrganizationID        string
	AdminEmail            string
	IdempotencyKey        string
	Name                  string
	AdditionalAdmins      []string
	ThirdPartyIdentifiers []ThirdPartyIdentifier
}

// fingerprint identifies a create request's content (not its key).
func (in EnterpriseInput) fingerprint() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(strings.TrimSpace(in.AdminEmail)))
	b.WriteString("\x00")
	b.WriteString(in.Name)
	for _, a := range in.AdditionalAdmins {
		b.WriteString("\x00a:" + a)
	}
	for _, t := range in.ThirdPartyIdentifiers {
		b.WriteString("\x00t:" + t.ID + "\x01" + t.Label)
	}
	return sha256Hex(b.String())
}

// createEnterprise is idempotent on (company, organization, idempotency key): a
// repeated key returns the first enterprise and created=false. A new enterprise gets
// its admin user (username and email = AdminEmail).
func (s *store) createEnterprise(sc scope, in EnterpriseInput) (*Enterprise, bool, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := idemKey{sc.companyID, in.OrganizationID, in.IdempotencyKey}
	fp := in.fingerprint()
	if id, ok := s.idem[k]; ok {
		if e, ok := s.enterprises[id]; ok {
			if e.requestHash != fp {
				return nil, false, errf(http.StatusConflict, "IdempotencyKeyReused",
					map[string]any{"organizationId": in.OrganizationID, "idempotencyKey": in.IdempotencyKey, "enterpriseId": e.ID},
					"idempotencyKey %q was already used with a different request for enterprise %s", in.IdempotencyKey, e.ID)
			}
			return cloneEnterprise(e), false, nil
		}
		delete(s.idem, k)
	}
	if strings.TrimSpace(in.AdminEmail) == "" {
		return nil, false, errInvalid("email", "email must not be empty")
	}
	now := s.now().UTC()
	e := &Enterprise{
		ID:                    s.newID(),
		OrganizationID:        in.OrganizationID,
		CompanyID:             sc.companyID,
		Name:                  in.Name,
		AdminEmail:            in.AdminEmail,
		AdditionalAdmins:      slices.Clone(in.AdditionalAdmins),
		ThirdPartyIdentifiers: slices.Clone(in.ThirdPartyIdentifiers),
		IdempotencyKey:        in.IdempotencyKey,
		CreatedAt:             now,
		UpdatedAt:             now,
		Users:                 map[string]*User{},
		Roles:                 map[string]*Role{},
		Groups:                map[string]*Group{},
		Domains:               map[string]*Domain{},
		Webhooks:              map[string]*Webhook{},
		seq:                   s.nextSeq(),
		requestHash:           fp,
	}
	if e.AdditionalAdmins == nil {
		e.AdditionalAdmins = []string{}
	}
	if e.ThirdPartyIdentifiers == nil {
		e.ThirdPartyIdentifiers = []ThirdPartyIdentifier{}
	}
	admin := &User{
		ID: s.newID(), Username: in.AdminEmail, Email: in.AdminEmail, RoleIDs: []string{},
		Status: StatusActive, CreatedAt: now, UpdatedAt: now, seq: s.nextSeq(),
	}
	e.Users[admin.ID] = admin
	e.AdminUserID = admin.ID
	s.enterprises[e.ID] = e
	s.idem[k] = e.ID
	return cloneEnterprise(e), true, nil
}

func (s *store) getEnterprise(sc scope, id string) (*Enterprise, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, id)
	if err != nil {
		return nil, err
	}
	return cloneEnterprise(e), nil
}

// EnterprisePatch changes an enterprise; nil fields are left as they are.
type EnterprisePatch struct {
	Name                  *string
	AdminEmail            *string
	AdditionalAdmins      *[]string
	ThirdPartyIdentifiers *[]ThirdPartyIdentifier
}

func (s *store) updateEnterprise(sc scope, id string, p EnterprisePatch) (*Enterprise, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, id)
	if err != nil {
		return nil, err
	}
	if p.Name != nil {
		e.Name = *p.Name
	}
	if p.AdminEmail != nil {
		e.AdminEmail = *p.AdminEmail
	}
	if p.AdditionalAdmins != nil {
		e.AdditionalAdmins = append([]string{}, (*p.AdditionalAdmins)...)
	}
	if p.ThirdPartyIdentifiers != nil {
		e.ThirdPartyIdentifiers = append([]ThirdPartyIdentifier{}, (*p.ThirdPartyIdentifiers)...)
	}
	e.UpdatedAt = s.now().UTC()
	return cloneEnterprise(e), nil
}

// deleteEnterprise removes the enterprise with all its children, and forgets its
// idempotency key so the same key creates a new enterprise afterwards.
func (s *store) deleteEnterprise(sc scope, id string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, id)
	if err != nil {
		return err
	}
	delete(s.enterprises, id)
	delete(s.idem, idemKey{e.CompanyID, e.OrganizationID, e.IdempotencyKey})
	return nil
}

// ---- users ----

// UserFilter narrows listUsers.
type UserFilter struct {
	Search string
	Status string
	RoleID string
}

func (f UserFilter) match(u *User) bool {
	if f.Status != "" && !strings.EqualFold(u.Status, f.Status) {
		return false
	}
	if f.RoleID != "" && !slices.Contains(u.RoleIDs, f.RoleID) {
		return false
	}
	if q := strings.ToLower(strings.TrimSpace(f.Search)); q != "" {
		hay := strings.ToLower(strings.Join([]string{u.Username, u.Email, u.FirstName, u.LastName,
			u.FirstName + " " + u.LastName}, "\n"))
		if !strings.Contains(hay, q) {
			return false
		}
	}
	return true
}

func (s *store) listUsers(sc scope, entID string, f UserFilter) ([]*User, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	var out []*User
	for _, u := range sortedBySeq(e.Users, func(u *User) uint64 { return u.seq }) {
		if f.match(u) {
			out = append(out, cloneUser(u))
		}
	}
	return out, nil
}

func (s *store) user(sc scope, entID, userID string) (*Enterprise, *User, *apiError) {
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, nil, err
	}
	u, ok := e.Users[userID]
	if !ok {
		return nil, nil, errNotFound("user", userID)
	}
	return e, u, nil
}

func (s *store) getUser(sc scope, entID, userID string) (*User, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, err := s.user(sc, entID, userID)
	if err != nil {
		return nil, err
	}
	return cloneUser(u), nil
}

// UserInput creates a user.
type UserInput struct {
	Username, Password, Email, FirstName, LastName, Phone, Mobile, Title, Department string
	RoleIDs                                                                          []string
	Status                                                                           string
	IsAgent                                                                          bool
}

// UserPatch changes a user; nil fields are left as they are.
type UserPatch struct {
	Username, Email, FirstName, LastName, Phone, Mobile, Title, Department, Status *string
	RoleIDs                                                                        *[]string
	IsAgent                                                                        *bool
}

func checkRoles(e *Enterprise, ids []string) *apiError {
	for _, id := range ids {
		if _, ok := e.Roles[id]; !ok {
			return errf(http.StatusBadRequest, NameValidation, map[string]any{"field": "roleIds", "value": id},
				"role %q does not exist in enterprise %s", id, e.ID)
		}
	}
	return nil
}

func checkUserUnique(e *Enterprise, self, username, email string) *apiError {
	for _, o := range e.Users {
		if o.ID == self {
			continue
		}
		if eqFold(username, o.Username) {
			return errConflict("user", "username", username)
		}
		if eqFold(email, o.Email) {
			return errConflict("user", "email", email)
		}
	}
	return nil
}

func (s *store) createUser(sc scope, entID string, in UserInput) (*User, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	if in.Username == "" {
		in.Username = in.Email
	}
	if in.Username == "" {
		return nil, errInvalid("username", "username (or email) is required")
	}
	if in.Email == "" && in.Mobile == "" && in.Phone == "" {
		return nil, errInvalid("email", "email is required when no cell phone is given")
	}
	if err := checkUserUnique(e, "", in.Username, in.Email); err != nil {
		return nil, err
	}
	if err := checkRoles(e, in.RoleIDs); err != nil {
		return nil, err
	}
	status := in.Status
	if status == "" {
		status = StatusActive
	}
	if status != StatusActive && status != StatusSuspended {
		return nil, errInvalid("status", "status must be active or suspended")
	}
	now := s.now().UTC()
	u := &User{
		ID: s.newID(), Username: in.Username, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		Phone: in.Phone, Mobile: in.Mobile, Title: in.Title, Department: in.Department,
		RoleIDs: append([]string{}, in.RoleIDs...), Status: status, IsAgent: in.IsAgent,
		PasswordSHA256: sha256Hex(in.Password), CreatedAt: now, UpdatedAt: now, seq: s.nextSeq(),
	}
	e.Users[u.ID] = u
	return cloneUser(u), nil
}

func (s *store) updateUser(sc scope, entID, userID string, p UserPatch) (*User, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, u, err := s.user(sc, entID, userID)
	if err != nil {
		return nil, err
	}
	username, email := u.Username, u.Email
	if p.Username != nil {
		if *p.Username == "" {
			return nil, errInvalid("username", "username must not be empty")
		}
		username = *p.Username
	}
	if p.Email != nil {
		email = *p.Email
	}
	if err := checkUserUnique(e, u.ID, username, email); err != nil {
		return nil, err
	}
	if p.RoleIDs != nil {
		if err := checkRoles(e, *p.RoleIDs); err != nil {
			return nil, err
		}
	}
	if p.Status != nil && *p.Status != StatusActive && *p.Status != StatusSuspended {
		return nil, errInvalid("status", "status must be active or suspended")
	}
	u.Username, u.Email = username, email
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.FirstName, p.FirstName)
	set(&u.LastName, p.LastName)
	set(&u.Phone, p.Phone)
	set(&u.Mobile, p.Mobile)
	set(&u.Title, p.Title)
	set(&u.Department, p.Department)
	set(&u.Status, p.Status)
	if p.RoleIDs != nil {
		u.RoleIDs = append([]string{}, (*p.RoleIDs)...)
	}
	if p.IsAgent != nil {
		u.IsAgent = *p.IsAgent
	}
	u.UpdatedAt = s.now().UTC()
	return cloneUser(u), nil
}

// deleteUser removes the user and its group memberships.
func (s *store) deleteUser(sc scope, entID, userID string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, _, err := s.user(sc, entID, userID)
	if err != nil {
		return err
	}
	delete(e.Users, userID)
	for _, g := range e.Groups {
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == userID })
	}
	return nil
}

func (s *store) setUserStatus(sc scope, entID, userID, status string) (*User, *apiError) {
	return s.updateUser(sc, entID, userID, UserPatch{Status: &status})
}

// resetPassword sets and returns a new random temporary password.
func (s *store) resetPassword(sc scope, entID, userID string) (string, *User, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, err := s.user(sc, entID, userID)
	if err != nil {
		return "", nil, err
	}
	pw := s.randomSecret(16)
	u.PasswordSHA256 = sha256Hex(pw)
	u.PasswordResets++
	u.UpdatedAt = s.now().UTC()
	return pw, cloneUser(u), nil
}

// findUserByEmail searches every enterprise visible in sc (email or username match).
func (s *store) findUserByEmail(sc scope, email string) (*Enterprise, *User, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range sortedBySeq(s.enterprises, func(e *Enterprise) uint64 { return e.seq }) {
		if e.CompanyID != sc.companyID {
			continue
		}
		for _, u := range sortedBySeq(e.Users, func(u *User) uint64 { return u.seq }) {
			if eqFold(email, u.Email) || eqFold(email, u.Username) {
				return cloneEnterprise(e), cloneUser(u), nil
			}
		}
	}
	return nil, nil, errf(http.StatusNotFound, NameNotFound, map[string]any{"kind": "user", "email": email},
		"no user with email %q", email)
}

// findUserAnywhere locates a user by id across visible enterprises (v3 operations
// address users without their enterprise).
func (s *store) findUserAnywhere(sc scope, userID string) (string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.enterprises {
		if e.CompanyID != sc.companyID {
			continue
		}
		if _, ok := e.Users[userID]; ok {
			return e.ID, nil
		}
	}
	return "", errNotFound("user", userID)
}

// resetPasswordByLogin resets the password of the user whose username or email is
// login and reports whether there was one.
func (s *store) resetPasswordByLogin(sc scope, login string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.enterprises {
		if e.CompanyID != sc.companyID {
			continue
		}
		for _, u := range e.Users {
			if eqFold(login, u.Username) || eqFold(login, u.Email) {
				u.PasswordSHA256 = sha256Hex(s.randomSecret(16))
				u.PasswordResets++
				u.UpdatedAt = s.now().UTC()
				return true
			}
		}
	}
	return false
}

// ---- roles ----

// RoleInput creates or replaces a role.
type RoleInput struct {
	Name        string
	Description *string
	Permissions *[]string
}

func (s *store) listRoles(sc scope, entID, search string) ([]*Role, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(search))
	var out []*Role
	for _, r := range sortedBySeq(e.Roles, func(r *Role) uint64 { return r.seq }) {
		if q != "" && !strings.Contains(strings.ToLower(r.Name+"\n"+r.Description), q) {
			continue
		}
		out = append(out, cloneRole(r))
	}
	return out, nil
}

func (s *store) role(sc scope, entID, roleID string) (*Enterprise, *Role, *apiError) {
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, nil, err
	}
	r, ok := e.Roles[roleID]
	if !ok {
		return nil, nil, errNotFound("role", roleID)
	}
	return e, r, nil
}

func (s *store) getRole(sc scope, entID, roleID string) (*Role, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.role(sc, entID, roleID)
	if err != nil {
		return nil, err
	}
	return cloneRole(r), nil
}

func checkRoleUnique(e *Enterprise, self, name string) *apiError {
	for _, o := range e.Roles {
		if o.ID != self && eqFold(name, o.Name) {
			return errConflict("role", "name", name)
		}
	}
	return nil
}

func (s *store) createRole(sc scope, entID string, in RoleInput) (*Role, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, errInvalid("name", "name must not be empty")
	}
	if err := checkRoleUnique(e, "", in.Name); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	r := &Role{ID: s.newID(), Name: in.Name, Permissions: []string{}, CreatedAt: now, UpdatedAt: now, seq: s.nextSeq()}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.Permissions != nil {
		r.Permissions = append([]string{}, (*in.Permissions)...)
	}
	e.Roles[r.ID] = r
	return cloneRole(r), nil
}

// updateRole changes name (when non-empty), description and permissions (when set).
func (s *store) updateRole(sc scope, entID, roleID string, in RoleInput) (*Role, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, r, err := s.role(sc, entID, roleID)
	if err != nil {
		return nil, err
	}
	if in.Name != "" {
		if err := checkRoleUnique(e, r.ID, in.Name); err != nil {
			return nil, err
		}
		r.Name = in.Name
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.Permissions != nil {
		r.Permissions = append([]string{}, (*in.Permissions)...)
	}
	r.UpdatedAt = s.now().UTC()
	return cloneRole(r), nil
}

// deleteRole removes the role and unassigns it from every user.
func (s *store) deleteRole(sc scope, entID, roleID string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, _, err := s.role(sc, entID, roleID)
	if err != nil {
		return err
	}
	delete(e.Roles, roleID)
	for _, u := range e.Users {
		u.RoleIDs = slices.DeleteFunc(u.RoleIDs, func(id string) bool { return id == roleID })
	}
	return nil
}

// ---- groups ----

// GroupInput creates or changes a group; nil fields are left as they are on update.
type GroupInput struct {
	Name              string
	Description       *string
	ExternalReference *string
}

func (s *store) listGroups(sc scope, entID string) ([]*Group, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	var out []*Group
	for _, g := range sortedBySeq(e.Groups, func(g *Group) uint64 { return g.seq }) {
		out = append(out, cloneGroup(g))
	}
	return out, nil
}

func (s *store) group(sc scope, entID, groupID string) (*Enterprise, *Group, *apiError) {
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, nil, err
	}
	g, ok := e.Groups[groupID]
	if !ok {
		return nil, nil, errNotFound("group", groupID)
	}
	return e, g, nil
}

func (s *store) getGroup(sc scope, entID, groupID string) (*Group, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, g, err := s.group(sc, entID, groupID)
	if err != nil {
		return nil, err
	}
	return cloneGroup(g), nil
}

func checkGroupUnique(e *Enterprise, self, name string) *apiError {
	for _, o := range e.Groups {
		if o.ID != self && eqFold(name, o.Name) {
			return errConflict("group", "name", name)
		}
	}
	return nil
}

func (s *store) createGroup(sc scope, entID string, in GroupInput) (*Group, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, errInvalid("name", "name must not be empty")
	}
	if err := checkGroupUnique(e, "", in.Name); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	g := &Group{ID: s.newID(), Name: in.Name, Members: []string{}, CreatedAt: now, UpdatedAt: now, seq: s.nextSeq()}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if in.ExternalReference != nil {
		g.ExternalReference = *in.ExternalReference
	}
	e.Groups[g.ID] = g
	return cloneGroup(g), nil
}

func (s *store) updateGroup(sc scope, entID, groupID string, in GroupInput) (*Group, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, g, err := s.group(sc, entID, groupID)
	if err != nil {
		return nil, err
	}
	if in.Name != "" {
		if err := checkGroupUnique(e, g.ID, in.Name); err != nil {
			return nil, err
		}
		g.Name = in.Name
	}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if in.ExternalReference != nil {
		g.ExternalReference = *in.ExternalReference
	}
	g.UpdatedAt = s.now().UTC()
	return cloneGroup(g), nil
}

func (s *store) deleteGroup(sc scope, entID, groupID string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, _, err := s.group(sc, entID, groupID)
	if err != nil {
		return err
	}
	delete(e.Groups, groupID)
	return nil
}

func (s *store) listMembers(sc scope, entID, groupID string) ([]string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, g, err := s.group(sc, entID, groupID)
	if err != nil {
		return nil, err
	}
	return append([]string{}, g.Members...), nil
}

// addMember is idempotent: adding a member twice keeps one membership.
func (s *store) addMember(sc scope, entID, groupID, userID string) ([]string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, g, err := s.group(sc, entID, groupID)
	if err != nil {
		return nil, err
	}
	if _, ok := e.Users[userID]; !ok {
		return nil, errNotFound("user", userID)
	}
	if !slices.Contains(g.Members, userID) {
		g.Members = append(g.Members, userID)
		g.UpdatedAt = s.now().UTC()
	}
	return append([]string{}, g.Members...), nil
}

// removeMember is idempotent: removing a non-member succeeds; only a missing group
// (or enterprise) is 404.
func (s *store) removeMember(sc scope, entID, groupID, userID string) ([]string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, g, err := s.group(sc, entID, groupID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(g.Members, userID) {
		return append([]string{}, g.Members...), nil
	}
	g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == userID })
	g.UpdatedAt = s.now().UTC()
	return append([]string{}, g.Members...), nil
}

// ---- domains ----

func normalizeDomain(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

func validDomainName(name string) bool {
	if len(name) == 0 || len(name) > 253 || !strings.Contains(name, ".") {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

func (s *store) listDomains(sc scope, entID string, verified *bool) ([]*Domain, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	var out []*Domain
	for _, d := range sortedBySeq(e.Domains, func(d *Domain) uint64 { return d.seq }) {
		if verified != nil && (d.State == DomainVerified) != *verified {
			continue
		}
		out = append(out, cloneDomain(d))
	}
	return out, nil
}

func (s *store) domain(sc scope, entID, domainID string) (*Enterprise, *Domain, *apiError) {
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, nil, err
	}
	d, ok := e.Domains[domainID]
	if !ok {
		return nil, nil, errNotFound("domain", domainID)
	}
	return e, d, nil
}

func (s *store) getDomain(sc scope, entID, domainID string) (*Domain, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, d, err := s.domain(sc, entID, domainID)
	if err != nil {
		return nil, err
	}
	return cloneDomain(d), nil
}

// createDomain registers a pending domain with a random TXT record to publish.
func (s *store) createDomain(sc scope, entID, name string, primary bool) (*Domain, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	n := normalizeDomain(name)
	if !validDomainName(n) {
		e := errInvalid("domain", "%q is not a valid domain name", name)
		e.Status = http.StatusUnprocessableEntity
		return nil, e
	}
	for _, o := range e.Domains {
		if o.Name == n {
			return nil, errConflict("domain", "name", n)
		}
	}
	now := s.now().UTC()
	d := &Domain{
		ID: s.newID(), Name: n, IsPrimary: primary, State: DomainPending, RecordType: "TXT",
		RecordName:  VerificationRecordPrefix + n,
		RecordValue: "platform-verification=" + s.randomSecret(32),
		Message:     "publish the TXT record, then verify",
		CreatedAt:   now, UpdatedAt: now, seq: s.nextSeq(),
	}
	if primary {
		for _, o := range e.Domains {
			o.IsPrimary = false
		}
	}
	e.Domains[d.ID] = d
	return cloneDomain(d), nil
}

// updateDomain changes the primary flag (the name is immutable: a new name is a new
// domain with a new record).
func (s *store) updateDomain(sc scope, entID, domainID string, primary *bool) (*Domain, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, d, err := s.domain(sc, entID, domainID)
	if err != nil {
		return nil, err
	}
	if primary != nil {
		if *primary {
			for _, o := range e.Domains {
				o.IsPrimary = false
			}
		}
		d.IsPrimary = *primary
	}
	d.UpdatedAt = s.now().UTC()
	return cloneDomain(d), nil
}

func (s *store) deleteDomain(sc scope, entID, domainID string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, _, err := s.domain(sc, entID, domainID)
	if err != nil {
		return err
	}
	delete(e.Domains, domainID)
	return nil
}

// recordCheck stores the outcome of a DNS check done outside the lock.
func (s *store) recordCheck(sc scope, entID, domainID string, found bool, msg string, recheck time.Duration) (*Domain, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, d, err := s.domain(sc, entID, domainID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	d.Attempts++
	d.LastCheck = &now
	d.UpdatedAt = now
	if found {
		d.State = DomainVerified
		d.VerifiedAt = &now
		d.NextCheck = nil
		d.Message = msg
	} else if d.State != DomainVerified {
		next := now.Add(recheck)
		d.NextCheck = &next
		d.Message = msg
	}
	return cloneDomain(d), nil
}

// ---- webhooks ----

// WebhookInput creates or changes a webhook; nil fields are left as they are on update.
type WebhookInput struct {
	URL           *string
	Events        *[]string
	Active        *bool
	Description   *string
	SigningSecret *string
}

func (s *store) listWebhooks(sc scope, entID string) ([]*Webhook, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	var out []*Webhook
	for _, w := range sortedBySeq(e.Webhooks, func(w *Webhook) uint64 { return w.seq }) {
		out = append(out, cloneWebhook(w))
	}
	return out, nil
}

func (s *store) webhook(sc scope, entID, webhookID string) (*Enterprise, *Webhook, *apiError) {
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, nil, err
	}
	w, ok := e.Webhooks[webhookID]
	if !ok {
		return nil, nil, errNotFound("webhook", webhookID)
	}
	return e, w, nil
}

// getWebhook returns a copy including the signing secret (callers must not expose it).
func (s *store) getWebhook(sc scope, entID, webhookID string) (*Webhook, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, w, err := s.webhook(sc, entID, webhookID)
	if err != nil {
		return nil, err
	}
	return cloneWebhook(w), nil
}

func (s *store) createWebhook(sc scope, entID string, in WebhookInput, checkURL func(string) *apiError) (*Webhook, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	if in.URL == nil {
		return nil, errInvalid("url", "url is required")
	}
	if err := checkURL(*in.URL); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	w := &Webhook{ID: s.newID(), URL: *in.URL, Events: []string{}, Active: true, CreatedAt: now, UpdatedAt: now, seq: s.nextSeq()}
	if in.Events != nil {
		w.Events = append([]string{}, (*in.Events)...)
	}
	if in.Active != nil {
		w.Active = *in.Active
	}
	if in.Description != nil {
		w.Description = *in.Description
	}
	if in.SigningSecret != nil && *in.SigningSecret != "" {
		w.SigningSecret = *in.SigningSecret
	} else {
		w.SigningSecret = s.randomSecret(32)
	}
	e.Webhooks[w.ID] = w
	return cloneWebhook(w), nil
}

func (s *store) updateWebhook(sc scope, entID, webhookID string, in WebhookInput, checkURL func(string) *apiError) (*Webhook, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, w, err := s.webhook(sc, entID, webhookID)
	if err != nil {
		return nil, err
	}
	if in.URL != nil {
		if err := checkURL(*in.URL); err != nil {
			return nil, err
		}
		w.URL = *in.URL
	}
	if in.Events != nil {
		w.Events = append([]string{}, (*in.Events)...)
	}
	if in.Active != nil {
		w.Active = *in.Active
	}
	if in.Description != nil {
		w.Description = *in.Description
	}
	if in.SigningSecret != nil && *in.SigningSecret != "" {
		w.SigningSecret = *in.SigningSecret
	}
	w.UpdatedAt = s.now().UTC()
	return cloneWebhook(w), nil
}

func (s *store) deleteWebhook(sc scope, entID, webhookID string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, _, err := s.webhook(sc, entID, webhookID)
	if err != nil {
		return err
	}
	delete(e.Webhooks, webhookID)
	return nil
}

func (s *store) recordWebhookTest(sc scope, entID, webhookID string, res WebhookTestResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, w, err := s.webhook(sc, entID, webhookID); err == nil {
		w.LastTest = &res
	}
}

// ---- companies and target users ----

func (s *store) addCompany(c Company) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.CreatedAt.IsZero() {
		if old, ok := s.companies[c.ResourceID]; ok {
			c.CreatedAt = old.CreatedAt
		} else {
			c.CreatedAt = s.now().UTC()
		}
	}
	cc := c
	s.companies[c.ResourceID] = &cc
	if _, ok := s.companySeq[c.ResourceID]; !ok {
		s.companySeq[c.ResourceID] = s.nextSeq()
	}
}

func (s *store) companyExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.companies[id]
	return ok
}

// CompanyInfo is a company with its counts, as companies search returns it.
type CompanyInfo struct {
	Company
	TargetUserCount int
	Enterprises     int
}

func (s *store) listCompanies(ids []string) []CompanyInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CompanyInfo
	for _, id := range ids {
		c, ok := s.companies[id]
		if !ok {
			continue
		}
		info := CompanyInfo{Company: *c}
		for _, t := range s.targetUsers {
			if t.CompanyID == id {
				info.TargetUserCount++
			}
		}
		for _, e := range s.enterprises {
			if e.CompanyID == id {
				info.Enterprises++
			}
		}
		out = append(out, info)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return s.companySeq[out[i].ResourceID] < s.companySeq[out[j].ResourceID]
	})
	return out
}

func (s *store) createTargetUser(companyID string, t TargetUser) (*TargetUser, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.companies[companyID]; !ok {
		return nil, errNotFound("company", companyID)
	}
	for _, o := range s.targetUsers {
		if o.CompanyID == companyID && eqFold(t.Email, o.Email) {
			// The contract gives createTargetUser no 409: a duplicate is a validation error.
			return nil, errf(http.StatusBadRequest, NameValidation, map[string]any{"field": "email", "value": t.Email},
				"a target user with email %q already exists in company %s", t.Email, companyID)
		}
	}
	t.ID = s.randomSecret(12)
	t.CompanyID = companyID
	t.CreatedAt = s.now().UTC()
	t.TargetGroupResourceIDs = slices.Clone(t.TargetGroupResourceIDs)
	t.seq = s.nextSeq()
	s.targetUsers[t.ID] = &t
	c := t
	return &c, nil
}
