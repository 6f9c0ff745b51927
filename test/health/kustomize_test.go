package health_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"enterprise-operator/test/testenv"
)

// TestKustomizeComponent builds config/argocd as a kustomize Component over an argocd-cm
// with and without a namespace (install.yaml sets none; most installs use "argocd") and
// checks every kind's script lands in it unchanged, next to the keys already there. It
// uses the kubectl hack/setup-envtest.sh builds (its kustomize is the one kubectl users get).
func TestKustomizeComponent(t *testing.T) {
	kubectl := builtKubectl(t)
	component, err := filepath.Abs(argocdDir)
	if err != nil {
		t.Fatal(err)
	}
	script := readFile(t, canonicalPath)
	for _, ns := range []string{"", "argocd"} {
		t.Run("namespace="+ns, func(t *testing.T) {
			dir := t.TempDir()
			rel, err := filepath.Rel(dir, component)
			if err != nil {
				t.Fatal(err)
			}
			cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n"
			if ns != "" {
				cm += "  namespace: " + ns + "\n"
			}
			cm += "data:\n  url: https://argocd.example.com\n"
			k := "resources:\n- argocd-cm.yaml\ncomponents:\n- " + filepath.ToSlash(rel) + "\n"
			for name, body := range map[string]string{"argocd-cm.yaml": cm, "kustomization.yaml": k} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := exec.Command(kubectl, "kustomize", dir).CombinedOutput()
			if err != nil {
				t.Fatalf("kubectl kustomize: %v\n%s", err, out)
			}
			var got corev1.ConfigMap
			if err := yaml.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if got.Namespace != ns || got.Data["url"] != "https://argocd.example.com" {
				t.Errorf("the patch replaced argocd-cm instead of merging into it:\n%s", out)
			}
			for _, kind := range kinds(t) {
				if got.Data[configMapKey(kind)] != script {
					t.Errorf("%s is missing or altered", configMapKey(kind))
				}
			}
		})
	}
}

// builtKubectl returns the kubectl built by hack/setup-envtest.sh (KUBEBUILDER_ASSETS, or
// the directory the script prints; it builds the binaries on first use).
func builtKubectl(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := testenv.AssetsDir(t.Context(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubectl := filepath.Join(dir, "kubectl")
	if _, err := os.Stat(kubectl); err != nil {
		t.Fatalf("no kubectl in %s: %v", dir, err)
	}
	return kubectl
}
