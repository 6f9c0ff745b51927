package controller

import (
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
)

// copyString returns s in memory of its own, as a JSON decoder would.
func copyString(s string) string { return string([]byte(s)) }

func newCachedUser(name string) *v1alpha1.EnterpriseUser {
	u := &v1alpha1.EnterpriseUser{ObjectMeta: metav1.ObjectMeta{
		Name: name, Namespace: copyString("tenant-a"), Finalizers: []string{copyString(v1alpha1.Finalizer)},
		Labels:        map[string]string{copyString("team"): copyString("blue")},
		Annotations:   map[string]string{copyString("note"): copyString("same")},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
	}}
	u.Status.Conditions = []metav1.Condition{{
		Type: copyString("Ready"), Status: metav1.ConditionStatus(copyString("True")),
		Reason: copyString("Available"), Message: copyString("the platform object matches the spec"),
	}}
	return u
}

func TestCacheTransformKeepsValuesAndSharesStrings(t *testing.T) {
	tr := cacheTransform()
	a, b := newCachedUser("a"), newCachedUser("b")
	want := a.DeepCopy()
	want.ManagedFields = nil
	gotA, err := tr(a)
	if err != nil {
		t.Fatal(err)
	}
	gotB, err := tr(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, gotA); diff != "" {
		t.Errorf("transformed object (-want +got):\n%s", diff)
	}
	ua, ub := gotA.(*v1alpha1.EnterpriseUser), gotB.(*v1alpha1.EnterpriseUser)
	same := func(what, x, y string) {
		t.Helper()
		if unsafe.StringData(x) != unsafe.StringData(y) {
			t.Errorf("%s: the two objects hold separate copies of %q", what, x)
		}
	}
	same("namespace", ua.Namespace, ub.Namespace)
	same("finalizer", ua.Finalizers[0], ub.Finalizers[0])
	same("label value", ua.Labels["team"], ub.Labels["team"])
	same("annotation value", ua.Annotations["note"], ub.Annotations["note"])
	ca, cb := ua.Status.Conditions[0], ub.Status.Conditions[0]
	same("condition type", ca.Type, cb.Type)
	same("condition status", string(ca.Status), string(cb.Status))
	same("condition reason", ca.Reason, cb.Reason)
	same("condition message", ca.Message, cb.Message)
}

func TestCacheTransformPassesOtherValues(t *testing.T) {
	tomb := "not an object"
	got, err := cacheTransform()(tomb)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tomb, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
