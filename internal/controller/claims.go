package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
)

// indexClaims maps every platform object an object claims (its bound id, its
// external-id annotation, its natural key) to the object, so that finding the other
// objects claiming the same thing is one cache lookup. It is an index of the kind's
// informer itself, not a controller-runtime field index: that one stores every value
// twice (once for all namespaces, once per namespace), which at 10,000 objects cost
// about 6 MiB of the manager's heap for lookups that need one copy and a namespace
// filter. Its values are buckets of claims (claimBucket), not the claims themselves.
const indexClaims = "claims"

// Messages for a claim held by another object. Only an object in the claimant's own
// namespace is ever named.
const (
	msgIDClaimed  = "platform %s %s is already managed by %s %s/%s; this object never writes to it and its deletion never deletes it"
	msgKeyClaimed = "platform %s %s is already claimed by %s %s/%s; only one object may manage it (change this object's %s, or delete one of them)"
)

// claimKind is one kind's part in keeping one owner per platform object: what it
// claims and how messages name it. The shared decision (who holds a claim) is
// managed.Holder's.
type claimKind[T managed.Object] struct {
	// byClaim returns the cached objects claiming a value (from the informer's index,
	// set by register); they belong to the cache and must not be changed.
	byClaim func(ctx context.Context, value string) ([]any, error)
	// kind names the Kubernetes kind in messages; noun the platform object ("user").
	kind, noun string
	// scope is the platform container the claim lives in: a child's Enterprise. ""
	// for an Enterprise, whose ids are claimed cluster-wide.
	scope func(T) string
	// key is the natural key an object adopts by ("" for none); keyField names the spec
	// field it comes from and keyText describes it in messages.
	key      func(T) string
	keyField string
	keyText  func(T) string
}

var _ managed.Claims[*v1alpha1.EnterpriseUser] = &claimKind[*v1alpha1.EnterpriseUser]{}

// claimValue is the index value of one claim. Hashed: natural keys are URLs and emails,
// and index values must be plain field-selector values.
func claimValue(scope, what, v string) string {
	h := sha256.Sum256([]byte(scope + "\x00" + what + "\x00" + v))
	return hex.EncodeToString(h[:16])
}

// values are the claims obj makes, for the index.
// scopeOf is the container obj's claims live in.
func (c *claimKind[T]) scopeOf(obj T) string {
	if c.scope == nil {
		return ""
	}
	return c.scope(obj)
}

func (c *claimKind[T]) values(obj T) []string {
	scope := c.scopeOf(obj)
	var out []string
	if id := obj.GetManagedStatus().ExternalID; id != "" {
		out = append(out, claimValue(scope, "id", id))
	}
	if id := obj.GetAnnotations()[v1alpha1.AnnotationExternalID]; id != "" {
		out = append(out, claimValue(scope, "id", id))
	}
	if c.key != nil {
		if k := c.key(obj); k != "" {
			out = append(out, claimValue(scope, "key", k))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// register adds the claims index to the kind's informer in the manager's cache. A
// cache over several namespaces (--watch-namespaces) has one informer per namespace
// and no single indexer to ask: there the claims go into controller-runtime's field
// index and are listed through the cache, one list type per kind.
func (c *claimKind[T]) register(ctx context.Context, informers cache.Cache, obj T, list client.ObjectList) error {
	inf, err := informers.GetInformer(ctx, obj)
	if err != nil {
		return err
	}
	shared, ok := inf.(toolscache.SharedIndexInformer)
	if !ok {
		return c.registerFieldIndex(ctx, informers, obj, list)
	}
	if err := shared.AddIndexers(toolscache.Indexers{indexClaims: func(o any) ([]string, error) {
		t, ok := o.(T)
		if !ok {
			return nil, nil
		}
		values := c.values(t)
		for i, v := range values {
			values[i] = claimBucket(v)
		}
		return slices.Compact(slices.Sorted(slices.Values(values))), nil
	}}); err != nil {
		return err
	}
	c.byClaim = func(_ context.Context, value string) ([]any, error) {
		return shared.GetIndexer().ByIndex(indexClaims, claimBucket(value))
	}
	return nil
}

// claimBucket is the informer index value of a claim: the first 12 bits of its hash.
// The index keeps a set per value, and a set of one costs about 280 bytes: two claims
// per object cost 5.6 MiB at 10,000 objects. In 4,096 buckets the sets are shared, and
// list keeps the objects that really make the claim (a few per bucket at 10,000).
func claimBucket(value string) string { return value[:min(len(value), 3)] }

func (c *claimKind[T]) registerFieldIndex(ctx context.Context, informers cache.Cache, obj T, list client.ObjectList) error {
	if err := informers.IndexField(ctx, obj, indexClaims, func(o client.Object) []string { return c.values(o.(T)) }); err != nil {
		return err
	}
	c.byClaim = func(ctx context.Context, value string) ([]any, error) {
		l := list.DeepCopyObject().(client.ObjectList)
		if err := informers.List(ctx, l, client.MatchingFields{indexClaims: value}); err != nil {
			return nil, err
		}
		items, err := meta.ExtractList(l)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = it
		}
		return out, nil
	}
	return nil
}

// list returns copies of the objects claiming value, in ns ("" for every namespace).
func (c *claimKind[T]) list(ctx context.Context, ns, value string) ([]T, error) {
	items, err := c.byClaim(ctx, value)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(items))
	for _, it := range items {
		o, ok := it.(T)
		if !ok || (ns != "" && o.GetNamespace() != ns) || !slices.Contains(c.values(o), value) {
			continue
		}
		out = append(out, o.DeepCopyObject().(T))
	}
	return out, nil
}

// namespace is where competitors live: a child's Enterprise is in its namespace.
func (c *claimKind[T]) namespace(obj client.Object) string {
	if c.scope == nil {
		return ""
	}
	return obj.GetNamespace()
}

func (c *claimKind[T]) Competitors(ctx context.Context, obj T, id string) ([]T, error) {
	var value string
	switch {
	case id != "":
		value = claimValue(c.scopeOf(obj), "id", id)
	case c.key != nil && c.key(obj) != "":
		value = claimValue(c.scopeOf(obj), "key", c.key(obj))
	default:
		return nil, nil
	}
	all, err := c.list(ctx, c.namespace(obj), value)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(o T) bool {
		// An object in another namespace competes only once it is bound: a claim it
		// merely writes (an external-id annotation) must not let one tenant squat on
		// an id another tenant is entitled to. Whether it may bind is the platform's
		// ownership record's to say.
		squat := o.GetNamespace() != obj.GetNamespace() && (id == "" || o.GetManagedStatus().ExternalID != id)
		return o.GetUID() == obj.GetUID() || squat
	}), nil
}

