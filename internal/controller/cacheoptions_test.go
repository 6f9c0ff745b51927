package controller

import (
	"fmt"
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
			// Secrets are cached only when labelled, whatever the namespaces: one
			// ByObject entry, for the Secret kind, that inherits DefaultNamespaces.
			type selection struct{ Kind, Label string }
			var secrets []selection
			for obj, by := range opts.ByObject {
				if by.Namespaces != nil {
					t.Errorf("ByObject %T has its own namespaces %v; want it to inherit DefaultNamespaces", obj, by.Namespaces)
				}
				label := "<none>"
				if by.Label != nil {
					label = by.Label.String()
				}
				secrets = append(secrets, selection{Kind: fmt.Sprintf("%T %s", obj, obj.GetObjectKind().GroupVersionKind()), Label: label})
			}
			want := []selection{{Kind: "*v1.PartialObjectMetadata /v1, Kind=Secret", Label: "platform.enterprise-operator.dev/secret=true"}}
			if diff := cmp.Diff(want, secrets); diff != "" {
				t.Errorf("ByObject (-want +got):\n%s", diff)
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
