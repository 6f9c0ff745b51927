package crd_test

import (
	"os"
	"strings"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/test/testenv"
)

// fieldOwner is the server-side apply field manager of this suite.
const fieldOwner = client.FieldOwner("crd-test")

// decodeYAML splits a (multi-document) YAML stream into unstructured objects.
func decodeYAML(data []byte) []*unstructured.Unstructured {
	objs, err := testenv.DecodeYAML(data)
	Expect(err).NotTo(HaveOccurred())
	return objs
}

// decodeFile reads and decodes a YAML file.
func decodeFile(path string) []*unstructured.Unstructured {
	data, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	return decodeYAML(data)
}

// mustOne decodes a single-document YAML manifest.
func mustOne(manifest string) *unstructured.Unstructured {
	objs := decodeYAML([]byte(manifest))
	Expect(objs).To(HaveLen(1))
	return objs[0]
}

// intoNamespace puts a namespaced object into the test namespace; cluster-scoped
// objects (PlatformConfig) are left alone.
func intoNamespace(u *unstructured.Unstructured) {
	intoNamespaceNamed(u, namespace)
}

// intoNamespaceNamed puts a namespaced object into ns; cluster-scoped objects
// are left alone.
func intoNamespaceNamed(u *unstructured.Unstructured, ns string) {
	namespaced, err := k8sClient.IsObjectNamespaced(u)
	Expect(err).NotTo(HaveOccurred())
	if namespaced {
		u.SetNamespace(ns)
	}
}

// ownNamespace creates a namespace for one container, so that what its specs
// count or list is not disturbed by objects other containers create (Ginkgo
// runs top-level containers in random order).
func ownNamespace(prefix string) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// mutation changes a manifest.
type mutation func(u *unstructured.Unstructured)

// set sets a field, path given as dot-separated keys ("spec.auth.oauth2").
func set(path string, value any) mutation {
	return func(u *unstructured.Unstructured) {
		Expect(unstructured.SetNestedField(u.Object, value, strings.Split(path, ".")...)).To(Succeed())
	}
}

// del removes a field.
func del(path string) mutation {
	return func(u *unstructured.Unstructured) {
		unstructured.RemoveNestedField(u.Object, strings.Split(path, ".")...)
	}
}

// strs makes a []any of strings, the form unstructured content takes.
func strs(s ...string) []any {
	out := make([]any, len(s))
	for i := range s {
		out[i] = s[i]
	}
	return out
}

func names(n ...string) []any {
	out := make([]any, len(n))
	for i := range n {
		out[i] = map[string]any{"name": n[i]}
	}
	return out
}