func (c *claimKind[T]) Conflict(obj, holder T, id string) (string, string) {
	if e, ok := any(obj).(*v1alpha1.Enterprise); ok && holder.GetNamespace() != obj.GetNamespace() {
		// Only Enterprises compete across namespaces: say nothing about the other one.
		return v1alpha1.ReasonAdoptionDenied, adoptionDenied(e, id).Error()
	}
	if id != "" {
		return v1alpha1.ReasonAlreadyManaged, fmt.Sprintf(msgIDClaimed, c.noun, id, c.kind, holder.GetNamespace(), holder.GetName())
	}
	return v1alpha1.ReasonAlreadyManaged, fmt.Sprintf(msgKeyClaimed, c.noun, c.keyText(obj), c.kind, holder.GetNamespace(), holder.GetName(), c.keyField)
}

// wakeCompetitors re-queues the objects competing with one whose claims changed or
// which is gone: a loser stalls without requeueing, and takes over (or creates) only
// when the holder lets go.
func (c *claimKind[T]) wakeCompetitors() handler.EventHandler {
	enqueue := func(ctx context.Context, obj client.Object, values []string, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		for _, v := range values {
			others, err := c.list(ctx, c.namespace(obj), v)
			if err != nil {
				ctrl.LoggerFrom(ctx).Error(err, "listing competing claims")
				continue
			}
			for _, o := range others {
				if o.GetUID() != obj.GetUID() {
					q.Add(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}})
				}
			}
		}
	}
	return handler.Funcs{
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			old, cur := c.values(e.ObjectOld.(T)), c.values(e.ObjectNew.(T))
			if slices.Equal(old, cur) {
				return
			}
			enqueue(ctx, e.ObjectNew, slices.Compact(slices.Sorted(slices.Values(append(old, cur...)))), q)
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if obj, ok := e.Object.(T); ok {
				enqueue(ctx, e.Object, c.values(obj), q)
			}
		},
	}
}

// The claims of each kind.

func enterpriseClaims() *claimKind[*v1alpha1.Enterprise] {
	return &claimKind[*v1alpha1.Enterprise]{kind: "Enterprise", noun: "enterprise"}
}

func childClaims[T Child](kind, noun string,
	key func(T) string, keyField string, keyText func(T) string) *claimKind[T] {
	return &claimKind[T]{kind: kind, noun: noun,
		scope: func(o T) string { return o.GetEnterpriseRef().Name },
		key:   key, keyField: keyField, keyText: keyText}
}

// userKey is what a user is found by: its email, or its username without one (the
// same rule as sameUser), in the form the users' list snapshot indexes them.
func userKey(u *v1alpha1.EnterpriseUser) string {
	if u.Spec.Email != "" {
		return userKeyEmail + strings.ToLower(u.Spec.Email)
	}
	return userKeyUsername + u.Spec.Username
}

func userKeyText(u *v1alpha1.EnterpriseUser) string {
	if u.Spec.Email != "" {
		return "with email " + u.Spec.Email
	}
	return "with username " + u.Spec.Username
}

func userClaims() *claimKind[*v1alpha1.EnterpriseUser] {
	return childClaims("EnterpriseUser", "user",
		userKey, "spec.email (or spec.username)", userKeyText)
}

func groupClaims() *claimKind[*v1alpha1.UserGroup] {
	return childClaims("UserGroup", "group",
		func(g *v1alpha1.UserGroup) string { return g.Spec.Name }, "spec.name",
		func(g *v1alpha1.UserGroup) string { return "named " + g.Spec.Name })
}

func roleClaims() *claimKind[*v1alpha1.EnterpriseRole] {
	return childClaims("EnterpriseRole", "role",
		func(r *v1alpha1.EnterpriseRole) string { return r.Spec.Name }, "spec.name",
		func(r *v1alpha1.EnterpriseRole) string { return "named " + r.Spec.Name })
}

func domainClaims() *claimKind[*v1alpha1.Domain] {
	return childClaims("Domain", "domain",
		func(d *v1alpha1.Domain) string { return strings.ToLower(d.Spec.DomainName) }, "spec.domainName",
		func(d *v1alpha1.Domain) string { return d.Spec.DomainName })
}

func webhookClaims() *claimKind[*v1alpha1.Webhook] {
	return childClaims("Webhook", "webhook",
		func(w *v1alpha1.Webhook) string { return w.Spec.URL }, "spec.url",
		func(w *v1alpha1.Webhook) string { return "with URL " + w.Spec.URL })
}
