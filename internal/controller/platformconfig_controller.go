package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// DefaultCredentialCheckInterval is how often a PlatformConfig's credentials are
// re-validated when nothing changed.
const DefaultCredentialCheckInterval = 10 * time.Minute

const (
	msgCredentialsValid = "authenticated to the platform as user %s"
	msgInUse            = "PlatformConfig is still used by %d Enterprise(s): %s; delete them first"
	// EventCredentialsInvalid is recorded when the platform refuses the credentials.
	EventCredentialsInvalid = "CredentialsInvalid"
)

// PlatformConfigReconciler validates a PlatformConfig's credentials with a token and a
// cheap call (WhoAmI), keeps its client in the registry, and refuses to go away while
// Enterprises still use it (their deletion would otherwise have no way to reach the
// platform).
type PlatformConfigReconciler struct {
	Client        client.Client
	Clients       *ClientRegistry
	Recorder      events.EventRecorder
	CheckInterval time.Duration
	// Wake requeues a PlatformConfig whose check the circuit breaker refused once the
	// circuit closes, so Synced turns True again at once.
	Wake managed.Waker
}

// Reconcile validates the credentials and records the outcome. It has the shape of
// managed.Reconciler's (get, finalizer, one deferred status patch, delete or normal)
// and takes those steps, and their conflict policy, from package managed. It is not a
// managed.Reconciler itself: that one drives a platform object through a Connector and
// an External (observe, create, update, delete, claims, pause, ObserveOnly), while a
// PlatformConfig has no platform object, only credentials to check, and its conditions
// follow the check (Stalled only for credentials a person must fix, Ready kept through
// a platform blip only on credentials this generation proved).
func (r *PlatformConfigReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	pc := &v1alpha1.PlatformConfig{}
	if err := r.Client.Get(ctx, req.NamespacedName, pc); err != nil {
		if apierrors.IsNotFound(err) {
			r.Clients.Forget(req.Name)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if pc.DeletionTimestamp.IsZero() {
		if err := managed.EnsureFinalizer(ctx, r.Client, pc, nil); err != nil {
			return managed.RequeueConflict(err)
		}
	}
	before := pc.DeepCopy()
	defer func() {
		if err := r.patchStatus(ctx, before, pc); err != nil {
			retErr = kerrors.NewAggregate([]error{retErr, err})
		}
	}()
	if !pc.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, pc)
	}
	return r.reconcileNormal(ctx, pc)
}

// patchStatus writes the status the reconcile arrived at, unless only lastCheckTime
// moved (see equalStatus).
func (r *PlatformConfigReconciler) patchStatus(ctx context.Context, before, pc *v1alpha1.PlatformConfig) error {
	managed.SetReconciling(&pc.Status.Conditions, pc.Generation, pc.Status.ObservedGeneration)
	if equalStatus(before.Status, pc.Status) {
		return nil
	}
	return managed.PatchStatus(ctx, r.Client, before, pc)
}

func (r *PlatformConfigReconciler) reconcileNormal(ctx context.Context, pc *v1alpha1.PlatformConfig) (ctrl.Result, error) {
	interval := r.CheckInterval
	if interval <= 0 {
		interval = DefaultCredentialCheckInterval
	}
	c, err := r.Clients.Refresh(ctx, pc)
	if err == nil {
		var who *platform.CurrentUser
		if who, err = c.WhoAmI(ctx); err == nil {
			r.Clients.Accepted(pc.Name)
			pc.Status.AuthenticatedAs = who.UserID
			now := metav1.Now()
			pc.Status.LastCheckTime = &now
			r.set(pc, metav1.ConditionTrue, v1alpha1.ReasonCredentialsValid, fmt.Sprintf(msgCredentialsValid, who.UserID))
			pc.Status.ObservedGeneration = pc.Generation
			return ctrl.Result{RequeueAfter: interval}, nil
		}
	}
	c2 := managed.Classify(err)
	switch {
	case c2.Outcome == managed.OutcomeStalling, platform.IsUnauthorized(err):
		reason := c2.Reason
		if platform.IsUnauthorized(err) || platform.IsForbidden(err) || reason == v1alpha1.ReasonInvalidSpec {
			reason = v1alpha1.ReasonCredentialsInvalid
		}
		r.set(pc, metav1.ConditionFalse, reason, c2.Message)
		managed.SetCondition(&pc.Status.Conditions, pc.Generation, v1alpha1.ConditionStalled, metav1.ConditionTrue, reason, c2.Message)
		// This generation has its verdict, so kstatus reads Failed rather than waiting
		// for a generation it thinks is still unobserved.
		pc.Status.ObservedGeneration = pc.Generation
		if r.Recorder != nil {
			event := EventCredentialsInvalid
			if reason == v1alpha1.ReasonForbiddenAddress {
				// Not a credential problem: the URL leads somewhere the operator never goes.
				event = v1alpha1.ReasonForbiddenAddress
			}
			r.Recorder.Eventf(pc, nil, corev1.EventTypeWarning, event, "Validate", "%s", c2.Message)
		}
		// A Secret change brings it back at once; the interval is a safety net.
		return ctrl.Result{RequeueAfter: interval}, nil
	}
	// The platform is unavailable or rate limiting: that says nothing about the
	// credentials. Ones this generation already proved keep the PlatformConfig Ready,
	// so a blip does not stop every object that uses it (each would wait for it to be
	// Ready again); Synced says the last check failed, and why. Credentials rotated
	// since are not proven yet.
	if provenValid(pc) && !r.Clients.Unproven(pc.Name) {
		managed.SetCondition(&pc.Status.Conditions, pc.Generation, v1alpha1.ConditionSynced, metav1.ConditionFalse, c2.Reason, c2.Message)
	} else {
		r.set(pc, metav1.ConditionFalse, c2.Reason, c2.Message)
	}
	if c2.Outcome == managed.OutcomeWaiting {
		r.Wake.WhenAvailable(err, "PlatformConfig/"+pc.Name, client.ObjectKeyFromObject(pc))
		return ctrl.Result{RequeueAfter: c2.After}, nil
	}
	return ctrl.Result{}, err
}

