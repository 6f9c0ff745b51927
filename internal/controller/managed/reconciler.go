package managed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"enterprise-operator/api/v1alpha1"
)

// Event reasons. Events are for people: one for each thing on the platform someone may
// need to see (an update of drift, an adoption, a delete, a failure). A create records
// none: status says it (externalID, lastAppliedTime, Ready), and an Event per object
// would be a third API write for each of the thousands of objects a GitOps sync
// creates at once (docs/scale.md). DriftDetected is ObserveOnly's news that the platform
// differs from the spec (first, or in other fields than before; nothing is written);
// DeletionBlocked replaces Stalled and ReconcileError when a deletion is what fails.
const (
	EventUpdated        = "Updated"
	EventDeleted        = "Deleted"
	EventAdopted        = "Adopted"
	EventOrphaned       = "Orphaned"
	EventDriftDetected  = "DriftDetected"
	EventReconcileError = "ReconcileError"
	EventStalled        = "Stalled"
	EventDeleteBlocked  = "DeletionBlocked"
	// EventReleased: the object lost a claim to another object and dropped its binding.
	EventReleased = "Released"
)

// Messages of conditions the machinery itself sets.
const (
	msgPaused        = "reconciliation is paused by the " + v1alpha1.AnnotationPaused + " annotation; no platform call is made"
	msgInSync        = "the platform object matches the spec"
	msgObserveOnly   = "managementPolicy is ObserveOnly: the platform object matches the spec and is never written"
	msgObserveDrift  = "managementPolicy is ObserveOnly: the platform differs from the spec in %s; nothing is written"
	msgObserveAbsent = "managementPolicy is ObserveOnly and no platform object matches; nothing is created"
	msgCreating      = "creating the platform object"
	msgAdoptMissing  = "the platform has no object %s to adopt (" + v1alpha1.AnnotationExternalID + " annotation); fix or remove the annotation"
	msgDeleting      = "deleting the platform object"
	msgDeleteBlocked = "deletion is blocked: %s (to let the object go without deleting it on the platform, set spec.deletionPolicy to Orphan)"
	msgReleased      = "released platform object %s: %s"
	msgLeftToHolder  = "left platform object %s to the object that manages it"
)

// DefaultResyncInterval is how often an in-sync object is re-read from the platform to
// catch drift when neither the flag nor the annotation says otherwise. The platform sends
// no watch events, so this is the only way to see changes made outside the operator; it
// is long because the platform is a rate-limited SaaS and 10,000 objects share it.
const DefaultResyncInterval = 30 * time.Minute

// Reconciler reconciles one platform-backed kind. Kinds differ only in NewObject and
// Connector.
type Reconciler[T Object] struct {
	Client    client.Client
	Recorder  events.EventRecorder
	NewObject func() T
	Connector Connector[T]
	// Claims, when set, keeps one object managing each platform object (see Claims).
	Claims Claims[T]
	// ResyncInterval is the default drift-check interval (jittered).
	ResyncInterval time.Duration
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// Wake, when set, is this controller's Waker: objects a credential's circuit
	// breaker refused are requeued, spread out, when it closes.
	Wake Waker
	// WarningWindow is how long a Warning event is not repeated for the same object,
	// generation and reason (DefaultWarningWindow when zero).
	WarningWindow time.Duration

	warnings warningGate
}

