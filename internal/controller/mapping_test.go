package controller

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"enterprise-operator/api/v1alpha1"
)

// TestMapFuncs checks who each map function wakes, on a fake cache with the operator's
// field indexes: in the event's namespace only, except for a cluster-scoped
// PlatformConfig, whose Enterprises live in every namespace.
func TestMapFuncs(t *testing.T) {
	ent := func(ns, name, config string) *v1alpha1.Enterprise {
		e := &v1alpha1.Enterprise{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		e.Spec.PlatformConfigRef.Name = config
		return e
	}
	user := func(ns, name, enterprise, password string, roles ...string) *v1alpha1.EnterpriseUser {
		u := &v1alpha1.EnterpriseUser{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		u.Spec.EnterpriseRef.Name = enterprise
		for _, r := range roles {
			u.Spec.RoleRefs = append(u.Spec.RoleRefs, v1alpha1.LocalObjectReference{Name: r})
		}
		if password != "" {
			u.Spec.PasswordSecretRef = &v1alpha1.SecretKeyReference{Name: password, Key: "password"}
		}
		return u
	}
	group := func(ns, name string) *v1alpha1.UserGroup {
		return &v1alpha1.UserGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	meta := func(ns, name string) client.Object {
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	objects := []client.Object{
		ent("a", "acme", "prod"), ent("b", "beta", "prod"), ent("b", "gamma", "staging"),
		user("a", "ann", "acme", "ann-pw", "admins", "readers"), user("a", "bob", "acme", "", "readers"),
		user("b", "cid", "beta", "ann-pw", "admins"), user("a", "dan", "other", ""),
		group("a", "g1"), group("a", "g2"), group("b", "g3"),
	}

	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objects...)
	for _, f := range fieldIndexes() {
		b = b.WithIndex(f.obj, f.field, f.fn)
	}
	kube := b.Build()

	for _, tc := range []struct {
		name  string
		mapFn handler.MapFunc
		event client.Object
		want  []string
	}{
		{name: "a PlatformConfig: its Enterprises in every namespace", mapFn: enterprisesOfConfig(kube),
			event: &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: "prod"}}, want: []string{"a/acme", "b/beta"}},
		{name: "an Enterprise: its users", mapFn: referencing(kube, &v1alpha1.EnterpriseUserList{}, indexEnterpriseRef),
			event: ent("a", "acme", "prod"), want: []string{"a/ann", "a/bob"}},
		{name: "a role: the users of its namespace that reference it", mapFn: usersOfRole(kube),
			event: meta("a", "admins"), want: []string{"a/ann"}},
		{name: "a Secret: the users of its namespace that reference it", mapFn: referencing(kube, &v1alpha1.EnterpriseUserList{}, indexSecretRefs),
			event: meta("b", "ann-pw"), want: []string{"b/cid"}},
		{name: "a user: every group of its namespace", mapFn: groupsInNamespace(kube),
			event: user("a", "ann", "acme", ""), want: []string{"a/g1", "a/g2"}},
		{name: "nothing references it", mapFn: usersOfRole(kube), event: meta("a", "nobody"), want: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := []string{}
			for _, r := range tc.mapFn(context.Background(), tc.event) {
				got = append(got, r.Namespace+"/"+r.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}
