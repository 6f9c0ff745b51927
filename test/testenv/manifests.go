package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

const (
	errKustomize   = "kubectl kustomize %s: %w\n%s"
	errDecode      = "decoding manifests: %w"
	errPolicyKinds = "config/default renders %v of %s, want exactly one " + policyKind + " and one " + policyBindingKind
)

const (
	// policyInstall is the install whose render holds the annotation policy.
	policyInstall     = "config/default"
	policyKind        = "ValidatingAdmissionPolicy"
	policyBindingKind = "ValidatingAdmissionPolicyBinding"
)

// DecodeYAML splits a YAML (or JSON) stream of manifests into objects, skipping
// empty documents.
func DecodeYAML(stream []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(stream), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, fmt.Errorf(errDecode, err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

// Kustomize renders a kustomization directory with kubectl's kustomize, the one
// kubectl users get and the one `make build-installer` runs.
func Kustomize(ctx context.Context, kubectl, dir string) ([]*unstructured.Unstructured, error) {
	var out, stderr bytes.Buffer
	if err := Run(ctx, "", &out, &stderr, kubectl, "kustomize", dir); err != nil {
		return nil, fmt.Errorf(errKustomize, dir, err, stderr.String())
	}
	return DecodeYAML(out.Bytes())
}

// AnnotationPolicy renders config/default under root as `make build-installer` does
// and returns what it holds of admissionregistration.k8s.io: the annotation policy
// and its binding every install ships, not a copy kept for the tests.
func AnnotationPolicy(ctx context.Context, kubectl, root string) ([]*unstructured.Unstructured, error) {
	objs, err := Kustomize(ctx, kubectl, filepath.Join(root, policyInstall))
	if err != nil {
		return nil, err
	}
	return policyObjects(objs)
}

// policyObjects keeps the admissionregistration.k8s.io objects of an install, which
// must be the policy and its binding, one each.
func policyObjects(objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	var policy []*unstructured.Unstructured
	var kinds []string
	for _, u := range objs {
		if u.GroupVersionKind().Group == admissionregistrationv1.GroupName {
			policy = append(policy, u)
			kinds = append(kinds, u.GetKind())
		}
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{policyKind, policyBindingKind}) {
		return nil, fmt.Errorf(errPolicyKinds, kinds, admissionregistrationv1.GroupName)
	}
	return policy, nil
}
