package main

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestSplit(t *testing.T) {
	scopes := map[string]bool{"/namespaces": false, "/secrets": true, "g/clusterthings": false, "g/things": true}
	namespaced := func(group, resource string) (bool, error) {
		ns, ok := scopes[group+"/"+resource]
		if !ok {
			return false, errors.New("unknown " + group + "/" + resource)
		}
		return ns, nil
	}
	rule := func(group string, verbs []string, resources ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{APIGroups: []string{group}, Resources: resources, Verbs: verbs}
	}
	lw := []string{"list", "watch"}
	for _, tc := range []struct {
		name        string
		rules       []rbacv1.PolicyRule
		cluster, ns []rbacv1.PolicyRule
		wantErr     bool
	}{
		{
			name:    "rules of one scope stay whole",
			rules:   []rbacv1.PolicyRule{rule("", lw, "namespaces"), rule("", []string{"get"}, "secrets")},
			cluster: []rbacv1.PolicyRule{rule("", lw, "namespaces")},
			ns:      []rbacv1.PolicyRule{rule("", []string{"get"}, "secrets")},
		},
		{
			name:    "a mixed rule is split, subresources follow their resource",
			rules:   []rbacv1.PolicyRule{rule("g", []string{"patch"}, "clusterthings/status", "things", "things/status")},
			cluster: []rbacv1.PolicyRule{rule("g", []string{"patch"}, "clusterthings/status")},
			ns:      []rbacv1.PolicyRule{rule("g", []string{"patch"}, "things", "things/status")},
		},
		{
			name:    "a resource of unknown scope stops it",
			rules:   []rbacv1.PolicyRule{rule("g", lw, "unknown")},
			wantErr: true,
		},
		{
			name:    "non-resource URLs stop it",
			rules:   []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}},
			wantErr: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cluster, ns, err := split(tc.rules, namespaced)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.cluster, cluster); diff != "" {
				t.Errorf("cluster rules (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.ns, ns); diff != "" {
				t.Errorf("namespaced rules (-want +got):\n%s", diff)
			}
		})
	}
}
