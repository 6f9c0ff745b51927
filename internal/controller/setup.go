package controller

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// Field indexes that map dependencies to the objects that use them.
const (
	indexEnterpriseRef     = "spec.enterpriseRef.name"
	indexPlatformConfigRef = "spec.platformConfigRef.name"
	indexRoleRefs          = "spec.roleRefs.name"
	indexSecretRefs        = "secretRefs"
)

// Options configure every controller of the manager.
type Options struct {
	// ResyncInterval is the default drift-check interval of platform-backed objects.
	ResyncInterval time.Duration
	// CredentialCheckInterval is how often PlatformConfig credentials are re-validated.
	CredentialCheckInterval time.Duration
	// MaxConcurrentReconciles per kind (DefaultMaxConcurrentReconciles in the manager).
	MaxConcurrentReconciles int
	// NewPlatformClient builds platform clients; defaults to platform.New.
	NewPlatformClient NewPlatformClient
	// UserAgent sent to the platform.
	UserAgent string
	// RetryBaseDelay and RetryMaxDelay bound the exponential backoff of failed reconciles.
	RetryBaseDelay, RetryMaxDelay time.Duration
	// Breaker configures every credential's circuit breaker (zero values: defaults).
	Breaker platform.BreakerSettings
	// WarningWindow is how long a Warning event of one reason is not repeated for an
	// object (zero: managed.DefaultWarningWindow). test/rbac shortens it to reach the
	// patch of a repeated event within its run.
	WarningWindow time.Duration
}

// DefaultMaxConcurrentReconciles is the manager's default number of parallel
// reconciles per kind (Crossplane providers default to 10 as well). A reconcile spends
// its time waiting on three round trips (two API server writes and the platform's
// answer, which from a real SaaS platform takes 100 ms or more), not on CPU, so
// throughput is workers divided by that latency; the per-credential rate limiter, not the
// worker count, is what bounds the load on the platform. Measured in docs/scale.md.
const DefaultMaxConcurrentReconciles = 10

// CacheOptions is the informer cache every manager of the operator uses. Cached
// objects lose their managedFields: the operator never reads them, and at 10,000
// objects they are a large share of the cache's memory (updates from a cached copy
// keep the server's managedFields, since an absent list means "unchanged").
// Non-empty namespaces restrict namespaced kinds (and the Secret metadata watches)
// to those namespaces; PlatformConfig is cluster-scoped and always watched.
//
// Secrets are cached metadata-only and only those labelled
// platform.enterprise-operator.dev/secret=true (secretCacheSelector): the cache would
// otherwise hold the name and version of every Secret of the cluster, most of which the
// operator may not use anyway (secretUse), and wake objects on changes to any of them.
func CacheOptions(namespaces []string) cache.Options {
	opts := cache.Options{
		DefaultTransform: cacheTransform(),
		// The cache keys ByObject by GVK, so this selects every Secret informer of the
		// manager: the metadata-only one the watches share, and a full one should
		// anything ever read Secrets through the cached client. Without per-object
		// Namespaces it inherits DefaultNamespaces below.
		ByObject: map[client.Object]cache.ByObject{
			secretMetadata(): {Label: secretCacheSelector()},
		},
	}
	for _, ns := range namespaces {
		if opts.DefaultNamespaces == nil {
			opts.DefaultNamespaces = map[string]cache.Config{}
		}
		opts.DefaultNamespaces[ns] = cache.Config{}
	}
	return opts
}

// secretCacheSelector selects the Secrets that opted in to being read by the operator.
// A label-selected watch reports a Secret that gains the label as added and one that
// loses it as deleted, so labelling a Secret wakes the objects waiting for it.
func secretCacheSelector() labels.Selector {
	return labels.SelectorFromSet(labels.Set{v1alpha1.LabelSecret: v1alpha1.LabelSecretOptIn})
}

