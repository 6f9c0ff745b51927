package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"enterprise-operator/api/v1alpha1"
)

const (
	errStartControlPlane = "starting kube-apiserver and etcd from %s: %w"
	errCreatePolicy      = "creating %s %s: %w"
	errNoControlPlane    = "no control plane"
)

const (
	// crdDir holds the CRDs `make manifests` generates, relative to the repository root.
	crdDir = "config/crd/bases"
	// defaultKubeconfigUser is the user of Options.Kubeconfig when none is named.
	defaultKubeconfigUser = "admin"
)

// Options say what a control plane starts with. The zero value is kube-apiserver and
// etcd with the repository's CRDs.
type Options struct {
	// Assets is the directory of kube-apiserver, etcd and kubectl when the caller
	// has looked it up already (AssetsDir); empty looks it up.
	Assets string
	// Log receives hack/setup-envtest.sh's progress while it builds the binaries;
	// nil discards it.
	Log io.Writer
	// NoCRDs leaves the CRDs out, for a suite that installs them itself (from a
	// rendered install, say).
	NoCRDs bool
	// AnnotationPolicy creates the annotation ValidatingAdmissionPolicy and its binding
	// that config/default renders (Env.Policy). The API server enforces them a moment
	// later; a suite that needs them in force waits with a probe of its own.
	AnnotationPolicy bool
	// APIServerFlags are set on kube-apiserver (audit-log-path, say), replacing
	// envtest's value of the same flag.
	APIServerFlags map[string]string
	// AdmissionPlugins are enabled on kube-apiserver besides its defaults.
	AdmissionPlugins []string
	// Kubeconfig, when set, is where a kubeconfig for a system:masters user named
	// KubeconfigUser ("admin" if empty) is written, for processes and kubectl.
	Kubeconfig     string
	KubeconfigUser string
}

// Env is a running control plane: etcd and kube-apiserver from Assets, with what
// Options asked for. Stop it when done.
type Env struct {
	// Root is the repository root.
	Root string
	// Assets is the directory of kube-apiserver, etcd and kubectl (AssetsDir).
	Assets string
	// Kubectl is the kubectl of Assets.
	Kubectl string
	// Config reaches the API server as a cluster admin.
	Config *rest.Config
	// Client is an uncached client with the built-in kinds and the operator's.
	Client client.WithWatch
	// Kubeconfig is the path of the kubeconfig written, if Options asked for one.
	Kubeconfig string
	// Policy are the annotation policy objects created, if Options asked for them.
	Policy []*unstructured.Unstructured

	cp       *envtest.Environment
	stopOnce sync.Once
	stopErr  error
}

// Start starts etcd and kube-apiserver from the binaries AssetsDir finds, with the
// repository's CRDs unless opts.NoCRDs, and what else opts asks for. On an error
// nothing is left running.
func Start(ctx context.Context, opts Options) (_ *Env, err error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	assets := opts.Assets
	if assets == "" {
		if assets, err = AssetsDir(ctx, root, opts.Log); err != nil {
			return nil, err
		}
	}
	cp := &envtest.Environment{BinaryAssetsDirectory: assets}
	// Named one by one, or envtest would prefer KUBEBUILDER_ASSETS to the directory
	// it was given: the control plane is always what Env.Assets says.
	cp.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(assets, "etcd")}
	cp.ControlPlane.GetAPIServer().Path = filepath.Join(assets, "kube-apiserver")
	cp.ControlPlane.KubectlPath = filepath.Join(assets, "kubectl")
	if !opts.NoCRDs {
		cp.CRDDirectoryPaths = []string{filepath.Join(root, filepath.FromSlash(crdDir))}
		cp.ErrorIfCRDPathMissing = true
	}
	flags := cp.ControlPlane.GetAPIServer().Configure()
	for k, v := range opts.APIServerFlags {
		flags.Set(k, v)
	}
	for _, p := range opts.AdmissionPlugins {
		flags.Append("enable-admission-plugins", p)
	}
	e := &Env{Root: root, Assets: assets, Kubectl: cp.ControlPlane.KubectlPath, cp: cp}
	cfg, err := cp.Start()
	if err != nil {
		// envtest may have started etcd before the API server failed.
		return nil, errors.Join(fmt.Errorf(errStartControlPlane, assets, err), cp.Stop())
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Stop())
		}
	}()
	e.Config = cfg
	scheme, err := NewScheme()
	if err != nil {
		return nil, err
	}
	if e.Client, err = client.NewWithWatch(cfg, client.Options{Scheme: scheme}); err != nil {
		return nil, err
	}
	if opts.Kubeconfig != "" {
		user := opts.KubeconfigUser
		if user == "" {
			user = defaultKubeconfigUser
		}
		if err := e.WriteKubeconfig(user, opts.Kubeconfig); err != nil {
			return nil, err
		}
		e.Kubeconfig = opts.Kubeconfig
	}
	if opts.AnnotationPolicy {
		if e.Policy, err = AnnotationPolicy(ctx, e.Kubectl, root); err != nil {
			return nil, err
		}
		for _, u := range e.Policy {
			if err := e.Client.Create(ctx, u); err != nil {
				return nil, fmt.Errorf(errCreatePolicy, u.GetKind(), u.GetName(), err)
			}
		}
	}
	return e, nil
}

// NewScheme holds the built-in kinds and the operator's: what every suite's clients
// and managers read and write.
func NewScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// WriteKubeconfig adds a system:masters user named name to the control plane and
// writes a kubeconfig for it to path (mode 0600), creating path's directory.
func (e *Env) WriteKubeconfig(name, path string) error {
	if e == nil || e.cp == nil {
		return errors.New(errNoControlPlane)
	}
	user, err := e.cp.AddUser(envtest.User{Name: name, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, kc, 0o600)
}

// Stop stops kube-apiserver and etcd and removes their temporary directories. It
// may be called more than once and from more than one goroutine (a cleanup and a
// deadline watchdog); the first call stops, the others return its result.
func (e *Env) Stop() error {
	if e == nil {
		return nil
	}
	e.stopOnce.Do(func() { e.stopErr = e.cp.Stop() })
	return e.stopErr
}