// Reconcile is the single entry point: get, ensure the finalizer, defer one status
// patch, then delete or reconcile normally.
func (r *Reconciler[T]) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	obj := r.NewObject()
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	// A kind whose deletion has work to do before its own platform object goes (an
	// Enterprise deletes its children) holds the finalizer from the start. Every other
	// object gets it only when it first binds or creates a platform object
	// (ensureFinalizer), so an object that never reached the platform is deleted at
	// once, whatever its dependencies say.
	if _, gated := r.Connector.(DeletionGate[T]); gated && obj.GetDeletionTimestamp().IsZero() {
		if err := r.ensureFinalizer(ctx, obj, false); err != nil {
			return RequeueConflict(err)
		}
	}

	before := obj.DeepCopyObject().(T)
	deferred := false
	defer func() {
		if gone(obj) || deferred {
			// Deferred: nothing was observed, so nothing may be reported.
			// Its last finalizer is released: the API server has removed it, and a
			// status write would only be answered 404.
			return
		}
		setReconciling(obj)
		if err := r.patchStatus(ctx, before, obj); err != nil {
			retErr = kerrors.NewAggregate([]error{retErr, err})
		}
	}()

	if isPaused(obj) {
		r.setSynced(obj, metav1.ConditionFalse, v1alpha1.ReasonPaused, msgPaused)
		return ctrl.Result{}, nil
	}
	if !obj.GetDeletionTimestamp().IsZero() {
		return r.finish(ctx, obj, 0, r.reconcileDelete(ctx, obj))
	}
	after, err := r.reconcileNormal(ctx, obj)
	var d *DeferredError
	if errors.As(err, &d) {
		deferred = true
		reconcilesDeferred.WithLabelValues(controllerName(obj)).Inc()
		return r.deferUntil(d, req.NamespacedName), nil
	}
	return r.finish(ctx, obj, after, err)
}

// deferSafetyNet requeues a deferred object should its wakeup be lost.
const deferSafetyNet = 30 * time.Second

// deferUntil requeues the object when what it waits for is done: through the Waker
// when there is one, else after a second.
func (r *Reconciler[T]) deferUntil(d *DeferredError, key types.NamespacedName) ctrl.Result {
	if r.Wake == nil {
		return ctrl.Result{RequeueAfter: time.Second}
	}
	d.OnDone(func() { r.Wake.Now(key) })
	return ctrl.Result{RequeueAfter: deferSafetyNet}
}

// reconcileNormal brings the platform in line with the spec and returns when to look again.
func (r *Reconciler[T]) reconcileNormal(ctx context.Context, obj T) (time.Duration, error) {
	ext, err := r.Connector.Connect(ctx, obj)
	if err != nil {
		return 0, err
	}
	// What this object claims (its id, else its natural key) must not be held by
	// another object before the platform is even asked.
	if err := r.claim(ctx, obj, ExternalIDOf(obj)); err != nil {
		return 0, err
	}
	obs, err := ext.Observe(ctx, obj)
	if err != nil {
		return 0, err
	}
	if obs.Exists && obs.ExternalID != ExternalIDOf(obj) {
		// Found by natural key: another object may already manage what was found.
		if err := r.claim(ctx, obj, obs.ExternalID); err != nil {
			return 0, err
		}
	}
	status := obj.GetManagedStatus()
	observeOnly := obj.GetManagedSpec().ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly

	if !obs.Exists {
		if observeOnly {
			status.Drift = nil
			r.setReady(obj, metav1.ConditionFalse, v1alpha1.ReasonNotFound, msgObserveAbsent)
			r.setSynced(obj, metav1.ConditionTrue, v1alpha1.ReasonNotFound, msgObserveAbsent)
			return r.resync(obj, obs), nil
		}
		if adopt := obj.GetAnnotations()[v1alpha1.AnnotationExternalID]; adopt != "" && status.ExternalID == "" {
			// Asked to adopt an object that is not there: creating another would
			// silently ignore the request.
			return 0, Stalling(v1alpha1.ReasonNotFound, msgAdoptMissing, adopt)
		}
		if p, ok := ext.(CreatePreparer[T]); ok {
			if err := p.PrepareCreate(ctx, obj); err != nil {
				return 0, err
			}
		}
		// The finalizer and the create-pending mark are stored before the create, so a
		// deletion after a lost answer looks the object up instead of leaking it.
		if err := r.ensureFinalizer(ctx, obj, true); err != nil {
			return 0, err
		}
		r.setReady(obj, metav1.ConditionFalse, v1alpha1.ReasonCreating, msgCreating)
		obs, err = ext.Create(ctx, obj)
		// A create that made the object but failed a later step (suspending a new user,
		// adding a group's members) still returns its id: record it now, retry the rest.
		if obs.ExternalID != "" {
			status.ExternalID = obs.ExternalID
			status.LastAppliedTime = r.now()
		}
		if err != nil {
			return 0, err
		}
	} else if status.ExternalID != obs.ExternalID && obs.ExternalID != "" {
		// Bound from now on: a deletion must see it (ObserveOnly leaves it alone).
		if !observeOnly {
			if err := r.ensureFinalizer(ctx, obj, false); err != nil {
				return 0, err
			}
		}
		status.ExternalID = obs.ExternalID
		status.LastAppliedTime = r.now()
		r.event(obj, corev1.EventTypeNormal, EventAdopted, "Adopt", "adopted the existing platform object %s", obs.ExternalID)
	}

	if observeOnly {
		// Drift is news when it first shows or changes, not at every resync that finds it again.
		newDrift := !obs.UpToDate && !slices.Equal(status.Drift, obs.Drift)
		status.Drift = obs.Drift
		if !obs.UpToDate {
			msg := fmt.Sprintf(msgObserveDrift, strings.Join(obs.Drift, ", "))
			if newDrift {
				r.event(obj, corev1.EventTypeNormal, EventDriftDetected, "Observe", "%s", msg)
			}
			r.setReady(obj, metav1.ConditionFalse, v1alpha1.ReasonDrifted, msg)
			r.setSynced(obj, metav1.ConditionTrue, v1alpha1.ReasonDrifted, msg)
			return r.resync(obj, obs), nil
		}
		r.markInSync(obj, obs, v1alpha1.ReasonObserveOnly, msgObserveOnly)
		return r.resync(obj, obs), nil
	}

	// Objects bound by an earlier release, or while ObserveOnly, get the finalizer
	// before their first write.
	if err := r.ensureFinalizer(ctx, obj, false); err != nil {
		return 0, err
	}
	if !obs.UpToDate {
		drift := obs.Drift
		if obs, err = ext.Update(ctx, obj, obs); err != nil {
			return 0, err
		}
		status.LastAppliedTime = r.now()
		r.event(obj, corev1.EventTypeNormal, EventUpdated, "Update", "updated on the platform: %s", strings.Join(drift, ", "))
	}
	status.Drift = nil
	if actor, ok := ext.(Actor[T]); ok {
		if obs, err = actor.Act(ctx, obj, obs); err != nil {
			return 0, err
		}
		if a := obs.Acted; a != nil {
			r.event(obj, corev1.EventTypeNormal, a.Reason, a.Action, "%s", a.Note)
		}
	}
	r.markInSync(obj, obs, v1alpha1.ReasonAvailable, msgInSync)
	return r.resync(obj, obs), nil
}

