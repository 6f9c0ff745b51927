// Package crd_test checks the CustomResourceDefinitions of enterprise-operator against
// a real kube-apiserver: the samples are accepted, invalid manifests are rejected with
// a message a person can act on, and every spec field is documented.
package crd_test

import (
	"context"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/test/testenv"
)

var (
	// repoRoot is the module root, two levels above this package.
	repoRoot = filepath.Join("..", "..")

	env       *testenv.Env
	k8sClient client.Client
	ctx       context.Context
	cancel    context.CancelFunc
	// kubectl is the kubectl of the control plane's assets (its kustomize renders
	// config/default as `make build-installer` does).
	kubectl string

	// namespace is where the namespaced test objects are created.
	namespace string
)

func TestCRDs(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "CRD validation suite")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())

	// Every spec runs with the annotation policy the installs ship, so the samples
	// and README examples are checked against it too.
	var err error
	env, err = testenv.Start(ctx, testenv.Options{Log: GinkgoWriter, AnnotationPolicy: true})
	Expect(err).NotTo(HaveOccurred())
	kubectl = env.Kubectl
	k8sClient = env.Client
	Expect(policyNames(env.Policy)).To(ConsistOf("ValidatingAdmissionPolicy/"+policyName, "ValidatingAdmissionPolicyBinding/"+bindingName))

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "crd-test-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	namespace = ns.Name

	waitPolicyEnforced(true)
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	Expect(env.Stop()).To(Succeed())
})
