package managed

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
)

func TestSetReconciling(t *testing.T) {
	const (
		msg503  = "platform updateEnterpriseRole: HTTP 503: unavailable (requestId req_1)"
		msgWait = "waiting for Enterprise acme to be Ready"
		msg422  = "platform updateEnterpriseRole: HTTP 422: invalid (requestId req_2)"
	)
	cond := func(t string, s metav1.ConditionStatus, reason, msg string, gen int64) metav1.Condition {
		return metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen}
	}
	ready := func(s metav1.ConditionStatus, reason, msg string, gen int64) metav1.Condition {
		return cond(v1alpha1.ConditionReady, s, reason, msg, gen)
	}
	synced := func(s metav1.ConditionStatus, reason, msg string, gen int64) metav1.Condition {
		return cond(v1alpha1.ConditionSynced, s, reason, msg, gen)
	}
	stalled := func(reason, msg string, gen int64) metav1.Condition {
		return cond(v1alpha1.ConditionStalled, metav1.ConditionTrue, reason, msg, gen)
	}
	reconciling := func(reason, msg string, gen int64) *metav1.Condition {
		c := cond(v1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, msg, gen)
		return &c
	}
	const (
		T = metav1.ConditionTrue
		F = metav1.ConditionFalse
	)

	for _, tc := range []struct {
		name                 string
		generation, observed int64
		conds                []metav1.Condition
		want                 *metav1.Condition
	}{
		{name: "nothing reported yet", generation: 1},
		{name: "create retried after a platform error: the latest outcome says why",
			generation: 1,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonCreating, "creating the platform object", 1),
				synced(F, v1alpha1.ReasonPlatformUnavailable, msg503, 1)},
			want: reconciling(v1alpha1.ReasonPlatformUnavailable, msg503, 1)},
		{name: "waiting for a dependency before the first create",
			generation: 1,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonWaitingForDependency, msgWait, 1),
				synced(F, v1alpha1.ReasonWaitingForDependency, msgWait, 1)},
			want: reconciling(v1alpha1.ReasonWaitingForDependency, msgWait, 1)},
		{name: "Ready with the generation applied",
			generation: 3, observed: 3,
			conds: []metav1.Condition{ready(T, v1alpha1.ReasonAvailable, "ok", 3), synced(T, v1alpha1.ReasonReconcileSuccess, "ok", 3),
				*reconciling(v1alpha1.ReasonCreating, "creating the platform object", 3)}},
		{name: "update of a Ready object retried: Ready stays True for the old generation",
			generation: 4, observed: 3,
			conds: []metav1.Condition{ready(T, v1alpha1.ReasonAvailable, "ok", 3), synced(F, v1alpha1.ReasonPlatformUnavailable, msg503, 4)},
			want:  reconciling(v1alpha1.ReasonPlatformUnavailable, msg503, 4)},
		{name: "update of a Ready object waiting for a dependency",
			generation: 4, observed: 3,
			conds: []metav1.Condition{ready(T, v1alpha1.ReasonAvailable, "ok", 3), synced(F, v1alpha1.ReasonWaitingForDependency, msgWait, 4)},
			want:  reconciling(v1alpha1.ReasonWaitingForDependency, msgWait, 4)},
		{name: "a failed re-check of an applied spec leaves a Ready object alone",
			generation: 3, observed: 3,
			conds: []metav1.Condition{ready(T, v1alpha1.ReasonAvailable, "ok", 3), synced(F, v1alpha1.ReasonPlatformUnavailable, msg503, 3)}},
		{name: "new generation whose reconcile reported nothing yet",
			generation: 4, observed: 3,
			conds: []metav1.Condition{ready(T, v1alpha1.ReasonAvailable, "ok", 3), synced(T, v1alpha1.ReasonReconcileSuccess, "ok", 3)},
			want:  reconciling(v1alpha1.ReasonNewGeneration, "applying generation 4", 4)},
		{name: "stalled at create",
			generation: 1, observed: 1,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonInvalidSpec, msg422, 1), synced(F, v1alpha1.ReasonInvalidSpec, msg422, 1),
				stalled(v1alpha1.ReasonInvalidSpec, msg422, 1), *reconciling(v1alpha1.ReasonCreating, "creating the platform object", 1)}},
		{name: "stalled on a spec change of a Ready object",
			generation: 4, observed: 4,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonInvalidSpec, msg422, 4), synced(F, v1alpha1.ReasonInvalidSpec, msg422, 4),
				stalled(v1alpha1.ReasonInvalidSpec, msg422, 4)}},
		{name: "paused with a spec change pending",
			generation: 4, observed: 3,
			conds: []metav1.Condition{ready(T, v1alpha1.ReasonAvailable, "ok", 3), synced(F, v1alpha1.ReasonPaused, "paused", 4)}},
		{name: "paused before it was ever Ready",
			generation: 1,
			conds:      []metav1.Condition{ready(F, v1alpha1.ReasonWaitingForDependency, msgWait, 1), synced(F, v1alpha1.ReasonPaused, "paused", 1)}},
		{name: "ObserveOnly drift is a verdict, not progress",
			generation: 2, observed: 1,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonDrifted, "drifted", 2), synced(T, v1alpha1.ReasonDrifted, "drifted", 2)}},
		{name: "ObserveOnly finding nothing is a verdict",
			generation: 1,
			conds:      []metav1.Condition{ready(F, v1alpha1.ReasonNotFound, "none", 1), synced(T, v1alpha1.ReasonNotFound, "none", 1)}},
		{name: "a Domain waiting for its DNS record with its spec applied",
			generation: 1, observed: 1,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonVerificationPending, "publish the record", 1), synced(T, v1alpha1.ReasonReconcileSuccess, "ok", 1)},
			want:  reconciling(v1alpha1.ReasonVerificationPending, "publish the record", 1)},
		{name: "a Domain whose verification the platform gave up on waits for a person",
			generation: 1, observed: 1,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonVerificationFailed, "not found in time", 1), synced(T, v1alpha1.ReasonReconcileSuccess, "ok", 1)}},
		{name: "deleting (deletion bumps the generation)",
			generation: 3, observed: 2,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonDeleting, "deleting the platform object", 3), synced(T, v1alpha1.ReasonReconcileSuccess, "ok", 2)},
			want:  reconciling(v1alpha1.ReasonDeleting, "deleting the platform object", 3)},
		{name: "deletion waiting for children",
			generation: 3, observed: 2,
			conds: []metav1.Condition{ready(F, v1alpha1.ReasonDeletionBlocked, "waiting for 2 child object(s)", 3),
				synced(F, v1alpha1.ReasonDeletionBlocked, "waiting for 2 child object(s)", 3)},
			want: reconciling(v1alpha1.ReasonDeletionBlocked, "waiting for 2 child object(s)", 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conds := append([]metav1.Condition(nil), tc.conds...)
			SetReconciling(&conds, tc.generation, tc.observed)
			got := meta.FindStatusCondition(conds, v1alpha1.ConditionReconciling)
			if got != nil {
				got.LastTransitionTime = metav1.Time{}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Reconciling (-want +got):\n%s", diff)
			}
		})
	}
}