// reconcileDelete deletes (or orphans) the platform object, then releases the finalizer.
func (r *Reconciler[T]) reconcileDelete(ctx context.Context, obj T) error {
	if !controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer) {
		return nil
	}
	r.setReady(obj, metav1.ConditionFalse, v1alpha1.ReasonDeleting, msgDeleting)

	if gate, ok := r.Connector.(DeletionGate[T]); ok {
		if err := gate.BeforeDelete(ctx, obj); err != nil {
			return err
		}
	}
	spec := obj.GetManagedSpec()
	if spec.DeletionPolicy == v1alpha1.DeletionPolicyOrphan || spec.ManagementPolicy == v1alpha1.ManagementPolicyObserveOnly {
		if id := obj.GetManagedStatus().ExternalID; id != "" {
			r.event(obj, corev1.EventTypeNormal, EventOrphaned, "Orphan", "left platform object %s in place", id)
		}
		return r.releaseFinalizer(ctx, obj)
	}

	status := obj.GetManagedStatus()
	if status.ExternalID == "" && obj.GetAnnotations()[v1alpha1.AnnotationCreatePending] == "" {
		// Never bound and never asked to create: nothing of this object is on the
		// platform, so nothing it depends on matters.
		return r.releaseFinalizer(ctx, obj)
	}
	ext, err := r.Connector.Connect(ctx, obj)
	if errors.Is(err, ErrParentGone) {
		return r.releaseFinalizer(ctx, obj)
	}
	if err != nil {
		return deletionBlocked(err)
	}
	// Without an id a create may still have succeeded with its answer lost: look it up
	// by natural key rather than leak it.
	id := status.ExternalID
	if id == "" {
		obs, err := ext.Observe(ctx, obj)
		if err != nil {
			return deletionBlocked(err)
		}
		if !obs.Exists {
			return r.releaseFinalizer(ctx, obj)
		}
		id = obs.ExternalID
	}
	// Never delete what another object manages.
	if err := r.claim(ctx, obj, id); err != nil {
		var lost *LostClaimError
		if errors.As(err, &lost) {
			r.event(obj, corev1.EventTypeNormal, EventOrphaned, "Orphan", msgLeftToHolder, id)
			return r.releaseFinalizer(ctx, obj)
		}
		return deletionBlocked(err)
	}
	status.ExternalID = id
	if err := ext.Delete(ctx, obj); err != nil {
		return deletionBlocked(err)
	}
	r.event(obj, corev1.EventTypeNormal, EventDeleted, "Delete", "deleted platform object %s", obj.GetManagedStatus().ExternalID)
	return r.releaseFinalizer(ctx, obj)
}

