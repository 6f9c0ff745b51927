package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"enterprise-operator/api/v1alpha1"
)

func TestCacheOptions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		namespaces []string
		want       map[string]cache.Config
	}{
		{name: "all namespaces", namespaces: nil, want: nil},
		{name: "listed namespaces", namespaces: []string{"team-a", "team-b"},
			want: map[string]cache.Config{"team-a": {}, "team-b": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := CacheOptions(tc.namespaces)
			if diff := cmp.Diff(tc.want, opts.DefaultNamespaces); diff != "" {
				t.Errorf("DefaultNamespaces (-want +got):\n%s", diff)
			}
			if opts.DefaultTransform == nil {
				t.Fatal("no DefaultTransform: cached objects would keep their managedFields")
			}
			obj := &v1alpha1.Enterprise{ObjectMeta: metav1.ObjectMeta{Name: "acme",
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}}}
			out, err := opts.DefaultTransform(obj)
			if err != nil {
				t.Fatal(err)
			}
			if got := out.(*v1alpha1.Enterprise); got.ManagedFields != nil || got.Name != "acme" {
				t.Errorf("transformed object: name %q, managedFields %v; want acme and none", got.Name, got.ManagedFields)
			}
		})
	}
}
