package rbac

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/test/testenv"
)

// ---- the control plane ----

// The audit policy logs every request with its metadata (who, verb, resource,
// namespace, response code), never a body.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
`

type controlPlane struct {
	ctx      context.Context
	root     string // the repository's
	cfg      *rest.Config
	admin    client.Client
	auditLog string
}

func startControlPlane(t *testing.T) *controlPlane {
	t.Helper()
	dir := t.TempDir()
	cp := &controlPlane{ctx: t.Context(), auditLog: filepath.Join(dir, "audit.log")}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := testenv.Start(cp.ctx, testenv.Options{
		Log:              os.Stderr,
		APIServerFlags:   map[string]string{"audit-policy-file": policy, "audit-log-path": cp.auditLog},
		AdmissionPlugins: []string{"OwnerReferencesPermissionEnforcement"},
	})
	if err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	cp.root, cp.cfg, cp.admin = env.Root, env.Config, env.Client
	return cp
}

func (cp *controlPlane) ensureNamespace(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if err := cp.admin.Create(cp.ctx, ns); client.IgnoreAlreadyExists(err) != nil {
		t.Fatal(err)
	}
}

// tokenConfig is a rest.Config that authenticates as the ServiceAccount with a token
// from the TokenRequest API, as a pod's projected token would.
func (cp *controlPlane) tokenConfig(t *testing.T, ns, name string) *rest.Config {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cp.cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(cp.ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr(int64(3600))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenRequest for %s/%s: %v", ns, name, err)
	}
	cfg := rest.AnonymousClientConfig(cp.cfg)
	cfg.BearerToken = tr.Status.Token
	return cfg
}

func ptr[T any](v T) *T { return &v }