// deletionBlocked rewords an error so the condition says that deletion is what it blocks
// and how to get out; the error keeps its place in the taxonomy.
func deletionBlocked(err error) error {
	c := Classify(err)
	msg := fmt.Sprintf(msgDeleteBlocked, c.Message)
	switch c.Outcome {
	case OutcomeStalling:
		return &StallingError{Reason: v1alpha1.ReasonDeletionBlocked, Message: msg, Err: err}
	case OutcomeWaiting:
		return &WaitingError{Reason: v1alpha1.ReasonDeletionBlocked, Message: msg, After: c.After, Err: err}
	default:
		return &genericError{reason: v1alpha1.ReasonDeletionBlocked, msg: msg, err: err}
	}
}

// genericError keeps a reason for the condition on an error that is retried with backoff.
type genericError struct {
	reason, msg string
	err         error
}

func (e *genericError) Error() string { return e.msg }
func (e *genericError) Unwrap() error { return e.err }

// claim returns a StallingError (AlreadyManaged) when another object holds the platform
// object obj claims (id, or its natural key when id is ""). An object bound to what it
// lost releases the binding at once, so it never writes to it and its deletion never
// deletes it.
func (r *Reconciler[T]) claim(ctx context.Context, obj T, id string) error {
	if r.Claims == nil {
		return nil
	}
	others, err := r.Claims.Competitors(ctx, obj, id)
	if err != nil {
		return err
	}
	holder := Holder(obj, others, id)
	if holder.GetUID() == obj.GetUID() {
		return nil
	}
	reason, msg := r.Claims.Conflict(obj, holder, id)
	if st := obj.GetManagedStatus(); id != "" && st.ExternalID == id {
		st.ExternalID = ""
		st.Drift = nil
		r.event(obj, corev1.EventTypeWarning, EventReleased, "Release", msgReleased, id, msg)
	}
	return &LostClaimError{&StallingError{Reason: reason, Message: msg}}
}

// ensureFinalizer stores the finalizer (and, before a create, the create-pending
// mark) with an optimistic lock: a stale cached copy conflicts, and finish requeues.
func (r *Reconciler[T]) ensureFinalizer(ctx context.Context, obj T, createPending bool) error {
	var marks map[string]string
	if createPending {
		marks = map[string]string{v1alpha1.AnnotationCreatePending: r.now().UTC().Format(time.RFC3339)}
	}
	return EnsureFinalizer(ctx, r.Client, obj, marks)
}

func (r *Reconciler[T]) releaseFinalizer(ctx context.Context, obj T) error {
	return ReleaseFinalizer(ctx, r.Client, obj)
}

