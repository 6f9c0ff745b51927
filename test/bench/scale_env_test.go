package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// Namespaces and names of BenchmarkScale's objects.
const (
	scaleCeilingNS = "scale-ceiling" // the bare client's objects; not a tenant namespace
	scaleNS        = "scale-a"       // the N users and their Enterprise
	fairNS         = "scale-b"       // the second Enterprise and the user edited for fairness
	scaleEnt       = "acme"
	fairEnt        = "beta"
	fairUser       = "fair"
	scaleLabel     = "bench-scale"
	// managerStopTimeout is how long a SIGTERM'd manager may take to exit.
	managerStopTimeout = 30 * time.Second
)

// scaleConfig is what BenchmarkScale measures at, from the environment.
type scaleConfig struct {
	n           int           // BENCH_N
	concurrency int           // BENCH_CONCURRENCY: --max-concurrent-reconciles and the ceiling's workers
	resync      time.Duration // BENCH_RESYNC: --resync-interval after the restart
	outDir      string        // BENCH_OUT: where scale-results.md and scale-ready.png go
}

func scaleConfigFromEnv() (scaleConfig, error) {
	c := scaleConfig{n: 10000, concurrency: controller.DefaultMaxConcurrentReconciles, resync: 20 * time.Second, outDir: filepath.Join("..", "..", "docs")}
	var err error
	if v := os.Getenv("BENCH_N"); v != "" {
		if c.n, err = strconv.Atoi(v); err != nil || c.n < 1 {
			return c, fmt.Errorf("BENCH_N=%q: want a positive integer", v)
		}
	}
	if v := os.Getenv("BENCH_CONCURRENCY"); v != "" {
		if c.concurrency, err = strconv.Atoi(v); err != nil || c.concurrency < 1 {
			return c, fmt.Errorf("BENCH_CONCURRENCY=%q: want a positive integer", v)
		}
	}
	if v := os.Getenv("BENCH_RESYNC"); v != "" {
		// The operator's per-object minimum is 5s (managed.MinResyncInterval).
		if c.resync, err = time.ParseDuration(v); err != nil || c.resync < 5*time.Second {
			return c, fmt.Errorf("BENCH_RESYNC=%q: want a duration of at least 5s", v)
		}
	}
	if v := os.Getenv("BENCH_OUT"); v != "" {
		c.outDir = v
	}
	return c, nil
}

// phaseTimeout bounds a phase that processes every object once: generous, since the
// machine is shared, but finite so a stuck operator fails the benchmark.
func (c scaleConfig) phaseTimeout() time.Duration {
	return 3*time.Minute + time.Duration(c.n)*100*time.Millisecond
}

// scaleEnv is BenchmarkScale's control plane, simulator and manager process.
type scaleEnv struct {
	cfg        scaleConfig
	ctx        context.Context
	dir        string // logs, kubeconfig, the manager binary
	cp         *testenv.Env
	restCfg    *rest.Config // the manager's identity, unthrottled like the manager
	k8s        client.WithWatch
	platform   *testenv.Platform
	sim        *platformsim.Server
	managerBin string
	kubeconfig string
	metricsURL string
	manager    *testenv.Proc
	// stopped is true once the current manager was asked to stop.
	stopped bool
	starts  int
}

