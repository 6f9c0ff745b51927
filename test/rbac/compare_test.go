package rbac

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestCompare shows that the comparison fails both ways, so the recorded run cannot
// pass by accident: a call without a rule, a rule without a call, a rule in the wrong
// namespace, and a streaming watch granted watch only.
func TestCompare(t *testing.T) {
	secretsGet := call{Verb: "get", Resource: "secrets", Namespace: "team-a", Code: 200, URI: "/api/v1/namespaces/team-a/secrets/s"}
	for _, tc := range []struct {
		name   string
		calls  []call
		grants []grant
		want   comparison
	}{
		{
			name:   "every call granted, every grant used",
			calls:  []call{secretsGet},
			grants: []grant{{Role: "Role r", Resource: "secrets", Verb: "get", Namespace: "team-a"}},
		},
		{
			name:  "a call without a rule",
			calls: []call{secretsGet},
			want: comparison{Missing: []string{
				"get secrets (needed by get secrets in team-a (/api/v1/namespaces/team-a/secrets/s))"}},
		},
		{
			name:   "a rule without a call",
			calls:  []call{secretsGet},
			grants: []grant{{Role: "Role r", Resource: "secrets", Verb: "get", Namespace: "team-a"}, {Role: "Role r", Resource: "secrets", Verb: "list", Namespace: "team-a"}},
			want:   comparison{Unused: []string{"Role r: list secrets"}},
		},
		{
			name:   "a Role in another namespace does not grant the call",
			calls:  []call{secretsGet},
			grants: []grant{{Role: "Role r", Resource: "secrets", Verb: "get", Namespace: "team-b"}},
			want: comparison{
				Missing: []string{"get secrets (needed by get secrets in team-a (/api/v1/namespaces/team-a/secrets/s))"},
				Unused:  []string{"Role r: get secrets"},
			},
		},
		{
			name:   "a Role repeated per namespace is used if used in one",
			calls:  []call{secretsGet},
			grants: []grant{{Role: "Role r", Resource: "secrets", Verb: "get", Namespace: "team-a"}, {Role: "Role r", Resource: "secrets", Verb: "get", Namespace: "team-b"}},
		},
		{
			name: "a streaming watch needs list too",
			calls: []call{{Verb: "watch", Group: "platform.enterprise-operator.dev", Resource: "enterprises", Code: 200,
				URI: "/apis/platform.enterprise-operator.dev/v1alpha1/enterprises?allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&watch=true"}},
			grants: []grant{{Role: "ClusterRole c", Group: "platform.enterprise-operator.dev", Resource: "enterprises", Verb: "watch"}},
			want: comparison{Missing: []string{"list enterprises.platform.enterprise-operator.dev (needed by watch enterprises.platform.enterprise-operator.dev cluster-wide " +
				"(/apis/platform.enterprise-operator.dev/v1alpha1/enterprises?allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&watch=true))"}},
		},
		{
			name:   "a subresource is its own resource",
			calls:  []call{{Verb: "patch", Group: "g", Resource: "things/status", Namespace: "a", Code: 200}},
			grants: []grant{{Role: "ClusterRole c", Group: "g", Resource: "things", Verb: "patch"}},
			want: comparison{
				Missing: []string{"patch things.g/status (needed by patch things.g/status in a)"},
				Unused:  []string{"ClusterRole c: patch things.g"},
			},
		},
		{
			name:  "a refused request is reported even where a rule would allow it",
			calls: []call{{Verb: "get", NonResource: "/metrics", Code: 403}},
			want:  comparison{Refused: []string{"get /metrics (403)"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, compare(tc.calls, tc.grants), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestGrantsFor shows that wildcards, roles bound to nobody and bindings of others are
// reported, and that a RoleBinding scopes a ClusterRole to its namespace.
func TestGrantsFor(t *testing.T) {
	obj := func(kind, ns, name string, fields map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind}}
		for k, v := range fields {
			u.Object[k] = v
		}
		u.SetNamespace(ns)
		u.SetName(name)
		return u
	}
	rules := func(verbs ...any) map[string]any {
		return map[string]any{"rules": []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"secrets"}, "verbs": verbs}}}
	}
	bind := func(kind, role, saNS string) map[string]any {
		return map[string]any{
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
			"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": "sa", "namespace": saNS}},
		}
	}
	objs := []*unstructured.Unstructured{
		obj("ClusterRole", "", "reader", rules("get")),
		obj("RoleBinding", "team-a", "reader", bind("ClusterRole", "reader", "ops")),
		obj("ClusterRole", "", "everything", rules("*")),
		obj("ClusterRoleBinding", "", "everything", bind("ClusterRole", "everything", "ops")),
		obj("Role", "team-b", "orphan", rules("list")),
		obj("ClusterRoleBinding", "", "someone-else", bind("ClusterRole", "reader", "elsewhere")),
	}
	grants, problems, err := grantsFor(objs, "ops", "sa")
	if err != nil {
		t.Fatal(err)
	}
	wantGrants := []grant{
		{Role: "ClusterRole reader", Resource: "secrets", Verb: "get", Namespace: "team-a"},
		{Role: "ClusterRole everything", Resource: "secrets", Verb: "*"},
	}
	if diff := cmp.Diff(wantGrants, grants); diff != "" {
		t.Errorf("grants (-want +got):\n%s", diff)
	}
	wantProblems := []string{
		`ClusterRole everything has a wildcard: verbs ["*"] on ["secrets"] in groups [""]`,
		"ClusterRoleBinding /someone-else binds someone other than the manager",
		"Role team-b/orphan is bound to nobody",
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
