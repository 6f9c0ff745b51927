package platformsim

import (
	"slices"
	"time"
)

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

// updatable is an object whose updates are timed.
type updatable[T any] interface {
	object[T]
	// touch records when the object was last changed.
	touch(now time.Time)
}

func (u *User) touch(now time.Time)    { u.UpdatedAt = now }
func (r *Role) touch(now time.Time)    { r.UpdatedAt = now }
func (g *Group) touch(now time.Time)   { g.UpdatedAt = now }
func (d *Domain) touch(now time.Time)  { d.UpdatedAt = now }
func (w *Webhook) touch(now time.Time) { w.UpdatedAt = now }

// named is a kind whose natural key is its name alone (roles, groups).
type named[T any] interface {
	updatable[T]
	setName(name string)
}

func (r *Role) setName(name string)  { r.Name = name }
func (g *Group) setName(name string) { g.Name = name }

// copyOut leaves the children out: they are read through their own tables.
func (e *Enterprise) copyOut() *Enterprise {
	return copyWith(e, func(c *Enterprise) {
		c.AdditionalAdmins = slices.Clone(c.AdditionalAdmins)
		c.ThirdPartyIdentifiers = slices.Clone(c.ThirdPartyIdentifiers)
		c.Users, c.Roles, c.Groups, c.Domains, c.Webhooks = nil, nil, nil, nil, nil
		c.kids = nil
	})
}

func (u *User) copyOut() *User {
	return copyWith(u, func(c *User) { c.RoleIDs = slices.Clone(c.RoleIDs) })
}

func (r *Role) copyOut() *Role {
	return copyWith(r, func(c *Role) { c.Permissions = slices.Clone(c.Permissions) })
}

func (g *Group) copyOut() *Group {
	return copyWith(g, func(c *Group) { c.Members = slices.Clone(c.Members) })
}

// copyOut shares the time pointers: the store replaces them, never writes through them.
func (d *Domain) copyOut() *Domain { return copyWith(d, nil) }

func (w *Webhook) copyOut() *Webhook {
	return copyWith(w, func(c *Webhook) {
		c.Events = slices.Clone(c.Events)
		if c.LastTest != nil {
			c.LastTest = copyWith(c.LastTest, nil)
		}
	})
}

func (t *TargetUser) copyOut() *TargetUser {
	return copyWith(t, func(c *TargetUser) { c.TargetGroupResourceIDs = slices.Clone(c.TargetGroupResourceIDs) })
}

func (c *companyRow) copyOut() *companyRow { return copyWith(c, nil) }

// copyWith copies *x and lets deep (which may be nil) replace what the copy would
// share with x.
func copyWith[T any](x *T, deep func(*T)) *T {
	c := *x
	if deep != nil {
		deep(&c)
	}
	return &c
}
