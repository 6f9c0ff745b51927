package managed

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
)

func TestStatusPatch(t *testing.T) {
	base := func() *v1alpha1.EnterpriseUser {
		u := &v1alpha1.EnterpriseUser{ObjectMeta: metav1.ObjectMeta{Name: "u", ResourceVersion: "7", Finalizers: []string{"x"}}}
		u.Status.ExternalID = "usr_1"
		u.Status.State = "active"
		u.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Available", Message: "ok"}}
		return u
	}
	for _, tc := range []struct {
		name   string
		change func(u *v1alpha1.EnterpriseUser)
		want   string // "" for no patch
	}{
		{name: "nothing changed", change: func(*v1alpha1.EnterpriseUser) {}},
		{name: "metadata only: not a status write", change: func(u *v1alpha1.EnterpriseUser) {
			u.ResourceVersion = "8"
			u.Finalizers = nil
			u.Annotations = map[string]string{"a": "b"}
			u.Spec.Email = "x@example.com"
		}},
		{name: "a field", change: func(u *v1alpha1.EnterpriseUser) { u.Status.State = "suspended" },
			want: `{"status":{"state":"suspended"}}`},
		{name: "a field cleared", change: func(u *v1alpha1.EnterpriseUser) { u.Status.ExternalID = "" },
			want: `{"status":{"externalID":null}}`},
		{name: "conditions are replaced whole", change: func(u *v1alpha1.EnterpriseUser) { u.Status.Conditions[0].Message = "changed" },
			want: `{"status":{"conditions":[{"lastTransitionTime":null,"message":"changed","reason":"Available","status":"True","type":"Ready"}]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := base()
			after := before.DeepCopy()
			tc.change(after)
			got, err := statusPatch(before, after)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFinalizerPatch(t *testing.T) {
	obj := &v1alpha1.EnterpriseUser{ObjectMeta: metav1.ObjectMeta{Name: "u", ResourceVersion: "42", Finalizers: []string{"other"}}}
	for _, tc := range []struct {
		name        string
		finalizers  []string
		annotations map[string]string
		want        string
	}{
		{name: "add, with the create-pending mark", finalizers: []string{"other", v1alpha1.Finalizer},
			annotations: map[string]string{v1alpha1.AnnotationCreatePending: "2026-01-01T00:00:00Z"},
			want:        `{"metadata":{"resourceVersion":"42","finalizers":["other","` + v1alpha1.Finalizer + `"],"annotations":{"` + v1alpha1.AnnotationCreatePending + `":"2026-01-01T00:00:00Z"}}}`},
		{name: "keep others", finalizers: []string{"other"},
			want: `{"metadata":{"resourceVersion":"42","finalizers":["other"]}}`},
		{name: "remove the last: null clears the field", finalizers: nil,
			want: `{"metadata":{"resourceVersion":"42","finalizers":null}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := finalizerPatch(obj, tc.finalizers, tc.annotations)
			if err != nil {
				t.Fatal(err)
			}
			data, err := p.Data(obj)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(data)); diff != "" {
				t.Errorf("patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendFinalizer(t *testing.T) {
	in := []string{"a"}
	got, added := appendFinalizer(in, "b")
	if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" || !added {
		t.Errorf("adding (-want +got):\n%s added=%v", diff, added)
	}
	if diff := cmp.Diff([]string{"a"}, in); diff != "" {
		t.Errorf("the input changed (-want +got):\n%s", diff)
	}
	got, added = appendFinalizer(got, "b")
	if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" || added {
		t.Errorf("adding again (-want +got):\n%s added=%v", diff, added)
	}
}
