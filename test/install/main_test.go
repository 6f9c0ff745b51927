// Package install_test checks the two ways of installing enterprise-operator, the
// single manifest `make build-installer` writes (dist/install.yaml, from
// config/default) and the Helm chart in charts/enterprise-operator:
//
//   - both are accepted by a real kube-apiserver (server-side dry-run with strict
//     field validation, then a real apply whose RBAC is probed with `kubectl auth can-i`);
//   - the chart ships the generated CRDs and RBAC rules byte for byte and renders the
//     same CRDs, ClusterRole and leader-election Role rules as kustomize, and with
//     watchNamespaces the same Roles, ClusterRole and bindings as config/namespaced;
//   - with default values the chart's Deployment runs the manager exactly as
//     config/manager does (args, ports, probes, security contexts, resources);
//   - the chart's values reach the manager's flags, and IMG reaches the manifest;
//   - the annotation ValidatingAdmissionPolicy and its binding (config/policy) are in
//     dist/install.yaml, the kustomize render of config/default and the chart, and
//     refuse a bad annotation once applied.
//
// It needs helm (built into bin/ by `make helm`, which the test runs: a no-op once
// installed, about two minutes cold) and kube-apiserver, etcd and kubectl (from
// KUBEBUILDER_ASSETS, or hack/setup-envtest.sh). `go test -short` skips it.
package install_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"enterprise-operator/test/testenv"
)

const (
	// releaseName and namespace make the chart's object names and namespace equal to
	// config/default's (namePrefix enterprise-operator-, namespace
	// enterprise-operator-system), so the two renders can be compared object by object.
	releaseName = "enterprise-operator"
	namespace   = "enterprise-operator-system"
	chartPath   = "charts/enterprise-operator"
)

// Set up once by TestMain.
var (
	repoRoot   string
	helm       string
	kubectl    string
	kubeconfig string
	// installYAML is dist/install.yaml as `make build-installer` wrote it.
	installYAML []byte
	// chartYAML is `helm template --include-crds` of the chart with default values.
	chartYAML []byte
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse() // for testing.Short
	if testing.Short() {
		fmt.Println("skipping test/install in -short mode: it needs helm and a control plane")
		return 0
	}
	var err error
	if repoRoot, err = testenv.RepoRoot(); err != nil {
		return fail(err)
	}
	helm = filepath.Join(repoRoot, "bin", "helm")
	if out, err := runMake("helm"); err != nil {
		return fail(fmt.Errorf("make helm: %w\n%s", err, out))
	}
	if out, err := runMake("build-installer"); err != nil {
		return fail(fmt.Errorf("make build-installer: %w\n%s", err, out))
	}
	if installYAML, err = os.ReadFile(filepath.Join(repoRoot, "dist", "install.yaml")); err != nil {
		return fail(err)
	}
	if chartYAML, err = helmTemplate(namespace); err != nil {
		return fail(err)
	}

	dir, err := os.MkdirTemp("", "eo-install-test-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	// No CRDs: the installs bring their own. kubectl talks to the apiserver as a
	// cluster admin, like whoever installs the operator; the operator's own
	// permissions are then probed with --as.
	env, err := testenv.Start(context.Background(), testenv.Options{
		Log: os.Stderr, NoCRDs: true, Kubeconfig: filepath.Join(dir, "kubeconfig"),
	})
	if err != nil {
		return fail(err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
		}
	}()
	kubectl, kubeconfig = env.Kubectl, env.Kubeconfig
	return m.Run()
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "test/install:", err)
	return 1
}

// runMake runs a Makefile target in the repository root.
func runMake(args ...string) ([]byte, error) {
	return exec.Command("make", append([]string{"--no-print-directory", "-C", repoRoot}, args...)...).CombinedOutput()
}

// helmTemplate renders the chart, CRDs included, as release releaseName in ns.
func helmTemplate(ns string, args ...string) ([]byte, error) {
	cmd := exec.Command(helm, append([]string{"template", releaseName, chartPath,
		"--namespace", ns, "--include-crds"}, args...)...)
	cmd.Dir = repoRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("helm template %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// kubectlRun runs kubectl against the test's kube-apiserver as the admin user.
func kubectlRun(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	out, err := kubectlOutput(stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func kubectlOutput(stdin []byte, args ...string) (string, error) {
	cmd := exec.Command(kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}