// provenValid reports whether a check of this generation found the credentials valid.
func provenValid(pc *v1alpha1.PlatformConfig) bool {
	c := meta.FindStatusCondition(pc.Status.Conditions, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == v1alpha1.ReasonCredentialsValid &&
		c.ObservedGeneration == pc.Generation
}

func (r *PlatformConfigReconciler) reconcileDelete(ctx context.Context, pc *v1alpha1.PlatformConfig) (ctrl.Result, error) {
	enterprises := &v1alpha1.EnterpriseList{}
	if err := r.Client.List(ctx, enterprises, client.MatchingFields{indexPlatformConfigRef: pc.Name}); err != nil {
		return ctrl.Result{}, err
	}
	if n := len(enterprises.Items); n > 0 {
		names := make([]string, 0, n)
		for _, e := range enterprises.Items {
			names = append(names, e.Namespace+"/"+e.Name)
		}
		// Ready stays as it is: the Enterprises (and their children) still need these
		// credentials to delete their platform objects before this can go.
		managed.SetCondition(&pc.Status.Conditions, pc.Generation, v1alpha1.ConditionSynced, metav1.ConditionFalse,
			v1alpha1.ReasonDeletionBlocked, fmt.Sprintf(msgInUse, n, strings.Join(names, ", ")))
		return ctrl.Result{RequeueAfter: managed.DefaultWait}, nil
	}
	r.Clients.Forget(pc.Name)
	return managed.RequeueConflict(managed.ReleaseFinalizer(ctx, r.Client, pc))
}

// set records the outcome in Ready and Synced; Stalled (kstatus Failed) is cleared here
// and set again only by a credential failure the user has to fix.
func (r *PlatformConfigReconciler) set(pc *v1alpha1.PlatformConfig, s metav1.ConditionStatus, reason, msg string) {
	meta.RemoveStatusCondition(&pc.Status.Conditions, v1alpha1.ConditionStalled)
	managed.SetCondition(&pc.Status.Conditions, pc.Generation, v1alpha1.ConditionReady, s, reason, msg)
	if s == metav1.ConditionTrue {
		managed.SetCondition(&pc.Status.Conditions, pc.Generation, v1alpha1.ConditionSynced, s, v1alpha1.ReasonReconcileSuccess, msg)
	} else {
		managed.SetCondition(&pc.Status.Conditions, pc.Generation, v1alpha1.ConditionSynced, s, reason, msg)
	}
}

// equalStatus ignores lastCheckTime so a periodic check that changes nothing does not
// write status.
func equalStatus(a, b v1alpha1.PlatformConfigStatus) bool {
	a.LastCheckTime, b.LastCheckTime = nil, nil
	if len(a.Conditions) != len(b.Conditions) || a.ObservedGeneration != b.ObservedGeneration || a.AuthenticatedAs != b.AuthenticatedAs {
		return false
	}
	for i := range a.Conditions {
		x, y := a.Conditions[i], b.Conditions[i]
		if x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason || x.Message != y.Message || x.ObservedGeneration != y.ObservedGeneration {
			return false
		}
	}
	return meta.IsStatusConditionTrue(a.Conditions, v1alpha1.ConditionReady) == meta.IsStatusConditionTrue(b.Conditions, v1alpha1.ConditionReady)
}
