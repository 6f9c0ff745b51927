package managed

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"enterprise-operator/api/v1alpha1"
)

// A reconciler's own writes to the object it reconciles: the finalizer, once status,
// and what a conflict means. Reconciler and package controller's PlatformConfig
// reconciler both take them from here, so every kind of the operator holds its
// finalizer, writes its status and treats a stale cache the same way.

// conflictRetry is how soon an object is reconciled again after a write conflicted
// because the cached copy was stale; the cache is usually current by then.
const conflictRetry = time.Second

// RequeueConflict is the one conflict policy of the operator's reconcilers. A write
// that conflicts (only the finalizer patches are conditional) was made on a stale copy
// of the object, often behind the reconciler's own earlier write: that is not a
// failure, and the object is reconciled again after conflictRetry. Waiting for the
// newer version's event instead could lose the reconcile, since a finalizer or status
// change may not pass the predicates. Any other error, or nil, is returned as it is.
func RequeueConflict(err error) (ctrl.Result, error) {
	if apierrors.IsConflict(err) {
		return ctrl.Result{RequeueAfter: conflictRetry}, nil
	}
	return ctrl.Result{}, err
}

// EnsureFinalizer stores the operator's finalizer on obj together with marks,
// annotations written only where obj has no value for them yet (a mark records the
// first time, such as the first create attempt). The patch carries obj's
// resourceVersion: on a stale cached copy it conflicts (see RequeueConflict) instead
// of undoing a change it never saw. Nothing is written when both are there already.
func EnsureFinalizer(ctx context.Context, c client.Client, obj client.Object, marks map[string]string) error {
	missing := missingMarks(obj.GetAnnotations(), marks)
	if controllerutil.ContainsFinalizer(obj, v1alpha1.Finalizer) && len(missing) == 0 {
		return nil
	}
	// Patch a copy: the answer carries the stored status, and would wipe what this
	// reconcile has observed so far (a user's state, a webhook's Secret version).
	patched := obj.DeepCopyObject().(client.Object)
	finalizers, _ := appendFinalizer(obj.GetFinalizers(), v1alpha1.Finalizer)
	patch, err := finalizerPatch(obj, finalizers, missing)
	if err != nil {
		return err
	}
	if err := c.Patch(ctx, patched, patch); err != nil {
		return err
	}
	obj.SetFinalizers(patched.GetFinalizers())
	obj.SetAnnotations(patched.GetAnnotations())
	obj.SetResourceVersion(patched.GetResourceVersion())
	return nil
}

// missingMarks returns the marks annotations lacks (nil for none).
func missingMarks(annotations, marks map[string]string) map[string]string {
	var out map[string]string
	for k, v := range marks {
		if annotations[k] != "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out
}

// ReleaseFinalizer removes the operator's finalizer from obj with the same optimistic
// lock as EnsureFinalizer: a stale copy must not release a deletion that work it never
// saw still needs. obj becomes the stored object; released by the last finalizer, the
// API server removes it.
func ReleaseFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	rest := slices.DeleteFunc(slices.Clone(obj.GetFinalizers()), func(f string) bool { return f == v1alpha1.Finalizer })
	patch, err := finalizerPatch(obj, rest, nil)
	if err != nil {
		return err
	}
	return c.Patch(ctx, obj, patch)
}

// PatchStatus writes the difference of after's status from before's, once per
// reconcile, and nothing when there is none: an in-sync resync makes no write at all.
// An object that released its last finalizer is gone, and a write to it would only be
// answered 404, so it is not made. The patch is unconditional (see statusPatch); a
// conflict, which it should never meet, is not made the reconcile's error.
func PatchStatus(ctx context.Context, c client.Client, before, after client.Object) error {
	if gone(after) {
		return nil
	}
	data, err := statusPatch(before, after)
	if err != nil || data == nil {
		return err
	}
	err = c.Status().Patch(ctx, after, client.RawPatch(types.MergePatchType, data))
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// gone reports an object being deleted that holds no finalizer any more.
func gone(obj client.Object) bool {
	return !obj.GetDeletionTimestamp().IsZero() && len(obj.GetFinalizers()) == 0
}

// The reconciler's two writes are built directly rather than by diffing whole objects
// (client.MergeFrom marshals both copies of the object and diffs them, and the
// client computes that diff twice per write): at 10,000 objects this was a fifth of the
// manager's CPU during creates. See docs/scale.md, "Two API writes per created object".

// metadataPatch is a JSON merge patch of the fields the reconciler writes in metadata.
type metadataPatch struct {
	Metadata struct {
		// ResourceVersion makes the patch conditional (an optimistic lock): written on a
		// stale cached copy, it conflicts instead of undoing a change it never saw.
		ResourceVersion string `json:"resourceVersion"`
		// Finalizers replaces the whole list (a merge patch cannot edit a list); null
		// removes the field.
		Finalizers []string `json:"finalizers"`
		// Annotations is merged key by key: only the ones named here change.
		Annotations map[string]string `json:"annotations,omitempty"`
	} `json:"metadata"`
}

// finalizerPatch returns a conditional merge patch that sets obj's finalizers to
// finalizers and adds the annotations given (nil for none).
func finalizerPatch(obj client.Object, finalizers []string, annotations map[string]string) (client.Patch, error) {
	var p metadataPatch
	p.Metadata.ResourceVersion = obj.GetResourceVersion()
	if len(finalizers) > 0 {
		p.Metadata.Finalizers = finalizers
	}
	p.Metadata.Annotations = annotations
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return client.RawPatch(types.MergePatchType, data), nil
}

// appendFinalizer returns list with f added once, and whether it was missing.
func appendFinalizer(list []string, f string) ([]string, bool) {
	if slices.Contains(list, f) {
		return list, false
	}
	return append(slices.Clone(list), f), true
}

// statusPatch returns the merge patch that turns before's status into after's, or nil
// when they are equal. Only status is compared: the status subresource ignores
// everything else, and metadata the reconcile wrote (the finalizer) is already stored.
// It carries no resourceVersion, so it is unconditional: a spec edit made meanwhile
// must not lose the status of a create (its id) to a conflict.
func statusPatch(before, after client.Object) ([]byte, error) {
	b, err := json.Marshal(statusOf(before))
	if err != nil {
		return nil, err
	}
	a, err := json.Marshal(statusOf(after))
	if err != nil {
		return nil, err
	}
	diff, err := jsonpatch.CreateMergePatch(b, a)
	if err != nil {
		return nil, err
	}
	if string(diff) == "{}" {
		return nil, nil
	}
	return append(append([]byte(`{"status":`), diff...), '}'), nil
}

// statusOf returns the Status field of one of the API's object types (a pointer to a
// struct with a Status field, as every kind of api/v1alpha1 is).
func statusOf(obj client.Object) any {
	v := reflect.ValueOf(obj)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		panic(fmt.Sprintf("managed: %T is not a pointer to a struct", obj))
	}
	f := v.FieldByName("Status")
	if !f.IsValid() {
		panic(fmt.Sprintf("managed: %T has no Status field", obj))
	}
	return f.Interface()
}
