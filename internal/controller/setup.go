package controller

import (
	"context"
	"time"

	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
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

// withDefaults fills in what the flags left unset.
func (o Options) withDefaults() Options {
	if o.NewPlatformClient == nil {
		o.NewPlatformClient = platform.New
	}
	if o.RetryBaseDelay <= 0 {
		o.RetryBaseDelay = time.Second
	}
	if o.RetryMaxDelay <= 0 {
		o.RetryMaxDelay = 5 * time.Minute
	}
	return o
}

// SetupWithManager registers the indexes and every controller.
func SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	opts = opts.withDefaults()
	kube := mgr.GetClient()
	if err := setupIndexes(ctx, mgr); err != nil {
		return err
	}
	claims, err := registerClaims(ctx, mgr.GetCache())
	if err != nil {
		return err
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
		Watches(&v1alpha1.Enterprise{}, claims.enterprises.wakeCompetitors())
	if err := complete(ent, newReconciler(mgr, opts, func() *v1alpha1.Enterprise { return &v1alpha1.Enterprise{} },
		&enterpriseConnector{kube: kube, clients: registry}, claims.enterprises)); err != nil {
		return err
	}

	users := builderFor(mgr, opts, "enterpriseuser", &v1alpha1.EnterpriseUser{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.EnterpriseUserList](kube, &v1alpha1.EnterpriseUserList{}), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.EnterpriseRole{}, handler.EnqueueRequestsFromMapFunc(usersOfRole(kube)), builder.WithPredicates(readinessChanged())).
		WatchesMetadata(secretMetadata(), referencingSecret[*v1alpha1.EnterpriseUserList](kube, &v1alpha1.EnterpriseUserList{}), builder.WithPredicates(secretAppeared())).
		Watches(&v1alpha1.EnterpriseUser{}, claims.users.wakeCompetitors())
	if err := complete(users, newReconciler(mgr, opts, func() *v1alpha1.EnterpriseUser { return &v1alpha1.EnterpriseUser{} },
		&childConnector[*v1alpha1.EnterpriseUser]{deps: d, newExternal: newUserExternal}, claims.users)); err != nil {
		return err
	}

	groups := builderFor(mgr, opts, "usergroup", &v1alpha1.UserGroup{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.UserGroupList](kube, &v1alpha1.UserGroupList{}), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.EnterpriseUser{}, handler.EnqueueRequestsFromMapFunc(groupsInNamespace(kube)), builder.WithPredicates(membershipChanged())).
		Watches(&v1alpha1.UserGroup{}, claims.groups.wakeCompetitors())
	if err := complete(groups, newReconciler(mgr, opts, func() *v1alpha1.UserGroup { return &v1alpha1.UserGroup{} },
		&childConnector[*v1alpha1.UserGroup]{deps: d, newExternal: newGroupExternal}, claims.groups)); err != nil {
		return err
	}

	domains := builderFor(mgr, opts, "domain", &v1alpha1.Domain{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.DomainList](kube, &v1alpha1.DomainList{}), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.Domain{}, claims.domains.wakeCompetitors())
	if err := complete(domains, newReconciler(mgr, opts, func() *v1alpha1.Domain { return &v1alpha1.Domain{} },
		&childConnector[*v1alpha1.Domain]{deps: d, newExternal: newDomainExternal}, claims.domains)); err != nil {
		return err
	}
	webhooks := builderFor(mgr, opts, "webhook", &v1alpha1.Webhook{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.WebhookList](kube, &v1alpha1.WebhookList{}), builder.WithPredicates(readinessChanged())).
		WatchesMetadata(secretMetadata(), referencingSecret[*v1alpha1.WebhookList](kube, &v1alpha1.WebhookList{})).
		Watches(&v1alpha1.Webhook{}, claims.webhooks.wakeCompetitors())
	if err := complete(webhooks, newReconciler(mgr, opts, func() *v1alpha1.Webhook { return &v1alpha1.Webhook{} },
		&childConnector[*v1alpha1.Webhook]{deps: d, newExternal: newWebhookExternal}, claims.webhooks)); err != nil {
		return err
	}
	roles := builderFor(mgr, opts, "enterpriserole", &v1alpha1.EnterpriseRole{}).
		Watches(&v1alpha1.Enterprise{}, childrenOf[*v1alpha1.EnterpriseRoleList](kube, &v1alpha1.EnterpriseRoleList{}), builder.WithPredicates(readinessChanged())).
		Watches(&v1alpha1.EnterpriseRole{}, claims.roles.wakeCompetitors())
	return complete(roles, newReconciler(mgr, opts, func() *v1alpha1.EnterpriseRole { return &v1alpha1.EnterpriseRole{} },
		&childConnector[*v1alpha1.EnterpriseRole]{deps: d, newExternal: newRoleExternal}, claims.roles))
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
		Watches(&v1alpha1.Enterprise{}, handler.EnqueueRequestsFromMapFunc(configOfEnterprise()), builder.WithPredicates(deletes())).
		WatchesRawSource(r.Wake.Source()).
		WithOptions(controller.Options{
			RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](opts.RetryBaseDelay, opts.RetryMaxDelay),
		}).
		Complete(r)
}
