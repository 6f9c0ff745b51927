package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

const (
	configName = "sim"
	operatorNS = "enterprise-operator-system"
	// benchResync is the manager's resync interval; resyncs are jittered by up to
	// 20% (internal/controller/managed/resync.go).
	benchResync    = 2 * time.Second
	resyncJitter   = 0.2
	readyTimeout   = 3 * time.Minute
	pollInterval   = 50 * time.Millisecond
	tenantLabelKey = "tenant"
)

// benchEnv is the shared control plane, simulator and manager.
type benchEnv struct {
	cp       *testenv.Env
	k8s      client.WithWatch // uncached
	platform *testenv.Platform
	sim      *platformsim.Server
	ctx      context.Context
	cancel   context.CancelFunc
	mgrDone  chan error
}

var (
	envOnce sync.Once
	env     *benchEnv
	envErr  error
)

// TestMain starts nothing: it only stops what a benchmark started.
func TestMain(m *testing.M) {
	code := m.Run()
	if env != nil {
		if err := env.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "bench: stopping the environment:", err)
		}
	}
	os.Exit(code)
}

// getEnv starts the environment on first use.
func getEnv(b *testing.B) *benchEnv {
	b.Helper()
	envOnce.Do(func() { env, envErr = startEnv() })
	if envErr != nil {
		b.Fatalf("starting the bench environment: %v", envErr)
	}
	return env
}

// platformOptions is the simulator and PlatformConfig every benchmark uses.
func platformOptions() testenv.PlatformOptions {
	return testenv.PlatformOptions{
		Namespace: operatorNS,
		Config: v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: configName},
			Spec: v1alpha1.PlatformConfigSpec{
				// The maximum the API allows: measure the operator, not the token bucket.
				RateLimit:         v1alpha1.RateLimit{RequestsPerSecond: 1000, Burst: 10000},
				NamespaceSelector: &v1alpha1.LabelSelector{MatchLabels: map[string]v1alpha1.LabelValue{tenantLabelKey: "true"}},
			},
		},
	}
}

func startEnv() (_ *benchEnv, err error) {
	ctrl.SetLogger(logr.Discard())
	e := &benchEnv{mgrDone: make(chan error, 1)}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			err = errors.Join(err, e.stop())
		}
	}()

	if e.cp, err = testenv.Start(e.ctx, testenv.Options{Log: os.Stderr}); err != nil {
		return nil, err
	}
	cfg := e.cp.Config
	// Let the benchmark client and the manager create hundreds of objects without
	// client-side throttling.
	cfg.QPS, cfg.Burst = 1000, 2000
	e.k8s = e.cp.Client

	if e.platform, err = testenv.StartPlatform(e.ctx, platformOptions()); err != nil {
		return nil, err
	}
	e.sim = e.platform.Sim

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 e.k8s.Scheme(),
		Cache:                  controller.CacheOptions(nil),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return nil, err
	}
	if err := controller.SetupWithManager(e.ctx, mgr, controller.Options{
		ResyncInterval: benchResync,
		// Keep credential checks out of the measured windows.
		CredentialCheckInterval: time.Hour,
		MaxConcurrentReconciles: 4,
		UserAgent:               "enterprise-operator/bench",
		RetryBaseDelay:          100 * time.Millisecond,
		RetryMaxDelay:           2 * time.Second,
	}); err != nil {
		return nil, err
	}
	go func() { e.mgrDone <- mgr.Start(e.ctx) }()

	ctx := e.ctx
	pc, err := e.platform.Install(ctx, e.k8s)
	if err != nil {
		return nil, err
	}
	if err := e.waitFor(time.Minute, func() (bool, error) {
		if err := e.k8s.Get(ctx, client.ObjectKeyFromObject(pc), pc); err != nil {
			return false, err
		}
		return meta.IsStatusConditionTrue(pc.Status.Conditions, v1alpha1.ConditionReady), nil
	}); err != nil {
		return nil, fmt.Errorf("PlatformConfig not Ready: %w", err)
	}
	return e, nil
}

func (e *benchEnv) stop() error {
	var errs []error
	if e.cancel != nil {
		e.cancel()
	}
	select {
	case err := <-e.mgrDone:
		if err != nil {
			errs = append(errs, fmt.Errorf("manager: %w", err))
		}
	case <-time.After(30 * time.Second):
		errs = append(errs, errors.New("manager did not stop within 30s"))
	}
	errs = append(errs, e.platform.Close(), e.cp.Stop())
	return errors.Join(errs...)
}

