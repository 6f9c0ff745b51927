package platformsim

import (
	"slices"
	"strings"
	"time"
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

func (s *store) createRole(sc scope, entID string, in RoleInput) (*Role, *apiError) {
	return createNamed(s, sc, entID, in.Name, rolesIn, func(id string, seq uint64, now time.Time) *Role {
		r := &Role{ID: id, Name: in.Name, Permissions: []string{}, CreatedAt: now, UpdatedAt: now, seq: seq}
		in.apply(r)
		return r
	})
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
	return updateNamed(s, sc, entID, roleID, in.Name, rolesIn, in.apply)
}

// deleteRole removes the role and unassigns it from every user.
func (s *store) deleteRole(sc scope, entID, roleID string) *apiError {
	return deleteIn(s, sc, entID, roleID, rolesIn, func(e *Enterprise, roleID string) {
		for _, u := range e.Users {
			u.RoleIDs = slices.DeleteFunc(u.RoleIDs, func(id string) bool { return id == roleID })
		}
	})
}
