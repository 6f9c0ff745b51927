package controller

import (
	"context"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// roleExternal maps an EnterpriseRole to a platform role; its natural key is the name.
type roleExternal struct {
	parent
}

func newRoleExternal(_ *deps, p parent) managed.External[*v1alpha1.EnterpriseRole] {
	return &roleExternal{parent: p}
}

func roleSpec(r *v1alpha1.EnterpriseRole) platform.RoleSpec {
	return platform.RoleSpec{Name: r.Spec.Name, Description: r.Spec.Description, Permissions: nonNil(r.Spec.Permissions)}
}

func (x *roleExternal) Observe(ctx context.Context, r *v1alpha1.EnterpriseRole) (managed.Observation, error) {
	id := managed.ExternalIDOf(r)
	if id == "" {
		roles, err := x.platform.ListRoles(ctx, x.enterpriseID, r.Spec.Name)
		if err != nil {
			return managed.Observation{}, err
		}
		id = findByKey(roles, func(p platform.Role) bool { return p.Name == r.Spec.Name }, func(p platform.Role) string { return p.ID })
		if id == "" {
			return managed.Observation{}, nil
		}
	}
	got, err := x.platform.GetRole(ctx, x.enterpriseID, id)
	if platform.IsNotFound(err) {
		return managed.Observation{}, nil
	}
	if err != nil {
		return managed.Observation{}, err
	}
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
	if err != nil {
		return managed.Observation{}, err
	}
	return managed.Observation{Exists: true, ExternalID: got.ID, UpToDate: true}, nil
}

func (x *roleExternal) Update(ctx context.Context, r *v1alpha1.EnterpriseRole, cur managed.Observation) (managed.Observation, error) {
	if _, err := x.platform.UpdateRole(ctx, x.enterpriseID, cur.ExternalID, roleSpec(r)); err != nil {
		return managed.Observation{}, err
	}
	return managed.Observation{Exists: true, ExternalID: cur.ExternalID, UpToDate: true}, nil
}

func (x *roleExternal) Delete(ctx context.Context, r *v1alpha1.EnterpriseRole) error {
	return ignorePlatformNotFound(x.platform.DeleteRole(ctx, x.enterpriseID, r.Status.ExternalID))
}
