package install_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"enterprise-operator/test/testenv"
)

// object is one document of a rendered YAML stream.
type object struct {
	u *unstructured.Unstructured
}

func (o object) key() string {
	return o.u.GetKind() + "/" + o.u.GetNamespace() + "/" + o.u.GetName()
}

// parse splits a multi-document YAML stream into objects, skipping empty documents.
func parse(t *testing.T, stream []byte) []object {
	t.Helper()
	us, err := testenv.DecodeYAML(stream)
	if err != nil {
		t.Fatalf("parsing the rendered manifests: %v", err)
	}
	objs := make([]object, 0, len(us))
	for _, u := range us {
		objs = append(objs, object{u})
	}
	return objs
}

// byKind returns the objects of one kind, keyed by name.
func byKind(objs []object, kind string) map[string]object {
	m := map[string]object{}
	for _, o := range objs {
		if o.u.GetKind() == kind {
			m[o.u.GetName()] = o
		}
	}
	return m
}

// byNamespacedKind returns the objects of one kind in namespace ns, keyed by name.
func byNamespacedKind(objs []object, kind, ns string) map[string]*unstructured.Unstructured {
	m := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		if o.u.GetKind() == kind && o.u.GetNamespace() == ns {
			m[o.u.GetName()] = o.u
		}
	}
	return m
}

// one returns the only object of kind named name, converted to T.
func one[T any](t *testing.T, objs []object, kind, name string) *T {
	t.Helper()
	o, ok := byKind(objs, kind)[name]
	if !ok {
		t.Fatalf("no %s %q in the render", kind, name)
	}
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.u.Object, out); err != nil {
		t.Fatalf("%s %q: %v", kind, name, err)
	}
	return out
}