// startScaleEnv builds the manager, starts a control plane and the simulator and
// creates the PlatformConfig; everything is stopped by b.Cleanup.
func startScaleEnv(b *testing.B, cfg scaleConfig) *scaleEnv {
	b.Helper()
	e := &scaleEnv{cfg: cfg, dir: b.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	e.ctx = ctx
	b.Cleanup(func() {
		if err := e.stopManager(); err != nil {
			b.Logf("stopping the manager: %v", err)
		}
		cancel()
		_ = e.platform.Close()
		if err := e.cp.Stop(); err != nil {
			b.Logf("stopping the control plane: %v", err)
		}
	})
	// A go test -timeout panic runs no cleanup, and etcd and kube-apiserver (unlike the
	// manager) do not die with the test binary: stop them shortly before the deadline.
	if d := testTimeout(); d > time.Minute {
		b.Cleanup(testenv.BeforeDeadline(processStart.Add(d), 30*time.Second, func() {
			fmt.Fprintln(os.Stderr, "bench: go test -timeout is near: stopping the manager and the control plane")
			if e.manager != nil {
				e.manager.Kill()
			}
			_ = e.cp.Stop()
		}))
	}

	e.managerBin = filepath.Join(e.dir, "manager")
	build := exec.Command("go", "build", "-o", e.managerBin, "./cmd")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd: %v\n%s", err, out)
	}

	var err error
	if e.cp, err = testenv.Start(ctx, testenv.Options{
		Log: os.Stderr, Kubeconfig: filepath.Join(e.dir, "kubeconfig"), KubeconfigUser: "scale-admin",
	}); err != nil {
		b.Fatal(err)
	}
	e.kubeconfig = e.cp.Kubeconfig
	if e.restCfg, err = clientcmd.BuildConfigFromFlags("", e.kubeconfig); err != nil {
		b.Fatal(err)
	}
	// controller-runtime's GetConfig turns client-side throttling off (QPS -1) for the
	// manager; the bench's clients do the same.
	e.restCfg.QPS = -1
	if e.k8s, err = client.NewWithWatch(e.restCfg, client.Options{Scheme: e.cp.Client.Scheme()}); err != nil {
		b.Fatal(err)
	}

	if e.platform, err = testenv.StartPlatform(ctx, platformOptions()); err != nil {
		b.Fatal(err)
	}
	e.sim = e.platform.Sim
	for _, ns := range []*corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: scaleCeilingNS}},
		{ObjectMeta: metav1.ObjectMeta{Name: scaleNS, Labels: map[string]string{tenantLabelKey: "true"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: fairNS, Labels: map[string]string{tenantLabelKey: "true"}}},
	} {
		if err := e.k8s.Create(ctx, ns); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.platform.Install(ctx, e.k8s); err != nil {
		b.Fatal(err)
	}
	metricsAddr, err := testenv.FreeLoopbackAddr()
	if err != nil {
		b.Fatal(err)
	}
	e.metricsURL = "http://" + metricsAddr + "/metrics"
	return e
}

var processStart = time.Now()

// testTimeout is go test's -timeout (0 when there is none).
func testTimeout() time.Duration {
	f := flag.Lookup("test.timeout")
	if f == nil {
		return 0
	}
	if g, ok := f.Value.(flag.Getter); ok {
		if d, ok := g.Get().(time.Duration); ok {
			return d
		}
	}
	return 0
}

// startManager starts the built manager as a process with the benchmark's
// concurrency and the given extra flags; its log is manager-<n>.log in e.dir.
func (e *scaleEnv) startManager(extra ...string) error {
	if e.manager != nil && !e.stopped {
		return errors.New("the manager is already running")
	}
	e.starts++
	args := append([]string{
		"--metrics-bind-address=" + strings.TrimSuffix(strings.TrimPrefix(e.metricsURL, "http://"), "/metrics"),
		"--health-probe-bind-address=0",
		fmt.Sprintf("--max-concurrent-reconciles=%d", e.cfg.concurrency),
	}, extra...)
	if addr := os.Getenv("BENCH_PPROF"); addr != "" {
		// For a person profiling the manager during a run (docs/scale.md#profiling).
		args = append(args, "--pprof-bind-address="+addr)
	}
	p, err := testenv.StartProc("manager", filepath.Join(e.dir, fmt.Sprintf("manager-%d.log", e.starts)),
		append(os.Environ(), "KUBECONFIG="+e.kubeconfig), e.managerBin, args...)
	if err != nil {
		return err
	}
	e.manager, e.stopped = p, false
	return nil
}

// stopManager sends SIGTERM and waits for the manager to exit.
func (e *scaleEnv) stopManager() error {
	if e.manager == nil || e.stopped {
		return nil
	}
	e.stopped = true
	err := e.manager.Stop(managerStopTimeout)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == -1 {
		err = nil // ended by the signal itself, which is what was asked
	}
	return err
}

