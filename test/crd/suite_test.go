// Package crd_test checks the CustomResourceDefinitions of enterprise-operator against
// a real kube-apiserver: the samples are accepted, invalid manifests are rejected with
// a message a person can act on, and every spec field is documented.
package crd_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	platformv1alpha1 "enterprise-operator/api/v1alpha1"
)

var (
	// repoRoot is the module root, two levels above this package.
	repoRoot = filepath.Join("..", "..")

	testEnv   *envtest.Environment
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

// assetsDir returns the directory holding kube-apiserver, etcd and kubectl:
// KUBEBUILDER_ASSETS if set, otherwise what hack/setup-envtest.sh prints (it builds
// them from source on first use and is instant afterwards).
func assetsDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	cmd := exec.Command(filepath.Join(repoRoot, "hack", "setup-envtest.sh"))
	cmd.Stderr = GinkgoWriter
	out, err := cmd.Output()
	Expect(err).NotTo(HaveOccurred(), "hack/setup-envtest.sh failed; set KUBEBUILDER_ASSETS")
	return strings.TrimSpace(string(out))
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())

	assets := assetsDir()
	kubectl = filepath.Join(assets, "kubectl")
	testEnv = &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(repoRoot, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	Expect(cfg).NotTo(BeNil())

	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(platformv1alpha1.AddToScheme(scheme)).To(Succeed())

	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "crd-test-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	namespace = ns.Name

	// Every spec runs with the annotation policy the installs ship, so the samples
	// and README examples are checked against it too.
	installPolicy()
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})
