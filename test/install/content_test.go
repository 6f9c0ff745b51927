package install_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestChartShipsGeneratedFiles fails when `make manifests` changed the CRDs or the
// RBAC rules, or config/policy changed, and the chart's copies were not refreshed
// with `make helm-crds`.
func TestChartShipsGeneratedFiles(t *testing.T) {
	bases, err := filepath.Glob(filepath.Join(repoRoot, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(bases) == 0 {
		t.Fatalf("no CRDs in config/crd/bases: %v", err)
	}
	shipped, err := filepath.Glob(filepath.Join(repoRoot, chartPath, "crds", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	base := func(paths []string) []string {
		var names []string
		for _, p := range paths {
			names = append(names, filepath.Base(p))
		}
		slices.Sort(names)
		return names
	}
	if diff := cmp.Diff(base(bases), base(shipped)); diff != "" {
		t.Errorf("%s/crds holds other files than config/crd/bases; run `make helm-crds` (-bases +chart):\n%s", chartPath, diff)
	}
	pairs := map[string]string{
		filepath.Join(repoRoot, "config", "rbac", "role.yaml"):                  filepath.Join(repoRoot, chartPath, "files", "manager-role.yaml"),
		filepath.Join(repoRoot, "config", "rbac", "leader_election_role.yaml"):  filepath.Join(repoRoot, chartPath, "files", "leader-election-role.yaml"),
		filepath.Join(repoRoot, "config", "namespaced", "cluster", "role.yaml"): filepath.Join(repoRoot, chartPath, "files", "manager-cluster-role.yaml"),
		filepath.Join(repoRoot, "config", "namespaced", "watched", "role.yaml"): filepath.Join(repoRoot, chartPath, "files", "manager-namespaced-role.yaml"),
		filepath.Join(repoRoot, "config", "policy", "annotations_policy.yaml"):  filepath.Join(repoRoot, chartPath, "files", "annotations-policy.yaml"),
		filepath.Join(repoRoot, "config", "policy", "annotations_binding.yaml"): filepath.Join(repoRoot, chartPath, "files", "annotations-binding.yaml"),
	}
	for _, b := range bases {
		pairs[b] = filepath.Join(repoRoot, chartPath, "crds", filepath.Base(b))
	}
	for want, got := range pairs {
		w, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		g, err := os.ReadFile(got)
		if err != nil {
			t.Errorf("%v; run `make helm-crds`", err)
			continue
		}
		if !bytes.Equal(w, g) {
			rel, _ := filepath.Rel(repoRoot, got)
			t.Errorf("%s differs from %s; run `make helm-crds`", rel, want)
		}
	}
}

// TestSameContent compares the chart's default render with dist/install.yaml.
func TestSameContent(t *testing.T) {
	kust, chart := parse(t, installYAML), parse(t, chartYAML)

	t.Run("objects", func(t *testing.T) {
		keys := func(objs []object) []string {
			var ks []string
			for _, o := range objs {
				// Helm installs into an existing namespace (--create-namespace).
				if o.u.GetKind() != "Namespace" {
					ks = append(ks, o.key())
				}
			}
			slices.Sort(ks)
			return ks
		}
		if diff := cmp.Diff(keys(kust), keys(chart)); diff != "" {
			t.Errorf("the chart renders other objects than config/default (-kustomize +chart):\n%s", diff)
		}
	})

	t.Run("CRDs", func(t *testing.T) {
		want, got := byKind(kust, "CustomResourceDefinition"), byKind(chart, "CustomResourceDefinition")
		if len(want) == 0 {
			t.Fatal("dist/install.yaml has no CRDs")
		}
		for name := range want {
			w := one[apiextensionsv1.CustomResourceDefinition](t, kust, "CustomResourceDefinition", name)
			if _, ok := got[name]; !ok {
				t.Errorf("the chart does not render CRD %s", name)
				continue
			}
			g := one[apiextensionsv1.CustomResourceDefinition](t, chart, "CustomResourceDefinition", name)
			if diff := cmp.Diff(w.Spec, g.Spec); diff != "" {
				t.Errorf("CRD %s spec differs (-kustomize +chart):\n%s", name, diff)
			}
			if diff := cmp.Diff(w.Annotations, g.Annotations); diff != "" {
				t.Errorf("CRD %s annotations differ (-kustomize +chart):\n%s", name, diff)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("the chart renders CRD %s that config/default does not", name)
			}
		}
	})

	t.Run("ClusterRole", func(t *testing.T) {
		name := releaseName + "-manager-role"
		w := one[rbacv1.ClusterRole](t, kust, "ClusterRole", name)
		g := one[rbacv1.ClusterRole](t, chart, "ClusterRole", name)
		if len(w.Rules) == 0 {
			t.Fatal("config/rbac/role.yaml has no rules")
		}
		if diff := cmp.Diff(w.Rules, g.Rules); diff != "" {
			t.Errorf("ClusterRole rules differ (-kustomize +chart):\n%s", diff)
		}
	})

	t.Run("leader-election Role", func(t *testing.T) {
		name := releaseName + "-leader-election-role"
		w := one[rbacv1.Role](t, kust, "Role", name)
		g := one[rbacv1.Role](t, chart, "Role", name)
		if diff := cmp.Diff(w.Rules, g.Rules); diff != "" {
			t.Errorf("Role rules differ (-kustomize +chart):\n%s", diff)
		}
	})

	t.Run("bindings", func(t *testing.T) {
		for _, objs := range [][]object{kust, chart} {
			crb := one[rbacv1.ClusterRoleBinding](t, objs, "ClusterRoleBinding", releaseName+"-manager-rolebinding")
			rb := one[rbacv1.RoleBinding](t, objs, "RoleBinding", releaseName+"-leader-election-rolebinding")
			sa := []rbacv1.Subject{{Kind: "ServiceAccount", Name: releaseName + "-controller-manager", Namespace: namespace}}
			if diff := cmp.Diff(sa, crb.Subjects); diff != "" {
				t.Errorf("ClusterRoleBinding subjects (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(sa, rb.Subjects); diff != "" {
				t.Errorf("RoleBinding subjects (-want +got):\n%s", diff)
			}
			if crb.RoleRef.Name != releaseName+"-manager-role" || rb.RoleRef.Name != releaseName+"-leader-election-role" {
				t.Errorf("bindings refer to %q and %q", crb.RoleRef.Name, rb.RoleRef.Name)
			}
		}
	})

	t.Run("metrics Service", func(t *testing.T) {
		name := releaseName + "-metrics"
		for src, objs := range map[string][]object{"kustomize": kust, "chart": chart} {
			pods := one[appsv1.Deployment](t, objs, "Deployment", releaseName+"-controller-manager").Spec.Template.Labels
			svc := one[corev1.Service](t, objs, "Service", name)
			for k, v := range svc.Spec.Selector {
				if pods[k] != v {
					t.Errorf("%s: the metrics Service selects %s=%s, which the manager's pods do not carry", src, k, v)
				}
			}
			want := []corev1.ServicePort{{Name: "metrics", Port: 8080, TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP}}
			if diff := cmp.Diff(want, svc.Spec.Ports); diff != "" {
				t.Errorf("%s: metrics Service ports (-want +got):\n%s", src, diff)
			}
		}
	})

	t.Run("Deployment", func(t *testing.T) {
		name := releaseName + "-controller-manager"
		w := one[appsv1.Deployment](t, kust, "Deployment", name)
		g := one[appsv1.Deployment](t, chart, "Deployment", name)
		// Labels differ on purpose (the chart adds the app.kubernetes.io ones), and the
		// chart sets an explicit imagePullPolicy; everything that decides how the
		// manager runs must be equal.
		opts := cmp.Options{cmpopts.IgnoreFields(corev1.Container{}, "ImagePullPolicy")}
		if diff := cmp.Diff(w.Spec.Replicas, g.Spec.Replicas); diff != "" {
			t.Errorf("replicas differ (-kustomize +chart):\n%s", diff)
		}
		wp, gp := w.Spec.Template.Spec, g.Spec.Template.Spec
		if diff := cmp.Diff(wp, gp, opts); diff != "" {
			t.Errorf("pod specs differ (-kustomize +chart):\n%s", diff)
		}
		for k, v := range w.Spec.Selector.MatchLabels {
			if g.Spec.Selector.MatchLabels[k] != v {
				t.Errorf("the chart's selector lacks %s=%s", k, v)
			}
		}
	})
}

// TestNamespacedSameContent compares the chart rendered with watchNamespaces with the
// kustomize overlay config/namespaced (its example namespaces): the same objects, the
// same rules in the same namespaces, the same bindings and manager flags.
func TestNamespacedSameContent(t *testing.T) {
	out, err := exec.Command(kubectl, "kustomize", filepath.Join(repoRoot, "config", "namespaced")).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize config/namespaced: %v", err)
	}
	chartOut, err := helmTemplate(namespace, "--set", "watchNamespaces={tenant-a,tenant-b}")
	if err != nil {
		t.Fatal(err)
	}
	kust, chart := parse(t, out), parse(t, chartOut)
	keys := func(objs []object) []string {
		var ks []string
		for _, o := range objs {
			if o.u.GetKind() != "Namespace" {
				ks = append(ks, o.key())
			}
		}
		slices.Sort(ks)
		return ks
	}
	if diff := cmp.Diff(keys(kust), keys(chart)); diff != "" {
		t.Errorf("the chart renders other objects than config/namespaced (-kustomize +chart):\n%s", diff)
	}
	byKey := func(objs []object) map[string]*unstructured.Unstructured {
		m := map[string]*unstructured.Unstructured{}
		for _, o := range objs {
			m[o.key()] = o.u
		}
		return m
	}
	want, got := byKey(kust), byKey(chart)
	for key, w := range want {
		g, ok := got[key]
		if !ok {
			continue // reported above
		}
		var fields []string
		switch w.GetKind() {
		case "ClusterRole", "Role":
			fields = []string{"rules"}
		case "ClusterRoleBinding", "RoleBinding":
			fields = []string{"roleRef", "subjects"}
		default:
			continue
		}
		for _, f := range fields {
			if diff := cmp.Diff(w.Object[f], g.Object[f]); diff != "" {
				t.Errorf("%s %s differ (-kustomize +chart):\n%s", key, f, diff)
			}
		}
	}
	name := releaseName + "-controller-manager"
	wantArgs := one[appsv1.Deployment](t, kust, "Deployment", name).Spec.Template.Spec.Containers[0].Args
	gotArgs := one[appsv1.Deployment](t, chart, "Deployment", name).Spec.Template.Spec.Containers[0].Args
	if diff := cmp.Diff(wantArgs, gotArgs); diff != "" {
		t.Errorf("manager args differ (-kustomize +chart):\n%s", diff)
	}
	if !slices.Contains(gotArgs, "--watch-namespaces=tenant-a,tenant-b") {
		t.Errorf("args %v lack --watch-namespaces", gotArgs)
	}
}
