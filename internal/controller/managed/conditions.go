package managed

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
)

// The conditions every kind carries (Ready, Synced, Reconciling) and the rules that keep
// them honest for kstatus, Flux and Argo CD; reconciler.go decides what happened, this
// file how it reads.

// setReconciling keeps the Reconciling condition in line with the others; see
// SetReconciling.
func setReconciling(obj Object) {
	st := obj.GetManagedStatus()
	SetReconciling(&st.Conditions, obj.GetGeneration(), st.ObservedGeneration)
}

// msgNewGeneration is Reconciling's message when nothing has been reported about the
// new generation yet (its first reconcile lost a write conflict).
const msgNewGeneration = "applying generation %d"

// SetReconciling keeps kstatus' "abnormal-true" Reconciling condition, which Flux reads,
// from Ready, Synced and Stalled. It is True while the object is on its way: a
// generation not applied yet (being applied, retried after a failure, waiting), or
// Ready not True for a reason the operator works through by itself (creating, waiting
// for a dependency, retrying, DNS verification, deleting). So an already-Ready object
// whose update keeps failing shows it too, although Ready stays True for the old
// generation. It is absent when the generation is applied and Ready (a failed periodic
// re-check of an applied spec does not make a Ready object unhealthy), when Stalled
// (kstatus must read Failed, and it reads whichever of the two comes first), and while
// resting where the operator will not move by itself: paused, an ObserveOnly verdict
// (Drifted, NotFound), or a Domain whose verification failed. Its reason and message
// are those of the latest outcome: Synced's when it is False, else Ready's.
func SetReconciling(conds *[]metav1.Condition, generation, observedGeneration int64) {
	ready := meta.FindStatusCondition(*conds, v1alpha1.ConditionReady)
	synced := meta.FindStatusCondition(*conds, v1alpha1.ConditionSynced)
	pending := generation > observedGeneration
	readyTrue := ready != nil && ready.Status == metav1.ConditionTrue
	var why *metav1.Condition
	switch {
	case meta.IsStatusConditionTrue(*conds, v1alpha1.ConditionStalled), resting(synced),
		ready != nil && ready.Status == metav1.ConditionFalse && ready.Reason == v1alpha1.ReasonVerificationFailed:
		// A Domain whose verification the platform gave up on waits for a person (a
		// published record and a recheck), like a stalled object.
	case synced != nil && synced.Status != metav1.ConditionTrue && (pending || !readyTrue):
		why = synced
	case ready != nil && !readyTrue:
		why = ready
	case pending && (ready != nil || synced != nil):
		why = &metav1.Condition{Reason: v1alpha1.ReasonNewGeneration, Message: fmt.Sprintf(msgNewGeneration, generation)}
	}
	if why == nil {
		meta.RemoveStatusCondition(conds, v1alpha1.ConditionReconciling)
		return
	}
	SetCondition(conds, generation, v1alpha1.ConditionReconciling, metav1.ConditionTrue, why.Reason, why.Message)
}

// resting reports a Synced outcome the operator will not change by itself: paused, or
// an ObserveOnly object whose platform differs from the spec or is absent.
func resting(synced *metav1.Condition) bool {
	if synced == nil {
		return false
	}
	switch synced.Reason {
	case v1alpha1.ReasonPaused:
		return true
	case v1alpha1.ReasonDrifted, v1alpha1.ReasonNotFound:
		// ObserveOnly reports these as a successful comparison (Synced=True); the same
		// reasons on a failure are retried or stalled.
		return synced.Status == metav1.ConditionTrue
	}
	return false
}

func (r *Reconciler[T]) markInSync(obj T, obs Observation, reason, msg string) {
	if obs.NotReady != nil {
		r.setReady(obj, metav1.ConditionFalse, obs.NotReady.Reason, obs.NotReady.Message)
	} else {
		r.setReady(obj, metav1.ConditionTrue, reason, msg)
	}
	r.setSynced(obj, metav1.ConditionTrue, v1alpha1.ReasonReconcileSuccess, msgInSync)
	obj.GetManagedStatus().ObservedGeneration = obj.GetGeneration()
}

func (r *Reconciler[T]) setReady(obj T, s metav1.ConditionStatus, reason, msg string) {
	r.setCondition(obj, v1alpha1.ConditionReady, s, reason, msg)
}

func (r *Reconciler[T]) setSynced(obj T, s metav1.ConditionStatus, reason, msg string) {
	r.setCondition(obj, v1alpha1.ConditionSynced, s, reason, msg)
}

// setReadyIfUnknown reports a wait or a transient failure on Ready only if Ready was
// never established: a platform object that was Ready stays Ready through a blip of
// the platform API, so health does not flap.
func (r *Reconciler[T]) setReadyIfUnknown(obj T, reason, msg string) {
	c := meta.FindStatusCondition(obj.GetManagedStatus().Conditions, v1alpha1.ConditionReady)
	if c == nil || c.Status != metav1.ConditionTrue || !obj.GetDeletionTimestamp().IsZero() {
		r.setReady(obj, metav1.ConditionFalse, reason, msg)
	}
}

func (r *Reconciler[T]) setCondition(obj T, t string, s metav1.ConditionStatus, reason, msg string) {
	SetCondition(&obj.GetManagedStatus().Conditions, obj.GetGeneration(), t, s, reason, msg)
}

// SetCondition sets a condition with observedGeneration, keeping lastTransitionTime
// when the status does not change.
func SetCondition(conds *[]metav1.Condition, generation int64, t string, s metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(conds, metav1.Condition{
		Type: t, Status: s, Reason: reason, Message: truncate(msg), ObservedGeneration: generation,
	})
}

// maxMessage keeps condition messages within the API's 32768-byte limit with room to spare.
const maxMessage = 4096

func truncate(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	return s[:maxMessage-3] + "..."
}
