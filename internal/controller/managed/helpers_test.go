package managed

// The state table's harness (reconcileOnce) and vocabulary: the fixture role, the
// options that put it in each state, and the statuses the reconciler leaves behind.

import (
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"enterprise-operator/api/v1alpha1"
)

var (
	// now is the reconciler's clock; earlier is when the fixtures were last written.
	now     = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	earlier = now.Add(-time.Hour)
)

// resyncEvery is the tests' resync interval; a requeue within its jitter reads "resync".
const resyncEvery = time.Hour

const (
	generation = 2
	id         = "r-1"
	msg503     = "platform getEnterpriseRole: HTTP 503: down (requestId req_5)"
)

// outcome is everything a reconcile leaves behind that the state table speaks of.
type outcome struct {
	Calls       []string
	Events      []string
	Requeue     string
	Err         string
	Gone        bool
	Finalizers  []string
	Annotations map[string]string
	Status      v1alpha1.ManagedResourceStatus
}

// reconcileOnce stores obj, reconciles it once against p and reads back what is stored.
func reconcileOnce(t *testing.T, obj role, p *fakePlatform, wake Waker) outcome {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	kube := fake.NewClientBuilder().WithScheme(scheme).
		WithStatusSubresource(&v1alpha1.EnterpriseRole{}).
		WithObjects(obj).
		WithInterceptorFuncs(p.writes()).
		Build()
	events := &eventLog{}
	r := &Reconciler[role]{
		Client:         kube,
		Recorder:       events,
		NewObject:      func() role { return &v1alpha1.EnterpriseRole{} },
		Connector:      p.connector(),
		ResyncInterval: resyncEvery,
		Now:            func() time.Time { return now },
		Wake:           wake,
	}
	key := client.ObjectKeyFromObject(obj)
	res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: key})

	got := outcome{Calls: p.calls, Events: events.events, Requeue: requeueOf(res)}
	if err != nil {
		got.Err = err.Error()
	}
	stored := &v1alpha1.EnterpriseRole{}
	switch err := kube.Get(context.Background(), key, stored); {
	case apierrors.IsNotFound(err):
		got.Gone = true
	case err != nil:
		t.Fatal(err)
	default:
		got.Finalizers = stored.Finalizers
		got.Annotations = stored.Annotations
		got.Status = stored.Status.ManagedResourceStatus
	}
	return got
}

func requeueOf(res ctrl.Result) string {
	d := res.RequeueAfter
	switch {
	case d == 0:
		return "none"
	case d >= resyncEvery && d <= resyncEvery+time.Duration(resyncJitter*float64(resyncEvery)):
		return "resync"
	}
	return d.String()
}

// newRole is the fixture: a role of generation 2 with opts applied.
func newRole(opts ...func(role)) role {
	r := &v1alpha1.EnterpriseRole{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "admins", UID: "uid-admins", Generation: generation},
		Spec: v1alpha1.EnterpriseRoleSpec{EnterpriseRef: v1alpha1.LocalObjectReference{Name: "acme"},
			Name: "Admins", Permissions: []string{"users:read"}},
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

func withFinalizer(r role) { r.Finalizers = append(r.Finalizers, v1alpha1.Finalizer) }

// withCreatePending marks a create that was sent (and whose answer may be lost).
func withCreatePending(r role) {
	withFinalizer(r)
	annotate(v1alpha1.AnnotationCreatePending, earlier.Format(time.RFC3339))(r)
}

func annotate(k, v string) func(role) {
	return func(r role) {
		if r.Annotations == nil {
			r.Annotations = map[string]string{}
		}
		r.Annotations[k] = v
	}
}

func deleting(r role) { r.DeletionTimestamp = &metav1.Time{Time: now.Add(-time.Minute)} }

func observeOnly(r role) { r.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserveOnly }

func orphan(r role) { r.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan }

func withStatus(st v1alpha1.ManagedResourceStatus) func(role) {
	return func(r role) { r.Status.ManagedResourceStatus = st }
}

// bound is an object created earlier and in sync: finalizer, mark and id stored.
func bound(r role) {
	withCreatePending(r)
	withStatus(inSync())(r)
}

func cond(t string, s metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: generation,
		LastTransitionTime: metav1.NewTime(earlier)}
}

func ready(s metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return cond(v1alpha1.ConditionReady, s, reason, msg)
}

func synced(s metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return cond(v1alpha1.ConditionSynced, s, reason, msg)
}

func stalled(reason, msg string) metav1.Condition {
	return cond(v1alpha1.ConditionStalled, metav1.ConditionTrue, reason, msg)
}

func reconciling(reason, msg string) metav1.Condition {
	return cond(v1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, msg)
}

const (
	T = metav1.ConditionTrue
	F = metav1.ConditionFalse
)

func at(t time.Time) *metav1.Time { return &metav1.Time{Time: t} }

// inSync is the status of an object whose generation is applied and Ready.
func inSync() v1alpha1.ManagedResourceStatus {
	return v1alpha1.ManagedResourceStatus{ObservedGeneration: generation, ExternalID: id, LastAppliedTime: at(earlier),
		Conditions: []metav1.Condition{ready(T, v1alpha1.ReasonAvailable, msgInSync), synced(T, v1alpha1.ReasonReconcileSuccess, msgInSync)}}
}

// appliedNow is inSync for an object applied (created, updated or bound) by this reconcile.
func appliedNow() v1alpha1.ManagedResourceStatus {
	st := inSync()
	st.LastAppliedTime = at(now)
	return st
}

// creating is the status a create whose answer was lost left behind.
var creating = withStatus(v1alpha1.ManagedResourceStatus{Conditions: []metav1.Condition{ready(F, v1alpha1.ReasonCreating, msgCreating)}})

// stalledStatus is the status of an object that stalled before it was ever bound:
// the generation has its verdict.
func stalledStatus(reason, msg string) v1alpha1.ManagedResourceStatus {
	return v1alpha1.ManagedResourceStatus{ObservedGeneration: generation, Conditions: []metav1.Condition{
		ready(F, reason, msg), synced(F, reason, msg), stalled(reason, msg)}}
}

// inSyncBut is inSync with conds set in it, each in place of the one of its type.
func inSyncBut(conds ...metav1.Condition) v1alpha1.ManagedResourceStatus {
	st := inSync()
	for _, c := range conds {
		meta.SetStatusCondition(&st.Conditions, c)
	}
	return st
}

// observedInSync is inSync for an ObserveOnly object.
func observedInSync() v1alpha1.ManagedResourceStatus {
	st := inSync()
	st.Conditions[0] = ready(T, v1alpha1.ReasonObserveOnly, msgObserveOnly)
	return st
}

func observedDrift(fields ...string) v1alpha1.ManagedResourceStatus {
	msg := "managementPolicy is ObserveOnly: the platform differs from the spec in " + strings.Join(fields, ", ") + "; nothing is written"
	st := inSync()
	st.Drift = fields
	st.Conditions = []metav1.Condition{ready(F, v1alpha1.ReasonDrifted, msg), synced(T, v1alpha1.ReasonDrifted, msg)}
	return st
}

var (
	finalizer = []string{v1alpha1.Finalizer}
	markedNow = map[string]string{v1alpha1.AnnotationCreatePending: now.Format(time.RFC3339)}
	marked    = map[string]string{v1alpha1.AnnotationCreatePending: earlier.Format(time.RFC3339)}
	found     = Observation{Exists: true, ExternalID: id, UpToDate: true}
	deleted   = "Normal Deleted Delete: deleted platform object " + id
)
