package testenv

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const (
	docPolicy  = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\n"
	docBinding = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: b}\n"
	docRole    = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"
	docWebhook = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: w}\n"
)

func TestDecodeYAML(t *testing.T) {
	for _, tc := range []struct {
		name, stream string
		want         []string
		wantErr      bool
	}{
		{name: "documents, empty ones skipped", stream: "---\n" + docRole + "---\n---\n" + docPolicy, want: []string{"ClusterRole/r", "ValidatingAdmissionPolicy/p"}},
		{name: "JSON", stream: `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}`, want: []string{"Namespace/n"}},
		{name: "nothing", stream: ""},
		{name: "not YAML", stream: "kind: [", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := DecodeYAML([]byte(tc.stream))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, kindNames(objs)); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicyObjects(t *testing.T) {
	for _, tc := range []struct {
		name, stream string
		want         []string
		wantErr      bool
	}{
		{name: "the policy and its binding among the rest", stream: docRole + "---\n" + docBinding + "---\n" + docPolicy, want: []string{"ValidatingAdmissionPolicyBinding/b", "ValidatingAdmissionPolicy/p"}},
		{name: "no binding", stream: docRole + "---\n" + docPolicy, wantErr: true},
		{name: "none", stream: docRole, wantErr: true},
		{name: "something else of the group", stream: docBinding + "---\n" + docPolicy + "---\n" + docWebhook, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := DecodeYAML([]byte(tc.stream))
			if err != nil {
				t.Fatal(err)
			}
			got, err := policyObjects(objs)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, kindNames(got)); diff != "" {
				t.Errorf("policy objects (-want +got):\n%s", diff)
			}
		})
	}
}

func kindNames(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, u := range objs {
		out = append(out, u.GetKind()+"/"+u.GetName())
	}
	return out
}
