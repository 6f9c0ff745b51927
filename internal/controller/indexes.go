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

// fieldIndex is one field index of the cache: the kind, the index's name, and the
// values an object is found by.
type fieldIndex struct {
	obj   client.Object
	field string
	fn    client.IndexerFunc
}

// fieldIndexes are the indexes by which dependants are found: the map functions
// (mapping.go) and a PlatformConfig's deletion look their objects up by reference.
func fieldIndexes() []fieldIndex {
	enterpriseRef := func(o client.Object) []string { return []string{o.(Child).GetEnterpriseRef().Name} }
	return []fieldIndex{
		{&v1alpha1.EnterpriseUser{}, indexEnterpriseRef, enterpriseRef},
		{&v1alpha1.UserGroup{}, indexEnterpriseRef, enterpriseRef},
		{&v1alpha1.Domain{}, indexEnterpriseRef, enterpriseRef},
		{&v1alpha1.Webhook{}, indexEnterpriseRef, enterpriseRef},
		{&v1alpha1.EnterpriseRole{}, indexEnterpriseRef, enterpriseRef},
		{&v1alpha1.Enterprise{}, indexPlatformConfigRef, func(o client.Object) []string {
			return []string{o.(*v1alpha1.Enterprise).Spec.PlatformConfigRef.Name}
		}},
		{&v1alpha1.EnterpriseUser{}, indexSecretRefs, func(o client.Object) []string {
			if ref := o.(*v1alpha1.EnterpriseUser).Spec.PasswordSecretRef; ref != nil {
				return []string{ref.Name}
			}
			return nil
		}},
		{&v1alpha1.Webhook{}, indexSecretRefs, func(o client.Object) []string {
			return []string{o.(*v1alpha1.Webhook).Spec.SigningSecretRef.Name}
		}},
		{&v1alpha1.EnterpriseUser{}, indexRoleRefs, func(o client.Object) []string {
			refs := o.(*v1alpha1.EnterpriseUser).Spec.RoleRefs
			out := make([]string, 0, len(refs))
			for _, r := range refs {
				out = append(out, r.Name)
			}
			return out
		}},
	}
}

func setupIndexes(ctx context.Context, mgr ctrl.Manager) error {
	idx := mgr.GetFieldIndexer()
	for _, f := range fieldIndexes() {
		if err := idx.IndexField(ctx, f.obj, f.field, f.fn); err != nil {
			return err
		}
	}
	return nil
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
func registerClaims(ctx context.Context, informers cache.Cache) (kindClaims, error) {
	k := kindClaims{
		enterprises: enterpriseClaims(), users: userClaims(), groups: groupClaims(),
		domains: domainClaims(), webhooks: webhookClaims(), roles: roleClaims(),
	}
	for _, err := range []error{
		k.enterprises.register(ctx, informers, &v1alpha1.Enterprise{}, &v1alpha1.EnterpriseList{}),
		k.users.register(ctx, informers, &v1alpha1.EnterpriseUser{}, &v1alpha1.EnterpriseUserList{}),
		k.groups.register(ctx, informers, &v1alpha1.UserGroup{}, &v1alpha1.UserGroupList{}),
		k.domains.register(ctx, informers, &v1alpha1.Domain{}, &v1alpha1.DomainList{}),
		k.webhooks.register(ctx, informers, &v1alpha1.Webhook{}, &v1alpha1.WebhookList{}),
		k.roles.register(ctx, informers, &v1alpha1.EnterpriseRole{}, &v1alpha1.EnterpriseRoleList{}),
	} {
		if err != nil {
			return kindClaims{}, err
		}
	}
	return k, nil
}