// finish turns the outcome of a reconcile into conditions and a controller result,
// following the error taxonomy.
func (r *Reconciler[T]) finish(ctx context.Context, obj T, after time.Duration, err error) (ctrl.Result, error) {
	if err == nil {
		if obj.GetDeletionTimestamp().IsZero() {
			meta.RemoveStatusCondition(&obj.GetManagedStatus().Conditions, v1alpha1.ConditionStalled)
		}
		return ctrl.Result{RequeueAfter: after}, nil
	}
	if apierrors.IsConflict(err) {
		return RequeueConflict(err)
	}
	c := Classify(err)
	var ge *genericError
	if errors.As(err, &ge) {
		c.Reason = ge.reason
	}
	status := obj.GetManagedStatus()
	switch c.Outcome {
	case OutcomeStalling:
		r.setReady(obj, metav1.ConditionFalse, c.Reason, c.Message)
		r.setSynced(obj, metav1.ConditionFalse, c.Reason, c.Message)
		r.setCondition(obj, v1alpha1.ConditionStalled, metav1.ConditionTrue, c.Reason, c.Message)
		// This generation has its verdict: without it kstatus would read "generation not
		// observed yet" (InProgress) and Flux would wait for its timeout instead of
		// failing. Flux's own controllers do the same when they stall.
		status.ObservedGeneration = obj.GetGeneration()
		reason, action := failureEvent(c, EventStalled)
		r.event(obj, corev1.EventTypeWarning, reason, action, "%s", c.Message)
		// No requeue: a spec change, a Secret change or an annotation brings it back.
		return ctrl.Result{}, nil
	case OutcomeWaiting:
		r.setReadyIfUnknown(obj, c.Reason, c.Message)
		r.setSynced(obj, metav1.ConditionFalse, c.Reason, c.Message)
		meta.RemoveStatusCondition(&status.Conditions, v1alpha1.ConditionStalled)
		// Refused by an open circuit: the breaker wakes it when the platform is back
		// (c.After is only the safety net), and the PlatformConfig's events tell the story.
		r.Wake.WhenAvailable(err, fmt.Sprintf("%T/%s/%s", obj, obj.GetNamespace(), obj.GetName()), client.ObjectKeyFromObject(obj))
		return ctrl.Result{RequeueAfter: c.After}, nil
	default:
		// A platform failure warns only when it repeats: a first one is usually a blip
		// or the start of an outage, which the circuit breaker reports once, on the
		// PlatformConfig, instead of once per object.
		repeated := c.Reason != v1alpha1.ReasonPlatformUnavailable || isSynced(obj, v1alpha1.ReasonPlatformUnavailable)
		r.setReadyIfUnknown(obj, c.Reason, c.Message)
		r.setSynced(obj, metav1.ConditionFalse, c.Reason, c.Message)
		meta.RemoveStatusCondition(&status.Conditions, v1alpha1.ConditionStalled)
		if repeated {
			reason, action := failureEvent(c, EventReconcileError)
			r.event(obj, corev1.EventTypeWarning, reason, action, "%s", c.Message)
		}
		log.FromContext(ctx).Info("reconcile failed; retrying with backoff", "reason", c.Reason, "error", c.Message)
		return ctrl.Result{}, err
	}
}

// event records an event; Warnings go through the gate that keeps them at a human rate.
func (r *Reconciler[T]) event(obj T, eventType, reason, action, note string, args ...any) {
	if r.Recorder == nil {
		return
	}
	if eventType == corev1.EventTypeWarning {
		window := r.WarningWindow
		if window <= 0 {
			window = DefaultWarningWindow
		}
		if !r.warnings.allow(obj.GetUID(), obj.GetGeneration(), reason, r.now().Time, window) {
			return
		}
	}
	r.Recorder.Eventf(obj, nil, eventType, reason, action, note, args...)
}

// isSynced reports whether the object's Synced condition is False with reason.
func isSynced(obj Object, reason string) bool {
	c := meta.FindStatusCondition(obj.GetManagedStatus().Conditions, v1alpha1.ConditionSynced)
	return c != nil && c.Status == metav1.ConditionFalse && c.Reason == reason
}

func (r *Reconciler[T]) now() *metav1.Time {
	if r.Now != nil {
		t := metav1.NewTime(r.Now())
		return &t
	}
	t := metav1.Now()
	return &t
}

// patchStatus writes status once, and only if it changed; see PatchStatus.
func (r *Reconciler[T]) patchStatus(ctx context.Context, before, after T) error {
	return PatchStatus(ctx, r.Client, before, after)
}

func isPaused(obj client.Object) bool {
	return obj.GetAnnotations()[v1alpha1.AnnotationPaused] == "true"
}