// RBAC: every rule is one call the manager makes, and nothing else (test/rbac records
// the requests of a representative run and fails on a call without a rule and on a rule
// without a call; docs/security.md maps each rule to its call). The PlatformConfig's
// rules are in platformconfig_controller.go, the leader-election Role is
// config/rbac/leader_election_role.yaml.
//
// The operator's kinds, Namespaces (namespaceSelector, adoption) and Secret metadata are
// read through the informer cache, which only lists and watches: nothing gets them one
// by one. Finalizers, the create-pending mark and status are merge patches; none of
// them is ever updated whole. No ownerReference the operator sets blocks its owner's
// deletion, so no <kind>/finalizers rule is needed even where the
// OwnerReferencesPermissionEnforcement admission plugin is on.
// +kubebuilder:rbac:groups=platform.enterprise-operator.dev,resources=enterprises;enterpriseusers;usergroups;domains;webhooks;enterpriseroles,verbs=list;watch;patch
// +kubebuilder:rbac:groups=platform.enterprise-operator.dev,resources=enterprises/status;enterpriseusers/status;usergroups/status;domains/status;webhooks/status;enterpriseroles/status,verbs=patch
//
// An Enterprise being deleted deletes its children first (enterpriseConnector.BeforeDelete);
// nothing else deletes a Kubernetes object.
// +kubebuilder:rbac:groups=platform.enterprise-operator.dev,resources=enterpriseusers;usergroups;domains;webhooks;enterpriseroles,verbs=delete
//
// Secrets: their data is read one by one from the API server, never cached (get); their
// metadata, only of labelled Secrets, is watched (list, watch); a generated password
// is stored in a Secret the operator creates (create) and a reset one in the same
// Secret (update). RBAC cannot express "only labelled" or "only its own": secretUse
// checks that in code. No delete: a generated Secret goes with its owner.
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=list;watch
//
// Events go through the events.k8s.io API (mgr.GetEventRecorder); a repeated event is
// patched into a series.
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// SetupWithManager registers the indexes and every controller.
func SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	if opts.NewPlatformClient == nil {
		opts.NewPlatformClient = platform.New
	}
	if opts.RetryBaseDelay <= 0 {
		opts.RetryBaseDelay = time.Second
	}
	if opts.RetryMaxDelay <= 0 {
		opts.RetryMaxDelay = 5 * time.Minute
	}
	kube := mgr.GetClient()
	entClaims, userClaims, groupClaims := enterpriseClaims(), userClaims(), groupClaims()
	domainClaims, webhookClaims, roleClaims := domainClaims(), webhookClaims(), roleClaims()
	if err := setupIndexes(ctx, mgr); err != nil {
		return err
	}
	informers := mgr.GetCache()
	for _, err := range []error{
		entClaims.register(ctx, informers, &v1alpha1.Enterprise{}),
		userClaims.register(ctx, informers, &v1alpha1.EnterpriseUser{}),
		groupClaims.register(ctx, informers, &v1alpha1.UserGroup{}),
		domainClaims.register(ctx, informers, &v1alpha1.Domain{}),
		webhookClaims.register(ctx, informers, &v1alpha1.Webhook{}),
		roleClaims.register(ctx, informers, &v1alpha1.EnterpriseRole{}),
	} {
		if err != nil {
			return err
		}
	}
	pcRecorder := mgr.GetEventRecorder("platformconfig-controller")
	registry := &ClientRegistry{Kube: kube, Secrets: mgr.GetAPIReader(), New: opts.NewPlatformClient, UserAgent: opts.UserAgent,
		Recorder: pcRecorder, Breaker: opts.Breaker}
	d := deps{kube: kube, secrets: mgr.GetAPIReader(), clients: registry, resync: opts.ResyncInterval, views: newViews()}

	if err := (&PlatformConfigReconciler{
		Client: kube, Clients: registry, Recorder: pcRecorder, Wake: managed.NewWaker(),
		CheckInterval: opts.CredentialCheckInterval,
	}).setup(mgr, opts); err != nil {
		return err
	}

	ent := builderFor(mgr, opts, "enterprise", &v1alpha1.Enterprise{}).
		Watches(&v1alpha1.PlatformConfig{}, handler.EnqueueRequestsFromMapFunc(enterprisesOfConfig(kube)), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.EnterpriseUser{}, handler.EnqueueRequestsFromMapFunc(deletingParent(kube)), builder.WithPredicates(deletes())).
		Watches(&v1alpha1.UserGroup{}, handler.EnqueueRequestsFromMapFunc(deletingParent(kube)), builder.WithPredicates(deletes())).
		Watches(&v1alpha1.Domain{}, handler.EnqueueRequestsFromMapFunc(deletingParent(kube)), builder.WithPredicates(deletes())).
		Watches(&v1alpha1.Webhook{}, handler.EnqueueRequestsFromMapFunc(deletingParent(kube)), builder.WithPredicates(deletes())).
		Watches(&v1alpha1.EnterpriseRole{}, handler.EnqueueRequestsFromMapFunc(deletingParent(kube)), builder.WithPredicates(deletes())).
		Watches(&v1alpha1.Enterprise{}, entClaims.wakeCompetitors())
	if err := complete(ent, newReconciler(mgr, opts, func() *v1alpha1.Enterprise { return &v1alpha1.Enterprise{} },
		&enterpriseConnector{kube: kube, clients: registry}, entClaims)); err != nil {
		return err
	}

	users := builderFor(mgr, opts, "enterpriseuser", &v1alpha1.EnterpriseUser{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.EnterpriseUserList](kube, &v1alpha1.EnterpriseUserList{}), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.EnterpriseRole{}, handler.EnqueueRequestsFromMapFunc(usersOfRole(kube)), builder.WithPredicates(readinessChanged())).
		WatchesMetadata(secretMetadata(), referencingSecret[*v1alpha1.EnterpriseUserList](kube, &v1alpha1.EnterpriseUserList{}), builder.WithPredicates(secretAppeared())).
		Watches(&v1alpha1.EnterpriseUser{}, userClaims.wakeCompetitors())
	if err := complete(users, newReconciler(mgr, opts, func() *v1alpha1.EnterpriseUser { return &v1alpha1.EnterpriseUser{} },
		&childConnector[*v1alpha1.EnterpriseUser]{deps: d, newExternal: newUserExternal}, userClaims)); err != nil {
		return err
	}

	groups := builderFor(mgr, opts, "usergroup", &v1alpha1.UserGroup{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.UserGroupList](kube, &v1alpha1.UserGroupList{}), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.EnterpriseUser{}, handler.EnqueueRequestsFromMapFunc(groupsInNamespace(kube)), builder.WithPredicates(membershipChanged())).
		Watches(&v1alpha1.UserGroup{}, groupClaims.wakeCompetitors())
	if err := complete(groups, newReconciler(mgr, opts, func() *v1alpha1.UserGroup { return &v1alpha1.UserGroup{} },
		&childConnector[*v1alpha1.UserGroup]{deps: d, newExternal: newGroupExternal}, groupClaims)); err != nil {
		return err
	}

	domains := builderFor(mgr, opts, "domain", &v1alpha1.Domain{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.DomainList](kube, &v1alpha1.DomainList{}), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.Domain{}, domainClaims.wakeCompetitors())
	if err := complete(domains, newReconciler(mgr, opts, func() *v1alpha1.Domain { return &v1alpha1.Domain{} },
		&childConnector[*v1alpha1.Domain]{deps: d, newExternal: newDomainExternal}, domainClaims)); err != nil {
		return err
	}
	webhooks := builderFor(mgr, opts, "webhook", &v1alpha1.Webhook{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.WebhookList](kube, &v1alpha1.WebhookList{}), builder.WithPredicates(readinessChanged())).
		WatchesMetadata(secretMetadata(), referencingSecret[*v1alpha1.WebhookList](kube, &v1alpha1.WebhookList{})).
		Watches(&v1alpha1.Webhook{}, webhookClaims.wakeCompetitors())
	if err := complete(webhooks, newReconciler(mgr, opts, func() *v1alpha1.Webhook { return &v1alpha1.Webhook{} },
		&childConnector[*v1alpha1.Webhook]{deps: d, newExternal: newWebhookExternal}, webhookClaims)); err != nil {
		return err
	}
	roles := builderFor(mgr, opts, "enterpriserole", &v1alpha1.EnterpriseRole{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.EnterpriseRoleList](kube, &v1alpha1.EnterpriseRoleList{}), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.EnterpriseRole{}, roleClaims.wakeCompetitors())
	return complete(roles, newReconciler(mgr, opts, func() *v1alpha1.EnterpriseRole { return &v1alpha1.EnterpriseRole{} },
		&childConnector[*v1alpha1.EnterpriseRole]{deps: d, newExternal: newRoleExternal}, roleClaims))
}