// managerCrashed reports a manager that exited without being asked to.
func (e *scaleEnv) managerCrashed() error {
	if e.manager != nil && !e.stopped && e.manager.Exited() {
		if err := e.manager.Err(); err != nil {
			return fmt.Errorf("the manager exited unexpectedly: %w", err)
		}
		return errors.New("the manager exited unexpectedly with status 0")
	}
	return nil
}

// managerTail is the end of the current manager's log, for a failure message.
func (e *scaleEnv) managerTail() string {
	if e.manager == nil {
		return "(no manager started)"
	}
	return fmt.Sprintf("--- last 40 lines of %s ---\n%s", e.manager.LogPath, strings.Join(e.manager.Tail(40), "\n"))
}

// fatalf fails the benchmark with the manager's log tail.
func (e *scaleEnv) fatalf(b *testing.B, format string, args ...any) {
	b.Helper()
	b.Fatalf("%s\n%s", fmt.Sprintf(format, args...), e.managerTail())
}

// waitFor polls cond every poll until it is true, fails, the timeout passes or the
// manager (when one runs) exits.
func (e *scaleEnv) waitFor(timeout, poll time.Duration, cond func() (bool, error)) error {
	return pollUntil(timeout, poll, func() (bool, error) {
		if err := e.managerCrashed(); err != nil {
			return false, err
		}
		return cond()
	})
}

// scrape reads the running manager's metrics.
func (e *scaleEnv) scrape() (testenv.Metrics, error) {
	return testenv.Scrape(e.ctx, e.metricsURL)
}

// warmUp makes both Enterprises and the fairness user Ready with a first manager
// run, then stops it: the measured phases start from a cluster an operator already
// manages.
func (e *scaleEnv) warmUp() error {
	ctx := e.ctx
	for _, x := range []struct{ ns, name string }{{scaleNS, scaleEnt}, {fairNS, fairEnt}} {
		if err := e.k8s.Create(ctx, &v1alpha1.Enterprise{
			ObjectMeta: metav1.ObjectMeta{Namespace: x.ns, Name: x.name},
			Spec: v1alpha1.EnterpriseSpec{
				PlatformConfigRef: v1alpha1.PlatformConfigReference{Name: configName},
				OrganizationID:    testenv.RandHex(16),
				AdminEmail:        x.ns + "-admin@example.com",
			},
		}); err != nil {
			return err
		}
	}
	if err := e.k8s.Create(ctx, newUser(fairNS, fairEnt, fairUser, "fair")); err != nil {
		return err
	}
	if err := e.startManager(); err != nil {
		return err
	}
	err := e.waitFor(2*time.Minute, 100*time.Millisecond, func() (bool, error) {
		for _, obj := range []interface {
			client.Object
			GetManagedStatus() *v1alpha1.ManagedResourceStatus
		}{
			&v1alpha1.Enterprise{ObjectMeta: metav1.ObjectMeta{Namespace: scaleNS, Name: scaleEnt}},
			&v1alpha1.Enterprise{ObjectMeta: metav1.ObjectMeta{Namespace: fairNS, Name: fairEnt}},
			&v1alpha1.EnterpriseUser{ObjectMeta: metav1.ObjectMeta{Namespace: fairNS, Name: fairUser}},
		} {
			if err := e.k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
				return false, err
			}
			if !meta.IsStatusConditionTrue(obj.GetManagedStatus().Conditions, v1alpha1.ConditionReady) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("Enterprises and the fairness user not Ready: %w", err)
	}
	return e.stopManager()
}

// newUser is an EnterpriseUser with a distinct email and no passwordSecretRef.
func newUser(ns, enterprise, name, key string) *v1alpha1.EnterpriseUser {
	return &v1alpha1.EnterpriseUser{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{scaleLabel: "true"}},
		Spec: v1alpha1.EnterpriseUserSpec{
			EnterpriseRef: v1alpha1.LocalObjectReference{Name: enterprise},
			Username:      key,
			Email:         key + "@example.com",
			FirstName:     "Bench",
			LastName:      "User " + key,
			Title:         "Engineer",
			Department:    "Scale",
		},
	}
}
