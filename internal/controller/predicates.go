package controller

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
)

// The predicates let through only the events that can change what a reconcile
// decides: with thousands of objects, each status write of a dependency fanned out to
// all its dependants would be a reconcile for every one of them.

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