func newReconciler[T managed.Object](mgr ctrl.Manager, opts Options, newObj func() T, c managed.Connector[T], claims managed.Claims[T]) *managed.Reconciler[T] {
	return &managed.Reconciler[T]{
		Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder("enterprise-operator"),
		NewObject: newObj, Connector: c, Claims: claims, ResyncInterval: opts.ResyncInterval,
		Wake: managed.NewWaker(), WarningWindow: opts.WarningWindow,
	}
}

// complete registers a managed controller with the source of its Waker, through which
// the objects an open circuit refused are requeued when it closes.
func complete[T managed.Object](b *builder.Builder, r *managed.Reconciler[T]) error {
	return b.WatchesRawSource(r.Wake.Source()).Complete(r)
}

// builderFor starts a controller for a kind: its own events only when the spec,
// annotations (pause, one-shot actions) or labels change, not on its own status writes.
func builderFor(mgr ctrl.Manager, opts Options, name string, obj client.Object) *builder.Builder {
	return ctrl.NewControllerManagedBy(mgr).Named(name).
		For(obj, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{},
			userAnnotationsChanged(), predicate.LabelChangedPredicate{}))).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: max(opts.MaxConcurrentReconciles, 1),
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](opts.RetryBaseDelay, opts.RetryMaxDelay),
		})
}

