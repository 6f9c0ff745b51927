package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"enterprise-operator/api/v1alpha1"
)

// The map functions turn an event of one object into requests for the objects that
// wait on it, looked up in the cache through the field indexes (indexes.go), so a
// dependency that changes wakes its dependants at once instead of at their next requeue.

// referencingSecret maps a Secret to the objects of one kind in its namespace that
// reference it (password or signing secret), so an object stalled on a missing Secret
// resumes as soon as the Secret is created or changed.
func referencingSecret[L client.ObjectList](kube client.Client, proto L) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(referencing(kube, proto, indexSecretRefs))
}

// referencing maps an object to the objects of proto's kind whose index holds its name,
// in its namespace (every namespace for a cluster-scoped one); with index "", to every
// object of that kind in its namespace.
func referencing(kube client.Client, proto client.ObjectList, index string) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		list := proto.DeepCopyObject().(client.ObjectList)
		opts := []client.ListOption{client.InNamespace(o.GetNamespace())}
		if index != "" {
			opts = append(opts, client.MatchingFields{index: o.GetName()})
		}
		if err := kube.List(ctx, list, opts...); err != nil {
			return nil
		}
		return requestsFor(list)
	}
}

func requestsFor(list client.ObjectList) []reconcile.Request {
	items, _ := meta.ExtractList(list)
	out := make([]reconcile.Request, 0, len(items))
	for _, it := range items {
		o := it.(client.Object)
		out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}})
	}
	return out
}

// childrenOf maps an Enterprise to its children of one kind.
func childrenOf[L client.ObjectList](kube client.Client, proto L) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(referencing(kube, proto, indexEnterpriseRef))
}

// enterprisesOfConfig maps a PlatformConfig (cluster-scoped) to the Enterprises of
// every namespace that use it.
func enterprisesOfConfig(kube client.Client) handler.MapFunc {
	return referencing(kube, &v1alpha1.EnterpriseList{}, indexPlatformConfigRef)
}

// deletingParent wakes an Enterprise that waits for its children to go.
func deletingParent(kube client.Client) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		c, ok := o.(Child)
		if !ok {
			return nil
		}
		key := enterpriseKey(o.GetNamespace(), c.GetEnterpriseRef())
		e := &v1alpha1.Enterprise{}
		if err := kube.Get(ctx, key, e); err != nil || e.DeletionTimestamp.IsZero() {
			return nil
		}
		return []reconcile.Request{{NamespacedName: key}}
	}
}

func usersOfRole(kube client.Client) handler.MapFunc {
	return referencing(kube, &v1alpha1.EnterpriseUserList{}, indexRoleRefs)
}

// groupsInNamespace maps an EnterpriseUser to every group of its namespace: a label
// selector may pick it, and selectors are not indexed.
func groupsInNamespace(kube client.Client) handler.MapFunc {
	return referencing(kube, &v1alpha1.UserGroupList{}, "")
}

func configsOfSecret(kube client.Client) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		list := &v1alpha1.PlatformConfigList{}
		if err := kube.List(ctx, list); err != nil {
			return nil
		}
		var out []reconcile.Request
		for _, pc := range list.Items {
			if referencesSecret(&pc, o.GetNamespace(), o.GetName()) {
				out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Name: pc.Name}})
			}
		}
		return out
	}
}

func referencesSecret(pc *v1alpha1.PlatformConfig, ns, name string) bool {
	a := pc.Spec.Auth
	switch {
	case a.OAuth2 != nil:
		return a.OAuth2.CredentialsSecretRef.Namespace == ns && a.OAuth2.CredentialsSecretRef.Name == name
	case a.BearerToken != nil:
		return a.BearerToken.TokenSecretRef.Namespace == ns && a.BearerToken.TokenSecretRef.Name == name
	}
	return false
}

// configOfEnterprise maps an Enterprise to the PlatformConfig it uses: one being
// deleted waits for its Enterprises, and is woken when one goes.
func configOfEnterprise() handler.MapFunc {
	return func(_ context.Context, o client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: o.(*v1alpha1.Enterprise).Spec.PlatformConfigRef.Name}}}
	}
}
