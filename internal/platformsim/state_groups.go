package platformsim

import (
	"slices"
	"time"
)

// GroupInput creates or changes a group; nil fields are left as they are on update.
type GroupInput struct {
	Name              string
	Description       *string
	ExternalReference *string
}

// apply sets what the input gives besides the name.
func (in GroupInput) apply(g *Group) {
	setIf(&g.Description, in.Description)
	setIf(&g.ExternalReference, in.ExternalReference)
}

func (s *store) listGroups(sc scope, entID string) ([]*Group, *apiError) {
	groups, _, err := listIn(s, sc, entID, groupsIn, nil, everything)
	return groups, err
}

func (s *store) getGroup(sc scope, entID, groupID string) (*Group, *apiError) {
	return getIn(s, sc, entID, groupID, groupsIn)
}

func (s *store) deleteGroup(sc scope, entID, groupID string) *apiError {
	return deleteIn(s, sc, entID, groupID, groupsIn, nil)
}

func (s *store) createGroup(sc scope, entID string, in GroupInput) (*Group, *apiError) {
	return createNamed(s, sc, entID, in.Name, groupsIn, func(id string, seq uint64, now time.Time) *Group {
		g := &Group{ID: id, Name: in.Name, Members: []string{}, CreatedAt: now, UpdatedAt: now, seq: seq}
		in.apply(g)
		return g
	})
}

func (s *store) updateGroup(sc scope, entID, groupID string, in GroupInput) (*Group, *apiError) {
	return updateNamed(s, sc, entID, groupID, in.Name, groupsIn, in.apply)
}

// members runs change on a group's members and returns a copy of them afterwards.
// change reports whether it changed them (which touches the group).
func (s *store) members(sc scope, entID, groupID string, change func(e *Enterprise, g *Group) (bool, *apiError)) ([]string, *apiError) {
	g, err := inChild(s, sc, entID, groupID, groupsIn, func(e *Enterprise, g *Group) *apiError {
		changed, err := change(e, g)
		if changed {
			g.touch(s.now().UTC())
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return append([]string{}, g.Members...), nil
}

func (s *store) listMembers(sc scope, entID, groupID string) ([]string, *apiError) {
	return s.members(sc, entID, groupID, func(*Enterprise, *Group) (bool, *apiError) { return false, nil })
}

// addMember is idempotent: adding a member twice keeps one membership.
func (s *store) addMember(sc scope, entID, groupID, userID string) ([]string, *apiError) {
	return s.members(sc, entID, groupID, func(e *Enterprise, g *Group) (bool, *apiError) {
		if _, ok := e.Users[userID]; !ok {
			return false, errNotFound(kindUser, userID)
		}
		if slices.Contains(g.Members, userID) {
			return false, nil
		}
		g.Members = append(g.Members, userID)
		return true, nil
	})
}

// removeMember is idempotent: removing a non-member succeeds; only a missing group
// (or enterprise) is 404.
func (s *store) removeMember(sc scope, entID, groupID, userID string) ([]string, *apiError) {
	return s.members(sc, entID, groupID, func(_ *Enterprise, g *Group) (bool, *apiError) {
		if !slices.Contains(g.Members, userID) {
			return false, nil
		}
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == userID })
		return true, nil
	})
}