func (r *PlatformConfigReconciler) setup(mgr ctrl.Manager, opts Options) error {
	// Secrets are watched metadata-only: the cache holds names and versions, never
	// data, and only Secrets a PlatformConfig references trigger a reconcile. The
	// cache holds only labelled Secrets (CacheOptions): the rotation of an unlabelled
	// credential Secret, which still works, takes effect at the next periodic check
	// (CheckInterval) instead of at once.
	secret := secretMetadata()
	return ctrl.NewControllerManagedBy(mgr).Named("platformconfig").
		For(&v1alpha1.PlatformConfig{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		WatchesMetadata(secret, handler.EnqueueRequestsFromMapFunc(configsOfSecret(r.Client))).
		// A PlatformConfig being deleted waits for its Enterprises: wake it when one goes.
		Watches(&v1alpha1.Enterprise{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: o.(*v1alpha1.Enterprise).Spec.PlatformConfigRef.Name}}}
		}), builder.WithPredicates(deletes())).
		WatchesRawSource(r.Wake.Source()).
		WithOptions(controller.Options{
			RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](opts.RetryBaseDelay, opts.RetryMaxDelay),
		}).
		Complete(r)
}

// secretMetadata is the metadata-only Secret type every Secret watch shares, so the
// cache holds one informer of Secret metadata and never Secret data.
func secretMetadata() *metav1.PartialObjectMetadata {
	secret := &metav1.PartialObjectMetadata{}
	secret.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	return secret
}

// referencingSecret maps a Secret to the objects of one kind in its namespace that
// reference it (password or signing secret), so an object stalled on a missing Secret
// resumes as soon as the Secret is created or changed.
func referencingSecret[L client.ObjectList](kube client.Client, proto L) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
		list := proto.DeepCopyObject().(client.ObjectList)
		if err := kube.List(ctx, list, client.InNamespace(o.GetNamespace()), client.MatchingFields{indexSecretRefs: o.GetName()}); err != nil {
			return nil
		}
		return requestsFor(list)
	})
}

