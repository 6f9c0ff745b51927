package controller

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
)

// Field indexes that map dependencies to the objects that use them.
const (
	indexEnterpriseRef     = "spec.enterpriseRef.name"
	indexPlatformConfigRef = "spec.platformConfigRef.name"
	indexRoleRefs          = "spec.roleRefs.name"
	indexSecretRefs        = "secretRefs"
)

// setupIndexes adds the field indexes by which dependants are found: the map functions
// (mapping.go) and a PlatformConfig's deletion look their objects up by reference.
func setupIndexes(ctx context.Context, mgr ctrl.Manager) error {
	idx := mgr.GetFieldIndexer()
	children := map[client.Object]func(client.Object) []string{
		&v1alpha1.EnterpriseUser{}: func(o client.Object) []string { return []string{o.(Child).GetEnterpriseRef().Name} },
		&v1alpha1.UserGroup{}:      func(o client.Object) []string { return []string{o.(Child).GetEnterpriseRef().Name} },
		&v1alpha1.Domain{}:         func(o client.Object) []string { return []string{o.(Child).GetEnterpriseRef().Name} },
		&v1alpha1.Webhook{}:        func(o client.Object) []string { return []string{o.(Child).GetEnterpriseRef().Name} },
		&v1alpha1.EnterpriseRole{}: func(o client.Object) []string { return []string{o.(Child).GetEnterpriseRef().Name} },
	}
	for obj, fn := range children {
		if err := idx.IndexField(ctx, obj, indexEnterpriseRef, fn); err != nil {
			return err
		}
	}
	if err := idx.IndexField(ctx, &v1alpha1.Enterprise{}, indexPlatformConfigRef, func(o client.Object) []string {
		return []string{o.(*v1alpha1.Enterprise).Spec.PlatformConfigRef.Name}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.EnterpriseUser{}, indexSecretRefs, func(o client.Object) []string {
		if ref := o.(*v1alpha1.EnterpriseUser).Spec.PasswordSecretRef; ref != nil {
			return []string{ref.Name}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.Webhook{}, indexSecretRefs, func(o client.Object) []string {
		return []string{o.(*v1alpha1.Webhook).Spec.SigningSecretRef.Name}
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &v1alpha1.EnterpriseUser{}, indexRoleRefs, func(o client.Object) []string {
		refs := o.(*v1alpha1.EnterpriseUser).Spec.RoleRefs
		out := make([]string, 0, len(refs))
		for _, r := range refs {
			out = append(out, r.Name)
		}
		return out
	})
}

// kindClaims are the claims of the six platform-backed kinds: one per kind, shared by
// its reconciler (who may manage a platform object) and its watch that wakes the
// competitors of an object that lets a claim go.
type kindClaims struct {
	enterprises *claimKind[*v1alpha1.Enterprise]
	users       *claimKind[*v1alpha1.EnterpriseUser]
	groups      *claimKind[*v1alpha1.UserGroup]
	domains     *claimKind[*v1alpha1.Domain]
	webhooks    *claimKind[*v1alpha1.Webhook]
	roles       *claimKind[*v1alpha1.EnterpriseRole]
}

// registerClaims builds every kind's claims and adds their index to its informer.
func registerClaims(ctx context.Context, informers cache.Informers) (kindClaims, error) {
	k := kindClaims{
		enterprises: enterpriseClaims(), users: userClaims(), groups: groupClaims(),
		domains: domainClaims(), webhooks: webhookClaims(), roles: roleClaims(),
	}
	for _, err := range []error{
		k.enterprises.register(ctx, informers, &v1alpha1.Enterprise{}),
		k.users.register(ctx, informers, &v1alpha1.EnterpriseUser{}),
		k.groups.register(ctx, informers, &v1alpha1.UserGroup{}),
		k.domains.register(ctx, informers, &v1alpha1.Domain{}),
		k.webhooks.register(ctx, informers, &v1alpha1.Webhook{}),
		k.roles.register(ctx, informers, &v1alpha1.EnterpriseRole{}),
	} {
		if err != nil {
			return kindClaims{}, err
		}
	}
	return k, nil
}
