package platformsim

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
)

// UserFilter narrows listUsers.
type UserFilter struct {
	Search string
	Status string
	RoleID string
}

// keep is the filter as a table list takes it (nil: every user).
func (f UserFilter) keep() func(*User) bool {
	if f == (UserFilter{}) {
		return nil
	}
	q := strings.ToLower(strings.TrimSpace(f.Search))
	return func(u *User) bool {
		if f.Status != "" && !strings.EqualFold(u.Status, f.Status) {
			return false
		}
		if f.RoleID != "" && !slices.Contains(u.RoleIDs, f.RoleID) {
			return false
		}
		if q != "" {
			hay := strings.ToLower(strings.Join([]string{u.Username, u.Email, u.FirstName, u.LastName,
				u.FirstName + " " + u.LastName}, "\n"))
			if !strings.Contains(hay, q) {
				return false
			}
		}
		return true
	}
}

func (s *store) listUsers(sc scope, entID string, f UserFilter, w window) ([]*User, int, *apiError) {
	return listIn(s, sc, entID, usersIn, f.keep(), w)
}

func (s *store) getUser(sc scope, entID, userID string) (*User, *apiError) {
	return getIn(s, sc, entID, userID, usersIn)
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

func validStatus(status string) *apiError {
	if status != StatusActive && status != StatusSuspended {
		return errInvalid("status", "status must be active or suspended")
	}
	return nil
}

func (s *store) createUser(sc scope, entID string, in UserInput) (*User, *apiError) {
	if in.Username == "" {
		in.Username = in.Email
	}
	status := cmp.Or(in.Status, StatusActive)
	return createIn(s, sc, entID, usersIn, func(e *Enterprise) *apiError {
		if in.Username == "" {
			return errInvalid(fieldUsername, "username (or email) is required")
		}
		if in.Email == "" && in.Mobile == "" && in.Phone == "" {
			return errInvalid(fieldEmail, "email is required when no cell phone is given")
		}
		if err := e.kids.users.free(userKeys(in.Username, in.Email), nil); err != nil {
			return err
		}
		if err := checkRoles(e, in.RoleIDs); err != nil {
			return err
		}
		return validStatus(status)
	}, func(_ *Enterprise, id string, seq uint64, now time.Time) *User {
		return &User{
			ID: id, Username: in.Username, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
			Phone: in.Phone, Mobile: in.Mobile, Title: in.Title, Department: in.Department,
			RoleIDs: append([]string{}, in.RoleIDs...), Status: status, IsAgent: in.IsAgent,
			PasswordSHA256: sha256Hex(in.Password), CreatedAt: now, UpdatedAt: now, seq: seq,
		}
	})
}

func (s *store) updateUser(sc scope, entID, userID string, p UserPatch) (*User, *apiError) {
	return updateIn(s, sc, entID, userID, usersIn, func(e *Enterprise, u *User) *apiError {
		username, email := u.Username, u.Email
		if p.Username != nil {
			if *p.Username == "" {
				return errInvalid(fieldUsername, "username must not be empty")
			}
			username = *p.Username
		}
		setIf(&email, p.Email)
		if err := e.kids.users.free(userKeys(username, email), u); err != nil {
			return err
		}
		if p.RoleIDs != nil {
			if err := checkRoles(e, *p.RoleIDs); err != nil {
				return err
			}
		}
		if p.Status != nil {
			if err := validStatus(*p.Status); err != nil {
				return err
			}
		}
		e.kids.users.change(u, func() { u.Username, u.Email = username, email })
		setIf(&u.FirstName, p.FirstName)
		setIf(&u.LastName, p.LastName)
		setIf(&u.Phone, p.Phone)
		setIf(&u.Mobile, p.Mobile)
		setIf(&u.Title, p.Title)
		setIf(&u.Department, p.Department)
		setIf(&u.Status, p.Status)
		if p.RoleIDs != nil {
			u.RoleIDs = append([]string{}, (*p.RoleIDs)...)
		}
		setIf(&u.IsAgent, p.IsAgent)
		return nil
	})
}

// deleteUser removes the user and its group memberships.
func (s *store) deleteUser(sc scope, entID, userID string) *apiError {
	return deleteIn(s, sc, entID, userID, usersIn, forgetMember)
}

// forgetMember removes a (deleted) user from every group of e.
func forgetMember(e *Enterprise, userID string) {
	for _, g := range e.Groups {
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == userID })
	}
}

func (s *store) setUserStatus(sc scope, entID, userID, status string) (*User, *apiError) {
	return s.updateUser(sc, entID, userID, UserPatch{Status: &status})
}

// resetPassword sets and returns a new random temporary password.
func (s *store) resetPassword(sc scope, entID, userID string) (string, *User, *apiError) {
	var pw string
	u, err := inChild(s, sc, entID, userID, usersIn, func(_ *Enterprise, u *User) *apiError {
		pw = s.newPassword(u)
		return nil
	})
	return pw, u, err
}

// newPassword gives u a new random temporary password and returns it. Callers hold mu.
func (s *store) newPassword(u *User) string {
	pw := s.randomSecret(16)
	u.PasswordSHA256 = sha256Hex(pw)
	u.PasswordResets++
	u.UpdatedAt = s.now().UTC()
	return pw
}

// byLogin finds, among the enterprises visible in sc in creation order, the first
// user whose username or email is login (case-insensitively), earliest created
// first. Callers hold mu.
func (s *store) byLogin(sc scope, login string) (*Enterprise, *User) {
	for _, e := range s.ents.order {
		if e.CompanyID != sc.companyID {
			continue
		}
		var hits []*User
		for _, k := range userKeys(login, login) {
			hits = append(hits, e.kids.users.holders(k)...)
		}
		if u := e.kids.users.first(hits...); u != nil {
			return e, u
		}
	}
	return nil, nil
}

// findUserByEmail searches every enterprise visible in sc (email or username match).
func (s *store) findUserByEmail(sc scope, email string) (*Enterprise, *User, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, u := s.byLogin(sc, email); u != nil {
		return e.copyOut(), u.copyOut(), nil
	}
	return nil, nil, errf(http.StatusNotFound, NameNotFound, map[string]any{"kind": kindUser, "email": email},
		"no user with email %q", email)
}

// findUserAnywhere locates a user by id across visible enterprises (v3 operations
// address users without their enterprise).
func (s *store) findUserAnywhere(sc scope, userID string) (string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.ents.order {
		if e.CompanyID != sc.companyID {
			continue
		}
		if _, ok := e.Users[userID]; ok {
			return e.ID, nil
		}
	}
	return "", errNotFound(kindUser, userID)
}

// resetPasswordByLogin resets the password of the user whose username or email is
// login and reports whether there was one.
func (s *store) resetPasswordByLogin(sc scope, login string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u := s.byLogin(sc, login)
	if u == nil {
		return false
	}
	s.newPassword(u)
	return true
}