// secretAppeared passes creations of Secrets, which with the label-selected cache also
// means a Secret that just got the platform.enterprise-operator.dev/secret=true label:
// either can unblock an object stalled on its Secret. The Secrets the operator writes
// itself (generated passwords) carry another label value, so they never reach this
// watch and their writes do not wake the user that made them.
func secretAppeared() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc: func(event.CreateEvent) bool { return true },
		UpdateFunc: func(event.UpdateEvent) bool { return false },
		DeleteFunc: func(event.DeleteEvent) bool { return false },
	}
}

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
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
		list := proto.DeepCopyObject().(client.ObjectList)
		if err := kube.List(ctx, list, client.InNamespace(o.GetNamespace()), client.MatchingFields{indexEnterpriseRef: o.GetName()}); err != nil {
			return nil
		}
		return requestsFor(list)
	})
}

func enterprisesOfConfig(kube client.Client) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		list := &v1alpha1.EnterpriseList{}
		if err := kube.List(ctx, list, client.MatchingFields{indexPlatformConfigRef: o.GetName()}); err != nil {
			return nil
		}
		return requestsFor(list)
	}
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
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		list := &v1alpha1.EnterpriseUserList{}
		if err := kube.List(ctx, list, client.InNamespace(o.GetNamespace()), client.MatchingFields{indexRoleRefs: o.GetName()}); err != nil {
			return nil
		}
		return requestsFor(list)
	}
}

func groupsInNamespace(kube client.Client) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		list := &v1alpha1.UserGroupList{}
		if err := kube.List(ctx, list, client.InNamespace(o.GetNamespace())); err != nil {
			return nil
		}
		return requestsFor(list)
	}
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

// readinessChanged passes events that can unblock dependants: creation, deletion, and
// changes of Ready, the platform id or the deletion mark. Other status writes of a
// dependency do not fan out to all its dependants.
func readinessChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			return readiness(e.ObjectOld) != readiness(e.ObjectNew)
		},
	}
}

func readiness(o client.Object) [3]string {
	var conds []metav1.Condition
	var id string
	switch v := o.(type) {
	case managed.Object:
		conds, id = v.GetManagedStatus().Conditions, v.GetManagedStatus().ExternalID
	case *v1alpha1.PlatformConfig:
		conds = v.Status.Conditions
	}
	ready := "False"
	if meta.IsStatusConditionTrue(conds, v1alpha1.ConditionReady) {
		ready = "True"
	}
	deleting := "false"
	if !o.GetDeletionTimestamp().IsZero() {
		deleting = "true"
	}
	return [3]string{ready, id, deleting}
}

// userAnnotationsChanged passes changes of the annotations people write (pause,
// external-id, one-shot actions), not of the create-pending mark the operator writes
// itself with its finalizer: reconciling again after that write would re-read the
// platform for nothing.
func userAnnotationsChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			return !equalLabels(withoutOwnMarks(e.ObjectOld.GetAnnotations()), withoutOwnMarks(e.ObjectNew.GetAnnotations()))
		},
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

func withoutOwnMarks(a map[string]string) map[string]string {
	if _, ok := a[v1alpha1.AnnotationCreatePending]; !ok {
		return a
	}
	out := make(map[string]string, len(a))
	for k, v := range a {
		if k != v1alpha1.AnnotationCreatePending {
			out[k] = v
		}
	}
	return out
}

// membershipChanged passes EnterpriseUser events that can change a group's members.
func membershipChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			return readiness(e.ObjectOld) != readiness(e.ObjectNew) ||
				!equalLabels(e.ObjectOld.GetLabels(), e.ObjectNew.GetLabels())
		},
	}
}

func equalLabels(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// deletes passes only events that matter to a waiting parent: a child marked for
// deletion or gone.
func deletes() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc: func(event.CreateEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			return !e.ObjectNew.GetDeletionTimestamp().IsZero()
		},
	}
}
