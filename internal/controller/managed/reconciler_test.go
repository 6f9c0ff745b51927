package managed

// These tests run Reconciler.Reconcile against a fake External (fake_test.go) and
// controller-runtime's fake client, for the state table only: which platform calls,
// which Kubernetes writes, which conditions, finalizers, events and requeue each state
// leads to. The house rule is no fake Kubernetes client for reconciliation; this is
// its one exception, asked for by issue 11 to test the table without an API server.
// The fake client has the status subresource (WithStatusSubresource) but is not an API
// server: optimistic-lock conflicts against concurrent writers, merge-patch semantics
// and stale caches stay with the envtest suites in internal/controller
// (conflict_test.go, createpartial_test.go, kstatus_test.go and the kinds' specs).

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
)

func TestReconcileStateTable(t *testing.T) {
	const (
		msg403   = "platform deleteEnterpriseRole: HTTP 403: not yours (requestId req_9)"
		msg422   = "platform createEnterpriseRole: HTTP 422: name is taken (requestId req_2)"
		msgWait  = "waiting for Enterprise acme to exist"
		msgChild = "waiting for 2 child object(s): EnterpriseUser/alice, UserGroup/team"
		msgReset = "reset the password on the platform"
	)
	deleteBlocked := func(cause string) string {
		return "deletion is blocked: " + cause + " (to let the object go without deleting it on the platform, set spec.deletionPolicy to Orphan)"
	}
	driftMsg := "managementPolicy is ObserveOnly: the platform differs from the spec in name, permissions; nothing is written"
	// paused: one status write, nothing else, whatever the object was doing.
	paused := outcome{
		Calls: []string{"kube: patch status"}, Requeue: "none", Finalizers: finalizer,
		Annotations: map[string]string{v1alpha1.AnnotationCreatePending: earlier.Format(time.RFC3339), v1alpha1.AnnotationPaused: "true"},
		Status:      inSyncBut(synced(F, v1alpha1.ReasonPaused, msgPaused)),
	}
	unavailable := &platform.Error{Kind: platform.KindUnavailable, StatusCode: 503, Operation: "getEnterpriseRole", Message: "down", RequestID: "req_5"}

	for _, tc := range []struct {
		name string
		obj  role
		p    fakePlatform
		want outcome
	}{
		{
			name: "absent: the finalizer and the create-pending mark are stored, then it is created, with no event",
			obj:  newRole(),
			p:    fakePlatform{create: found},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "kube: patch", "Create", "kube: patch status"},
				Requeue: "resync", Finalizers: finalizer, Annotations: markedNow,
				Status: appliedNow(),
			},
		},
		{
			name: "lost create answer, found by natural key: bound, not created again",
			obj:  newRole(withCreatePending, creating),
			p:    fakePlatform{observe: found},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "kube: patch status"},
				Events:  []string{"Normal Adopted Adopt: adopted the existing platform object " + id},
				Requeue: "resync", Finalizers: finalizer, Annotations: marked,
				Status: appliedNow(),
			},
		},
		{
			name: "lost create answer, nothing found: created once, the mark already stored",
			obj:  newRole(withCreatePending, creating),
			p:    fakePlatform{create: found},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "Create", "kube: patch status"},
				Requeue: "resync", Finalizers: finalizer, Annotations: marked,
				Status: appliedNow(),
			},
		},
		{
			name: "in sync: no write at all",
			obj:  newRole(bound),
			p:    fakePlatform{observe: found},
			want: outcome{Calls: []string{"Connect", "Observe"}, Requeue: "resync", Finalizers: finalizer, Annotations: marked, Status: inSync()},
		},
		{
			name: "drift: updated, and the event says what drifted",
			obj:  newRole(bound),
			p: fakePlatform{observe: Observation{Exists: true, ExternalID: id, Drift: []string{"description", "permissions"}},
				update: found},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "Update [description permissions]", "kube: patch status"},
				Events:  []string{"Normal Updated Update: updated on the platform: description, permissions"},
				Requeue: "resync", Finalizers: finalizer, Annotations: marked,
				Status: appliedNow(),
			},
		},
		{
			name: "ObserveOnly, matching: bound without a finalizer, never written to",
			obj:  newRole(observeOnly),
			p:    fakePlatform{observe: found},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "kube: patch status"},
				Events:  []string{"Normal Adopted Adopt: adopted the existing platform object " + id},
				Requeue: "resync",
				Status: func() v1alpha1.ManagedResourceStatus {
					st := observedInSync()
					st.LastAppliedTime = at(now)
					return st
				}(),
			},
		},
		{
			name: "ObserveOnly, drifted: reported in status and once as an event, nothing written",
			obj:  newRole(observeOnly, withStatus(observedInSync())),
			p:    fakePlatform{observe: Observation{Exists: true, ExternalID: id, Drift: []string{"name", "permissions"}}},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "kube: patch status"},
				Events:  []string{"Normal DriftDetected Observe: " + driftMsg},
				Requeue: "resync", Status: observedDrift("name", "permissions"),
			},
		},
		{
			name: "ObserveOnly, the same drift at the next resync: no event, no write",
			obj:  newRole(observeOnly, withStatus(observedDrift("name", "permissions"))),
			p:    fakePlatform{observe: Observation{Exists: true, ExternalID: id, Drift: []string{"name", "permissions"}}},
			want: outcome{Calls: []string{"Connect", "Observe"}, Requeue: "resync", Status: observedDrift("name", "permissions")},
		},
		{
			name: "ObserveOnly, absent: nothing created",
			obj:  newRole(observeOnly),
			p:    fakePlatform{},
			want: outcome{
				Calls: []string{"Connect", "Observe", "kube: patch status"}, Requeue: "resync",
				Status: v1alpha1.ManagedResourceStatus{Conditions: []metav1.Condition{
					ready(F, v1alpha1.ReasonNotFound, msgObserveAbsent), synced(T, v1alpha1.ReasonNotFound, msgObserveAbsent)}},
			},
		},
		{
			name: "paused: no platform call, Ready as it was",
			obj:  newRole(bound, annotate(v1alpha1.AnnotationPaused, "true")),
			p:    fakePlatform{observe: found},
			want: paused,
		},
		{
			name: "paused while deleting: nothing deleted, the finalizer stays",
			obj:  newRole(bound, deleting, annotate(v1alpha1.AnnotationPaused, "true")),
			p:    fakePlatform{},
			want: paused,
		},
		{
			name: "delete: the platform object first, then the finalizer",
			obj:  newRole(bound, deleting),
			p:    fakePlatform{},
			want: outcome{Calls: []string{"Connect", "Delete " + id, "kube: patch"}, Events: []string{deleted}, Requeue: "none", Gone: true},
		},
		{
			name: "delete after a lost create answer: found by natural key and deleted",
			obj:  newRole(withCreatePending, deleting),
			p:    fakePlatform{observe: found},
			want: outcome{Calls: []string{"Connect", "Observe", "Delete " + id, "kube: patch"}, Events: []string{deleted}, Requeue: "none", Gone: true},
		},
		{
			name: "delete after a lost create answer, nothing found: let go without a delete",
			obj:  newRole(withCreatePending, deleting),
			p:    fakePlatform{},
			want: outcome{Calls: []string{"Connect", "Observe", "kube: patch"}, Requeue: "none", Gone: true},
		},
		{
			name: "delete when the Enterprise is gone from the platform: let go without a platform call",
			obj:  newRole(bound, deleting),
			p:    fakePlatform{connectErr: fmt.Errorf("enterprise acme: %w", ErrParentGone)},
			want: outcome{Calls: []string{"Connect", "kube: patch"}, Requeue: "none", Gone: true},
		},
		{
			name: "orphan: the platform object stays",
			obj:  newRole(bound, deleting, orphan),
			p:    fakePlatform{},
			want: outcome{Calls: []string{"kube: patch"}, Events: []string{"Normal Orphaned Orphan: left platform object " + id + " in place"}, Requeue: "none", Gone: true},
		},
		{
			name: "gated delete: waits for the gate, without an event",
			obj:  newRole(withFinalizer, deleting),
			p:    fakePlatform{gated: true, gateErr: Waiting(v1alpha1.ReasonDeletionBlocked, DefaultWait, "%s", msgChild)},
			want: outcome{
				Calls: []string{"BeforeDelete", "kube: patch status"}, Requeue: "30s", Finalizers: finalizer,
				Status: v1alpha1.ManagedResourceStatus{Conditions: []metav1.Condition{
					ready(F, v1alpha1.ReasonDeletionBlocked, msgChild), synced(F, v1alpha1.ReasonDeletionBlocked, msgChild),
					reconciling(v1alpha1.ReasonDeletionBlocked, msgChild)}},
			},
		},
		{
			name: "gated delete, gate open, never created: let go without a platform call",
			obj:  newRole(withFinalizer, deleting),
			p:    fakePlatform{gated: true},
			want: outcome{Calls: []string{"BeforeDelete", "kube: patch"}, Requeue: "none", Gone: true},
		},
		{
			name: "delete refused (403): stalled, with a DeletionBlocked event, the finalizer stays",
			obj:  newRole(bound, deleting),
			p: fakePlatform{deleteErr: &platform.Error{Kind: platform.KindForbidden, StatusCode: 403,
				Operation: "deleteEnterpriseRole", Message: "not yours", RequestID: "req_9"}},
			want: outcome{
				Calls:   []string{"Connect", "Delete " + id, "kube: patch status"},
				Events:  []string{"Warning DeletionBlocked Delete: " + deleteBlocked(msg403)},
				Requeue: "none", Finalizers: finalizer, Annotations: marked,
				Status: inSyncBut(ready(F, v1alpha1.ReasonDeletionBlocked, deleteBlocked(msg403)),
					synced(F, v1alpha1.ReasonDeletionBlocked, deleteBlocked(msg403)), stalled(v1alpha1.ReasonDeletionBlocked, deleteBlocked(msg403))),
			},
		},
		{
			name: "delete failing in an outage: retried with backoff, with a DeletionBlocked event",
			obj:  newRole(bound, deleting),
			p:    fakePlatform{deleteErr: unavailable},
			want: outcome{
				Calls:   []string{"Connect", "Delete " + id, "kube: patch status"},
				Events:  []string{"Warning DeletionBlocked Delete: " + deleteBlocked(msg503)},
				Requeue: "none", Err: deleteBlocked(msg503), Finalizers: finalizer, Annotations: marked,
				Status: inSyncBut(ready(F, v1alpha1.ReasonDeletionBlocked, deleteBlocked(msg503)),
					synced(F, v1alpha1.ReasonDeletionBlocked, deleteBlocked(msg503)), reconciling(v1alpha1.ReasonDeletionBlocked, deleteBlocked(msg503))),
			},
		},
		{
			name: "stalled before the platform: conditions and observedGeneration, no requeue, no finalizer",
			obj:  newRole(),
			p:    fakePlatform{connectErr: StallingWrap(v1alpha1.ReasonForbidden, errors.New("no match"), "namespace team-a may not use PlatformConfig p")},
			want: outcome{
				Calls:   []string{"Connect", "kube: patch status"},
				Events:  []string{"Warning Stalled Reconcile: namespace team-a may not use PlatformConfig p"},
				Requeue: "none",
				Status:  stalledStatus(v1alpha1.ReasonForbidden, "namespace team-a may not use PlatformConfig p"),
			},
		},
		{
			name: "stalled on create (422): the mark stays, no requeue",
			obj:  newRole(),
			p: fakePlatform{createErr: &platform.Error{Kind: platform.KindInvalid, StatusCode: 422,
				Operation: "createEnterpriseRole", Message: "name is taken", RequestID: "req_2"}},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "kube: patch", "Create", "kube: patch status"},
				Events:  []string{"Warning Stalled Reconcile: " + msg422},
				Requeue: "none", Finalizers: finalizer, Annotations: markedNow,
				Status: stalledStatus(v1alpha1.ReasonInvalidSpec, msg422),
			},
		},
		{
			name: "a create whose inputs are refused stalls before anything is marked",
			obj:  newRole(),
			p:    fakePlatform{preparer: true, prepareErr: Stalling(v1alpha1.ReasonSecretNotAllowed, "Secret team-a/pw may not be read")},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "PrepareCreate", "kube: patch status"},
				Events:  []string{"Warning Stalled Reconcile: Secret team-a/pw may not be read"},
				Requeue: "none",
				Status:  stalledStatus(v1alpha1.ReasonSecretNotAllowed, "Secret team-a/pw may not be read"),
			},
		},
		{
			name: "waiting for a dependency: requeued after the wait, no finalizer, no event",
			obj:  newRole(),
			p:    fakePlatform{connectErr: WaitingForDependency("Enterprise", "acme", "to exist")},
			want: outcome{
				Calls: []string{"Connect", "kube: patch status"}, Requeue: "30s",
				Status: v1alpha1.ManagedResourceStatus{Conditions: []metav1.Condition{
					ready(F, v1alpha1.ReasonWaitingForDependency, msgWait), synced(F, v1alpha1.ReasonWaitingForDependency, msgWait),
					reconciling(v1alpha1.ReasonWaitingForDependency, msgWait)}},
			},
		},
		{
			name: "rate limited: waits as long as the platform said, and a Ready object stays Ready",
			obj:  newRole(bound),
			p: fakePlatform{observeErr: &platform.Error{Kind: platform.KindRateLimited, StatusCode: 429,
				Operation: "getEnterpriseRole", Message: "slow down", RetryAfter: 7 * time.Second}},
			want: outcome{
				Calls: []string{"Connect", "Observe", "kube: patch status"}, Requeue: "7s", Finalizers: finalizer, Annotations: marked,
				Status: inSyncBut(synced(F, v1alpha1.ReasonRateLimited, "platform getEnterpriseRole: HTTP 429: slow down")),
			},
		},
		{
			name: "a first platform failure: retried with backoff, no Warning, Ready stays",
			obj:  newRole(bound),
			p:    fakePlatform{observeErr: unavailable},
			want: outcome{
				Calls: []string{"Connect", "Observe", "kube: patch status"}, Requeue: "none", Err: msg503,
				Finalizers: finalizer, Annotations: marked,
				Status: inSyncBut(synced(F, v1alpha1.ReasonPlatformUnavailable, msg503)),
			},
		},
		{
			name: "a deferred read: requeued, nothing written although the generation moved on",
			obj:  newRole(bound, func(r role) { r.Generation = generation + 1 }),
			p:    fakePlatform{observeErr: fmt.Errorf("list: %w", &DeferredError{OnDone: func(func()) {}})},
			want: outcome{Calls: []string{"Connect", "Observe"}, Requeue: "1s", Finalizers: finalizer, Annotations: marked, Status: inSync()},
		},
		{
			name: "an action that ran: its event, without a status write of its own",
			obj:  newRole(bound),
			p: fakePlatform{observe: found, actor: true,
				acted: &Action{Reason: "PasswordReset", Action: "ResetPassword", Note: msgReset}},
			want: outcome{
				Calls:   []string{"Connect", "Observe", "Act"},
				Events:  []string{"Normal PasswordReset ResetPassword: " + msgReset},
				Requeue: "resync", Finalizers: finalizer, Annotations: marked, Status: inSync(),
			},
		},
		{
			name: "an action with nothing to do: no event",
			obj:  newRole(bound),
			p:    fakePlatform{observe: found, actor: true},
			want: outcome{Calls: []string{"Connect", "Observe", "Act"}, Requeue: "resync", Finalizers: finalizer, Annotations: marked, Status: inSync()},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := reconcileOnce(t, tc.obj, &tc.p, nil)
			opts := cmp.Options{
				cmpopts.IgnoreFields(metav1.Condition{}, "LastTransitionTime"),
				cmpopts.SortSlices(func(a, b metav1.Condition) bool { return a.Type < b.Type }),
				cmpopts.EquateEmpty(),
			}
			if diff := cmp.Diff(tc.want, got, opts); diff != "" {
				t.Errorf("reconcile (-want +got):\n%s", diff)
			}
		})
	}
}

