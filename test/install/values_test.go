package install_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestImage checks that IMG reaches the single manifest and image.* the chart.
func TestImage(t *testing.T) {
	for img, want := range map[string]string{
		"example.com/team/enterprise-operator:v1.2.3":       "example.com/team/enterprise-operator:v1.2.3",
		"registry.local:5000/eo:0.1":                        "registry.local:5000/eo:0.1",
		"example.com/eo@sha256:" + strings.Repeat("ab", 32): "example.com/eo@sha256:" + strings.Repeat("ab", 32),
	} {
		out := filepath.Join(t.TempDir(), "install.yaml")
		if b, err := runMake("build-installer", "IMG="+img, "INSTALLER="+out); err != nil {
			t.Fatalf("make build-installer IMG=%s: %v\n%s", img, err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		d := one[appsv1.Deployment](t, parse(t, b), "Deployment", releaseName+"-controller-manager")
		if got := d.Spec.Template.Spec.Containers[0].Image; got != want {
			t.Errorf("IMG=%s: image %q, want %q", img, got, want)
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "enterprise-operator:latest"},
		{[]string{"--set", "image.repository=example.com/eo", "--set", "image.tag=v2"}, "example.com/eo:v2"},
		{[]string{"--set", "image.tag=v2", "--set", "image.digest=sha256:00ff"}, "enterprise-operator@sha256:00ff"},
	} {
		b, err := helmTemplate(namespace, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		d := one[appsv1.Deployment](t, parse(t, b), "Deployment", releaseName+"-controller-manager")
		if got := d.Spec.Template.Spec.Containers[0].Image; got != tc.want {
			t.Errorf("helm template %v: image %q, want %q", tc.args, got, tc.want)
		}
	}
}

// customValues exercises every value that changes the Deployment.
var customValues = []string{
	"--set", "replicaCount=2",
	"--set", "resyncInterval=5m",
	"--set", "maxConcurrentReconciles=8",
	"--set", "credentialCheckInterval=1h",
	"--set", "watchNamespaces={team-a,team-b}",
	"--set", "leaderElection.enabled=false",
	"--set", "metrics.port=9090",
	"--set", "healthProbe.port=9091",
	"--set-json", `extraArgs=["--zap-log-level=debug"]`,
	"--set-json", `resources={"requests":{"cpu":"10m","memory":"32Mi"}}`,
	"--set-json", `nodeSelector={"kubernetes.io/os":"linux"}`,
	"--set-json", `tolerations=[{"key":"dedicated","operator":"Equal","value":"operators","effect":"NoSchedule"}]`,
	"--set-json", `affinity={"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}]}}}`,
	"--set", "priorityClassName=system-cluster-critical",
	"--set-json", `podAnnotations={"example.com/a":"b"}`,
	"--set-json", `imagePullSecrets=[{"name":"regcred"}]`,
}

func TestChartValues(t *testing.T) {
	b, err := helmTemplate("team-ops", customValues...)
	if err != nil {
		t.Fatal(err)
	}
	objs := parse(t, b)
	d := one[appsv1.Deployment](t, objs, "Deployment", releaseName+"-controller-manager")
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	wantArgs := []string{
		"--metrics-bind-address=:9090",
		"--health-probe-bind-address=:9091",
		"--resync-interval=5m",
		"--max-concurrent-reconciles=8",
		"--credential-check-interval=1h",
		"--watch-namespaces=team-a,team-b",
		"--zap-log-level=debug",
	}
	if diff := cmp.Diff(wantArgs, c.Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if *d.Spec.Replicas != 2 || d.Namespace != "team-ops" {
		t.Errorf("replicas %d namespace %q", *d.Spec.Replicas, d.Namespace)
	}
	if c.Ports[0].ContainerPort != 9090 || c.Ports[1].ContainerPort != 9091 {
		t.Errorf("ports %+v", c.Ports)
	}
	// Helm merges maps into the defaults: the limits stay unless set to null.
	if c.Resources.Requests.Cpu().String() != "10m" || c.Resources.Limits.Cpu().String() != "1" {
		t.Errorf("resources %+v", c.Resources)
	}
	if pod.NodeSelector["kubernetes.io/os"] != "linux" || len(pod.Tolerations) != 1 || pod.Affinity == nil ||
		pod.PriorityClassName != "system-cluster-critical" || len(pod.ImagePullSecrets) != 1 ||
		d.Spec.Template.Annotations["example.com/a"] != "b" {
		t.Errorf("scheduling fields not rendered: %+v", pod)
	}
	// watchNamespaces narrows RBAC to those namespaces (see values.yaml and
	// docs/install.md): no ClusterRole with everything, Roles where the manager works.
	if _, ok := byKind(objs, "ClusterRole")[releaseName+"-manager-role"]; ok {
		t.Error("watchNamespaces still renders the cluster-wide manager ClusterRole")
	}
	for _, r := range one[rbacv1.ClusterRole](t, objs, "ClusterRole", releaseName+"-manager-cluster-role").Rules {
		if slices.Contains(r.Resources, "secrets") {
			t.Errorf("the ClusterRole of a namespaced install grants Secrets: %+v", r)
		}
	}
	for _, ns := range []string{"team-a", "team-b"} {
		rb := byNamespacedKind(objs, "RoleBinding", ns)[releaseName+"-manager-rolebinding"]
		if rb == nil || byNamespacedKind(objs, "Role", ns)[releaseName+"-manager-role"] == nil {
			t.Errorf("no manager Role and RoleBinding in watched namespace %s", ns)
		}
	}
	for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
		for _, o := range objs {
			if o.u.GetKind() != kind {
				continue
			}
			subjects, _, _ := unstructured.NestedSlice(o.u.Object, "subjects")
			for _, sub := range subjects {
				if ns := sub.(map[string]any)["namespace"]; ns != "team-ops" {
					t.Errorf("%s subject in %q, want the release namespace", o.key(), ns)
				}
			}
		}
	}

	// Defaults pass only the flags config/manager passes; the operator's own
	// defaults apply to the rest.
	d = one[appsv1.Deployment](t, parse(t, chartYAML), "Deployment", releaseName+"-controller-manager")
	wantArgs = []string{"--leader-elect", "--metrics-bind-address=:8080", "--health-probe-bind-address=:8081"}
	if diff := cmp.Diff(wantArgs, d.Spec.Template.Spec.Containers[0].Args); diff != "" {
		t.Errorf("default args (-want +got):\n%s", diff)
	}

	// metrics.port=0 disables the endpoint and its port.
	b, err = helmTemplate(namespace, "--set", "metrics.port=0")
	if err != nil {
		t.Fatal(err)
	}
	c = one[appsv1.Deployment](t, parse(t, b), "Deployment", releaseName+"-controller-manager").Spec.Template.Spec.Containers[0]
	if !slices.Contains(c.Args, "--metrics-bind-address=0") || len(c.Ports) != 1 || c.Ports[0].Name != "health" {
		t.Errorf("metrics.port=0: args %v ports %+v", c.Args, c.Ports)
	}

	// Without RBAC and ServiceAccount creation the chart uses the named account.
	b, err = helmTemplate(namespace, "--set", "rbac.create=false", "--set", "serviceAccount.create=false", "--set", "serviceAccount.name=existing")
	if err != nil {
		t.Fatal(err)
	}
	objs = parse(t, b)
	for _, kind := range []string{"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount"} {
		if n := len(byKind(objs, kind)); n != 0 {
			t.Errorf("rbac.create=false serviceAccount.create=false still renders %d %s", n, kind)
		}
	}
	if sa := one[appsv1.Deployment](t, objs, "Deployment", releaseName+"-controller-manager").Spec.Template.Spec.ServiceAccountName; sa != "existing" {
		t.Errorf("serviceAccountName %q, want existing", sa)
	}
	if _, err := helmTemplate(namespace, "--set", "serviceAccount.create=false"); err == nil {
		t.Error("serviceAccount.create=false without serviceAccount.name renders")
	}

	// annotationPolicy.create=false leaves the policy out, and only the policy.
	b, err = helmTemplate(namespace, "--set", "annotationPolicy.create=false")
	if err != nil {
		t.Fatal(err)
	}
	objs = parse(t, b)
	for _, kind := range []string{"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"} {
		if n := len(byKind(objs, kind)); n != 0 {
			t.Errorf("annotationPolicy.create=false still renders %d %s", n, kind)
		}
	}
	if got, want := len(objs), len(parse(t, chartYAML))-2; got != want {
		t.Errorf("annotationPolicy.create=false renders %d objects, want %d", got, want)
	}
}

func TestHelmLint(t *testing.T) {
	for _, args := range [][]string{nil, customValues} {
		cmd := exec.Command(helm, append([]string{"lint", "--strict", chartPath}, args...)...)
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("helm lint --strict %v: %v\n%s", args, err, out)
		}
	}
}
