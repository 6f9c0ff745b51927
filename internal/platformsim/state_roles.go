package platformsim

import (
	"slices"
	"strings"
)

// RoleInput creates or replaces a role.
type RoleInput struct {
	Name        string
	Description *string
	Permissions *[]string
}

func (s *store) listRoles(sc scope, entID, search string, w window) ([]*Role, int, *apiError) {
	var keep func(*Role) bool
	if q := strings.ToLower(strings.TrimSpace(search)); q != "" {
		keep = func(r *Role) bool { return strings.Contains(strings.ToLower(r.Name+"\n"+r.Description), q) }
	}
	return listIn(s, sc, entID, rolesIn, keep, w)
}

func (s *store) getRole(sc scope, entID, roleID string) (*Role, *apiError) {
	return getIn(s, sc, entID, roleID, rolesIn)
}

// newName checks the name of a new role or group: given, and no other's.
func newName[T any, P object[T]](t *table[T, P], name string) *apiError {
	if strings.TrimSpace(name) == "" {
		return errInvalid(fieldName, "name must not be empty")
	}
	return t.free(nameKey(name), nil)
}

// rename gives a role or group x the name, unless name is empty (an update that
// leaves the name as it is) or another's.
func rename[T any, P object[T]](t *table[T, P], x *T, name string, set func(string)) *apiError {
	if name == "" {
		return nil
	}
	if err := t.free(nameKey(name), x); err != nil {
		return err
	}
	t.change(x, func() { set(name) })
	return nil
}

func (s *store) createRole(sc scope, entID string, in RoleInput) (*Role, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	if err := newName(&e.kids.roles, in.Name); err != nil {
		return nil, err
	}
	id, seq, now := s.fresh()
	r := &Role{ID: id, Name: in.Name, Permissions: []string{}, CreatedAt: now, UpdatedAt: now, seq: seq}
	in.apply(r)
	e.kids.roles.add(r)
	return r.copyOut(), nil
}

// apply sets what the input gives besides the name.
func (in RoleInput) apply(r *Role) {
	setIf(&r.Description, in.Description)
	if in.Permissions != nil {
		r.Permissions = append([]string{}, (*in.Permissions)...)
	}
}

// updateRole changes name (when non-empty), description and permissions (when set).
func (s *store) updateRole(sc scope, entID, roleID string, in RoleInput) (*Role, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, r, err := childIn(s, sc, entID, roleID, rolesIn)
	if err != nil {
		return nil, err
	}
	if err := rename(&e.kids.roles, r, in.Name, func(n string) { r.Name = n }); err != nil {
		return nil, err
	}
	in.apply(r)
	r.UpdatedAt = s.now().UTC()
	return r.copyOut(), nil
}

// deleteRole removes the role and unassigns it from every user.
func (s *store) deleteRole(sc scope, entID, roleID string) *apiError {
	return deleteIn(s, sc, entID, roleID, rolesIn, func(e *Enterprise, roleID string) {
		for _, u := range e.Users {
			u.RoleIDs = slices.DeleteFunc(u.RoleIDs, func(id string) bool { return id == roleID })
		}
	})
}