// A deferred object is woken the moment the read it waits for ends, through the
// Waker, with a safety-net requeue meanwhile.
func TestReconcileDeferredWakesWhenTheReadEnds(t *testing.T) {
	var readDone func()
	p := &fakePlatform{observeErr: &DeferredError{OnDone: func(f func()) { readDone = f }}}
	wake := make(Waker, 1)
	obj := newRole(bound)
	got := reconcileOnce(t, obj, p, wake)
	if diff := cmp.Diff("30s", got.Requeue); diff != "" {
		t.Errorf("requeue (-want +got):\n%s", diff)
	}
	if len(wake) != 0 || readDone == nil {
		t.Fatalf("woken before the read ended (%d wakeups), or no wakeup registered (%v)", len(wake), readDone == nil)
	}
	readDone()
	select {
	case e := <-wake:
		want := Wakeup{Key: types.NamespacedName{Namespace: obj.Namespace, Name: obj.Name}}
		if diff := cmp.Diff(want, e.Object); diff != "" {
			t.Errorf("wakeup (-want +got):\n%s", diff)
		}
	default:
		t.Error("no wakeup when the read ended")
	}
}

// Warning events stay at a human rate: a stall repeated within the window records one.
func TestReconcileStallWarnsOncePerWindow(t *testing.T) {
	p := &fakePlatform{connectErr: Stalling(v1alpha1.ReasonForbidden, "refused")}
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	obj := newRole()
	kube := fake.NewClientBuilder().WithScheme(scheme).WithStatusSubresource(obj).WithObjects(obj).Build()
	events := &eventLog{}
	r := &Reconciler[role]{Client: kube, Recorder: events, NewObject: func() role { return &v1alpha1.EnterpriseRole{} },
		Connector: p.connector(), Now: func() time.Time { return now }}
	for range 3 {
		if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(obj)}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{corev1.EventTypeWarning + " Stalled Reconcile: refused"}, events.events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
