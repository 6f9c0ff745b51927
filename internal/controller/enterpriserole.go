package controller

import (
	"context"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/controller/snapshot"
	"enterprise-operator/internal/platform"
)

// roleExternal maps an EnterpriseRole to a platform role; its natural key is the name.
type roleExternal struct {
	parent
	deps *deps
}

func newRoleExternal(d *deps, p parent) managed.External[*v1alpha1.EnterpriseRole] {
	return &roleExternal{parent: p, deps: d}
}

// view binds the roles' list snapshot to r.
func (x *roleExternal) view(r *v1alpha1.EnterpriseRole) view[platform.Role] {
	ent, c, name := x.enterpriseID, x.platform, r.Spec.Name
	return newView(x.deps, &x.parent, x.deps.views.roles, r, snapshot.Source[platform.Role]{
		List: func(ctx context.Context) ([]platform.Role, error) { return c.ListRoles(ctx, ent, "") },
		Get: func(ctx context.Context, id string) (*platform.Role, error) {
			return notFoundIsNil(c.GetRole(ctx, ent, id))
		},
		Search: func(ctx context.Context) ([]platform.Role, error) { return c.ListRoles(ctx, ent, name) },
	})
}

func roleSpec(r *v1alpha1.EnterpriseRole) platform.RoleSpec {
	return platform.RoleSpec{Name: r.Spec.Name, Description: r.Spec.Description, Permissions: nonNil(r.Spec.Permissions)}
}

func (x *roleExternal) Observe(ctx context.Context, r *v1alpha1.EnterpriseRole) (managed.Observation, error) {
	got, err := x.view(r).observe(ctx, r, r.Spec.Name, func(p platform.Role) bool { return p.Name == r.Spec.Name })
	if err != nil || got == nil {
		return managed.Observation{}, err
	}
	id := got.ID
	var drift []string
	if got.Name != r.Spec.Name {
		drift = append(drift, "name")
	}
	if got.Description != r.Spec.Description {
		drift = append(drift, "description")
	}
	if !sameSet(got.Permissions, r.Spec.Permissions) {
		drift = append(drift, "permissions")
	}
	return managed.Observation{Exists: true, ExternalID: id, UpToDate: len(drift) == 0, Drift: drift}, nil
}

func (x *roleExternal) Create(ctx context.Context, r *v1alpha1.EnterpriseRole) (managed.Observation, error) {
	got, err := x.platform.CreateRole(ctx, x.enterpriseID, roleSpec(r))
	if err := x.view(r).created(got, err, "role", "name"); err != nil {
		return managed.Observation{}, err
	}
	return managed.Observation{Exists: true, ExternalID: got.ID, UpToDate: true}, nil
}

func (x *roleExternal) Update(ctx context.Context, r *v1alpha1.EnterpriseRole, cur managed.Observation) (managed.Observation, error) {
	got, err := x.platform.UpdateRole(ctx, x.enterpriseID, cur.ExternalID, roleSpec(r))
	x.view(r).wrote(cur.ExternalID, got, err)
	if err != nil {
		return managed.Observation{}, err
	}
	return managed.Observation{Exists: true, ExternalID: cur.ExternalID, UpToDate: true}, nil
}

func (x *roleExternal) Delete(ctx context.Context, r *v1alpha1.EnterpriseRole) error {
	err := x.platform.DeleteRole(ctx, x.enterpriseID, r.Status.ExternalID)
	x.view(r).deleted(r.Status.ExternalID, err)
	return ignorePlatformNotFound(err)
}
