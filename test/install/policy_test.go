package install_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// policyName names the annotation policy and its binding in every install whose
// names are config/default's (release enterprise-operator for the chart).
const policyName = releaseName + "-annotations"

// msgPaused is the annotation policy's message for a bad paused annotation.
const msgPaused = `platform.enterprise-operator.dev/paused must be "true" or "false"`

// TestAnnotationPolicyInEveryInstall checks that each way of installing ships the
// annotation policy of config/policy, cluster-scoped and bound, spec for spec.
func TestAnnotationPolicyInEveryInstall(t *testing.T) {
	read := func(file string) *unstructured.Unstructured {
		b, err := os.ReadFile(filepath.Join(repoRoot, "config", "policy", file))
		if err != nil {
			t.Fatal(err)
		}
		objs := parse(t, b)
		if len(objs) != 1 {
			t.Fatalf("config/policy/%s holds %d objects, want 1", file, len(objs))
		}
		return objs[0].u
	}
	wantPolicy, wantBinding := read("annotations_policy.yaml"), read("annotations_binding.yaml")
	if v, _, _ := unstructured.NestedSlice(wantPolicy.Object, "spec", "validations"); len(v) == 0 {
		t.Fatal("config/policy/annotations_policy.yaml has no validations")
	}
	// Only the names follow the install.
	unstructured.RemoveNestedField(wantBinding.Object, "spec", "policyName")

	kustomized, err := exec.Command(kubectl, "kustomize", filepath.Join(repoRoot, "config", "default")).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize config/default: %v", err)
	}
	for src, stream := range map[string][]byte{
		"dist/install.yaml":                installYAML,
		"kubectl kustomize config/default": kustomized,
		"helm template":                    chartYAML,
	} {
		objs := parse(t, stream)
		policies, bindings := byKind(objs, "ValidatingAdmissionPolicy"), byKind(objs, "ValidatingAdmissionPolicyBinding")
		if len(policies) != 1 || len(bindings) != 1 {
			t.Errorf("%s: %d ValidatingAdmissionPolicies and %d bindings, want 1 and 1", src, len(policies), len(bindings))
			continue
		}
		policy, ok := policies[policyName]
		if !ok {
			t.Errorf("%s: no ValidatingAdmissionPolicy %s", src, policyName)
			continue
		}
		binding, ok := bindings[policyName]
		if !ok {
			t.Errorf("%s: no ValidatingAdmissionPolicyBinding %s", src, policyName)
			continue
		}
		// Kustomize's namespace transformer does not know these kinds are
		// cluster-scoped; config/default removes the namespace it adds.
		for _, o := range []object{policy, binding} {
			if ns := o.u.GetNamespace(); ns != "" {
				t.Errorf("%s: %s in namespace %q; it is cluster-scoped", src, o.key(), ns)
			}
		}
		if diff := cmp.Diff(wantPolicy.Object["spec"], policy.u.Object["spec"]); diff != "" {
			t.Errorf("%s: the policy's spec differs from config/policy (-want +got):\n%s", src, diff)
		}
		if got, _, _ := unstructured.NestedString(binding.u.Object, "spec", "policyName"); got != policyName {
			t.Errorf("%s: the binding binds policy %q, want %q", src, got, policyName)
		}
		got := binding.u.DeepCopy()
		unstructured.RemoveNestedField(got.Object, "spec", "policyName")
		if diff := cmp.Diff(wantBinding.Object["spec"], got.Object["spec"]); diff != "" {
			t.Errorf("%s: the binding's spec differs from config/policy (-want +got):\n%s", src, diff)
		}
	}
}
