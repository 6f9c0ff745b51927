package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// EnvAssets names the directory of kube-apiserver, etcd and kubectl when set; it is
// also the variable envtest itself reads first, so a suite and envtest always agree.
const EnvAssets = "KUBEBUILDER_ASSETS"

// setupEnvtest is the script, relative to the repository root, that builds the
// control plane from source (the machines this runs on reach only the Go module
// proxy) and prints the directory it built into.
const setupEnvtest = "hack/setup-envtest.sh"

// assetBinaries are what a control plane directory must hold.
var assetBinaries = []string{"etcd", "kube-apiserver", "kubectl"}

const (
	errNoModuleRoot  = "no go.mod in %s or any directory above it: run from inside the enterprise-operator module"
	errSetupEnvtest  = setupEnvtest + " failed: %w"
	errMissingBinary = setupEnvtest + " printed %q, but %s is not there: %w"
	errNoAssetsDir   = setupEnvtest + " printed no directory"
)

// RepoRoot is the module root: the nearest directory at or above the working
// directory that holds go.mod. A test runs in its package's directory and the demo
// wherever `go run` was started, so neither can name the root by a fixed relative path.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return findRoot(wd)
}

func findRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf(errNoModuleRoot, dir)
		}
		d = parent
	}
}

// AssetsDir returns the directory holding kube-apiserver, etcd and kubectl:
// KUBEBUILDER_ASSETS if set (the Makefile sets it), otherwise the directory
// hack/setup-envtest.sh under root prints, bin/k8s/<version>-<os>-<arch>. The script
// builds the binaries on first use (minutes; its progress goes to log, which may be
// nil) and answers at once afterwards; it honours K8S_VERSION. Cancelling ctx stops
// the build.
func AssetsDir(ctx context.Context, root string, log io.Writer) (string, error) {
	if dir := os.Getenv(EnvAssets); dir != "" {
		return dir, nil
	}
	var out strings.Builder
	if err := Run(ctx, root, &out, log, filepath.Join(root, filepath.FromSlash(setupEnvtest))); err != nil {
		return "", fmt.Errorf(errSetupEnvtest, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	dir := strings.TrimSpace(lines[len(lines)-1])
	if dir == "" {
		return "", errors.New(errNoAssetsDir)
	}
	for _, b := range assetBinaries {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return "", fmt.Errorf(errMissingBinary, dir, b, err)
		}
	}
	return dir, nil
}

// RandHex returns n random bytes as 2n lowercase hex digits: unique names, ids and
// throwaway credentials for a test run.
func RandHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it panics if the OS cannot supply randomness)
	return hex.EncodeToString(b)
}