// waitFor polls cond until it is true, fails or the timeout passes.
func (e *benchEnv) waitFor(timeout time.Duration, cond func() (bool, error)) error {
	return pollUntil(timeout, pollInterval, cond)
}

// pollUntil runs cond every poll (first at once) until it is true or fails, or the
// timeout passes.
func pollUntil(timeout, poll time.Duration, cond func() (bool, error)) error {
	err := wait.PollUntilContextTimeout(context.Background(), poll, timeout, true,
		func(context.Context) (bool, error) { return cond() })
	if wait.Interrupted(err) {
		return fmt.Errorf("timed out after %s", timeout)
	}
	return err
}

// readyEnterprise creates a tenant namespace with one Ready Enterprise in it and
// returns the namespace and the Enterprise's name.
func (e *benchEnv) readyEnterprise(b *testing.B) (string, string) {
	b.Helper()
	ctx := e.ctx
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "bench-", Labels: map[string]string{tenantLabelKey: "true"},
	}}
	if err := e.k8s.Create(ctx, ns); err != nil {
		b.Fatal(err)
	}
	ent := &v1alpha1.Enterprise{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "acme"},
		Spec: v1alpha1.EnterpriseSpec{
			PlatformConfigRef: v1alpha1.PlatformConfigReference{Name: configName},
			OrganizationID:    testenv.RandHex(16),
			AdminEmail:        ns.Name + "-admin@example.com",
		},
	}
	if err := e.k8s.Create(ctx, ent); err != nil {
		b.Fatal(err)
	}
	if err := e.waitFor(time.Minute, func() (bool, error) {
		if err := e.k8s.Get(ctx, client.ObjectKeyFromObject(ent), ent); err != nil {
			return false, err
		}
		return isReady(ent), nil
	}); err != nil {
		b.Fatalf("Enterprise %s/%s not Ready: %v", ns.Name, ent.Name, err)
	}
	return ns.Name, ent.Name
}

// createRoles creates n EnterpriseRoles labelled batch=<batch> under enterprise
// in ns, from a few goroutines, with the given annotations.
func (e *benchEnv) createRoles(ns, enterprise, batch string, n int, annotations map[string]string) error {
	const workers = 8
	idx := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range idx {
				name := fmt.Sprintf("%s-%d", batch, i)
				r := &v1alpha1.EnterpriseRole{
					ObjectMeta: metav1.ObjectMeta{
						Namespace: ns, Name: name, Labels: map[string]string{"batch": batch}, Annotations: annotations,
					},
					Spec: v1alpha1.EnterpriseRoleSpec{
						EnterpriseRef: v1alpha1.LocalObjectReference{Name: enterprise},
						Name:          name, Description: "bench role " + name, Permissions: []string{"users:read"},
					},
				}
				if err := e.k8s.Create(e.ctx, r); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case idx <- i:
		case err = <-errs:
			break feed
		}
	}
	close(idx)
	wg.Wait()
	close(errs)
	for e := range errs {
		err = errors.Join(err, e)
	}
	return err
}

// waitRolesReady waits until every role matching opts is Ready and there are want of them.
func (e *benchEnv) waitRolesReady(want int, opts ...client.ListOption) error {
	var ready, total int
	err := e.waitFor(readyTimeout, func() (bool, error) {
		var list v1alpha1.EnterpriseRoleList
		if err := e.k8s.List(e.ctx, &list, opts...); err != nil {
			return false, err
		}
		ready, total = 0, len(list.Items)
		for i := range list.Items {
			if isReady(&list.Items[i]) {
				ready++
			}
		}
		return total >= want && ready == total, nil
	})
	if err != nil {
		return fmt.Errorf("%d of %d roles Ready (want %d): %w", ready, total, want, err)
	}
	return nil
}

func isReady(obj interface {
	GetManagedStatus() *v1alpha1.ManagedResourceStatus
},
) bool {
	return meta.IsStatusConditionTrue(obj.GetManagedStatus().Conditions, v1alpha1.ConditionReady)
}

// writeCalls sums the simulator's calls of operations that are not reads.
func writeCalls(calls map[string]int) int {
	n := 0
	for op, c := range calls {
		if op == "total" || strings.HasPrefix(op, "get") || strings.HasPrefix(op, "list") || strings.HasPrefix(op, "search") {
			continue
		}
		n += c
	}
	return n
}
