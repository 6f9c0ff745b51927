package rbac

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller"
	"enterprise-operator/internal/platform"
	"enterprise-operator/test/testenv"
)

// ---- the run ----

type scenario struct {
	cp         *controlPlane
	tenant     string
	operatorNS string
	namespaced bool

	platform   *testenv.Platform
	config     string // the sample PlatformConfig's name
	cancel     context.CancelFunc
	managerErr chan error
}

// startSimulator starts the platform for a PlatformConfig named like the sample's;
// run creates that PlatformConfig and its token Secret.
func (s *scenario) startSimulator(t *testing.T) {
	t.Helper()
	p, err := testenv.StartPlatform(s.cp.ctx, testenv.PlatformOptions{
		Namespace: s.operatorNS,
		Config: v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: s.config},
			Spec: v1alpha1.PlatformConfigSpec{
				RateLimit:         v1alpha1.RateLimit{RequestsPerSecond: 100, Burst: 100},
				NamespaceSelector: &v1alpha1.LabelSelector{MatchLabels: map[string]v1alpha1.LabelValue{tenantLabel: "true"}},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	s.platform = p
}

// startManager starts the manager the way cmd/main.go does (its cache options, every
// controller, leader election), with short intervals so the run reaches every path.
func (s *scenario) startManager(t *testing.T, cfg *rest.Config, watch []string) {
	t.Helper()
	managerLog.Reset()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controller.CacheOptions(watch),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Each install's run starts a manager in this process, with the same controllers.
		Controller:              config.Controller{SkipNameValidation: ptr(true)},
		LeaderElection:          true,
		LeaderElectionID:        leaderElectionID,
		LeaderElectionNamespace: s.operatorNS,
		// Renewals (updates of the Lease) every half second.
		LeaseDuration: ptr(4 * time.Second),
		RenewDeadline: ptr(3 * time.Second),
		RetryPeriod:   ptr(500 * time.Millisecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(s.cp.ctx)
	if err := controller.SetupWithManager(ctx, mgr, controller.Options{
		ResyncInterval: 2 * time.Second,
		// The refused PlatformConfig is checked again every second: its repeated event
		// is patched into a series.
		CredentialCheckInterval: time.Second,
		MaxConcurrentReconciles: 4,
		UserAgent:               "enterprise-operator/rbac-test",
		RetryBaseDelay:          100 * time.Millisecond,
		RetryMaxDelay:           time.Second,
		// A repeated warning is recorded again after a millisecond instead of minutes.
		WarningWindow: time.Millisecond,
		NewPlatformClient: func(c platform.Config) (platform.Client, error) {
			c.RetryBackoff, c.MaxRetryBackoff = 10*time.Millisecond, 50*time.Millisecond
			return platform.New(c)
		},
	}); err != nil {
		cancel()
		t.Fatal(err)
	}
	s.cancel = cancel
	s.managerErr = make(chan error, 1)
	go func() { s.managerErr <- mgr.Start(ctx) }()
	t.Cleanup(cancel)
}

func (s *scenario) stopManager(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.managerErr:
		if err != nil {
			t.Errorf("the manager stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the manager did not stop within 30s")
	}
}
