package managed

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

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
