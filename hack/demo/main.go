// Command demo runs the operator locally: a real etcd + kube-apiserver (envtest, built
// from source by hack/setup-envtest.sh), the platform simulator and the manager, then
// applies config/samples and waits until every sample is Ready. Ctrl-C stops every
// process it started. Run it with `make demo` (see docs/demo.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/test/testenv"
)

const (
	// simAddr is where the PlatformConfig sample expects the platform (spec.baseURL).
	simAddr  = "127.0.0.1:8089"
	simToken = "demo-token"
	demoNS   = "demo"
	systemNS = "enterprise-operator-system"

	samplesDir        = "config/samples"
	platformConfigYML = samplesDir + "/platform_v1alpha1_platformconfig.yaml"
	webhookYML        = samplesDir + "/platform_v1alpha1_webhook.yaml"

	outDir = "bin/demo"
)

type options struct {
	exitAfterReady bool
	timeout        time.Duration
	resync         time.Duration
}

func main() {
	var o options
	flag.BoolVar(&o.exitAfterReady, "exit-after-ready", envBool("DEMO_EXIT_AFTER_READY"),
		"exit (and clean up) as soon as every sample is Ready; env DEMO_EXIT_AFTER_READY=1")
	flag.DurationVar(&o.timeout, "timeout", envDuration("DEMO_TIMEOUT", 3*time.Minute),
		"fail if the samples are not all Ready within this time; env DEMO_TIMEOUT")
	flag.DurationVar(&o.resync, "resync-interval", 10*time.Second, "the manager's --resync-interval")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	d := &demo{opts: o}
	err := d.run(ctx)
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "\ndemo: interrupted; stopping everything")
	}
	d.cleanup()
	switch {
	case ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, errInterrupted)):
		fmt.Fprintln(os.Stderr, "demo: stopped")
	case err != nil:
		fmt.Fprintf(os.Stderr, "\ndemo: FAILED: %v\n", err)
		os.Exit(1)
	}
}

type demo struct {
	opts       options
	root       string
	assets     string
	kubectl    string
	kubeconfig string

	env      *testenv.Env
	c        client.Client
	sim      *testenv.Proc
	manager  *testenv.Proc
	cleanups []func()
	start    time.Time
}

func (d *demo) step(format string, args ...any) {
	fmt.Printf("==> "+format+"\n", args...)
}

func (d *demo) onCleanup(f func()) { d.cleanups = append(d.cleanups, f) }

// cleanup undoes everything in reverse order: manager, simulator, control plane.
func (d *demo) cleanup() {
	for i := len(d.cleanups) - 1; i >= 0; i-- {
		d.cleanups[i]()
	}
	d.cleanups = nil
}

func (d *demo) run(ctx context.Context) error {
	d.start = time.Now()
	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	d.root = root
	if err := os.Chdir(root); err != nil {
		return err
	}
	pidFile := filepath.Join(outDir, "pids")

	// 1. Preconditions: nothing left from an earlier, killed run; the simulator's port is free.
	stopStale(pidFile)
	if err := checkPortFree(simAddr, "platform simulator; the PlatformConfig sample's spec.baseURL points there"); err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}

	// 2. Binaries.
	d.step("control plane binaries (hack/setup-envtest.sh; builds them from source on first use, ~7 min)")
	// The demo runs what this checkout's script builds, whatever a shell exported.
	_ = os.Unsetenv(testenv.EnvAssets)
	if d.assets, err = testenv.AssetsDir(ctx, root, os.Stderr); err != nil {
		return err
	}
	d.kubectl = filepath.Join(d.assets, "kubectl")
	fmt.Printf("    %s\n", rel(d.assets))
	for _, b := range []struct{ out, pkg string }{{"bin/manager", "./cmd"}, {"bin/platform-sim", "./cmd/platform-sim"}} {
		d.step("go build -o %s %s", b.out, b.pkg)
		if err := testenv.Run(ctx, root, os.Stdout, os.Stderr, "go", "build", "-o", b.out, b.pkg); err != nil {
			return fmt.Errorf("building %s from %s failed (see the compiler output above): %w", b.out, b.pkg, err)
		}
	}

	// 3. Control plane.
	d.step("starting etcd + kube-apiserver and installing the CRDs from config/crd/bases")
	if d.env, err = testenv.Start(ctx, testenv.Options{
		Assets: d.assets, Kubeconfig: filepath.Join(outDir, "kubeconfig"), KubeconfigUser: "demo",
	}); err != nil {
		return fmt.Errorf("starting the control plane: %w", err)
	}
	d.onCleanup(func() {
		fmt.Println("demo: stopping kube-apiserver and etcd")
		if err := d.env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "demo: stopping the control plane: %v\n", err)
		}
		_ = os.Remove(pidFile)
	})
	_ = writePIDs(pidFile, testenv.Children(os.Getpid()))
	if ctx.Err() != nil {
		return errInterrupted
	}
	d.kubeconfig = d.env.Kubeconfig
	fmt.Printf("    kube-apiserver %s; kubeconfig %s\n", d.env.Config.Host, d.kubeconfig)
	d.c = d.env.Client

	// 4. Simulator.
	if err := d.startSimulator(ctx); err != nil {
		return err
	}
	_ = writePIDs(pidFile, testenv.Children(os.Getpid()))

	// 5. Namespaces and Secrets.
	if err := d.createPrerequisites(ctx); err != nil {
		return err
	}

	// 6. Manager.
	d.step("starting the manager (bin/manager, log %s/manager.log)", outDir)
	env := append(os.Environ(), "KUBECONFIG="+filepath.Join(root, d.kubeconfig))
	d.manager, err = testenv.StartProc("manager", filepath.Join(outDir, "manager.log"), env, "bin/manager",
		"--metrics-bind-address=0", "--health-probe-bind-address=0",
		"--resync-interval="+d.opts.resync.String(), "--zap-encoder=console")
	if err != nil {
		return err
	}
	d.onCleanup(func() {
		fmt.Println("demo: stopping the manager")
		stop(d.manager, 15*time.Second)
	})
	_ = writePIDs(pidFile, testenv.Children(os.Getpid()))

	// 7. Samples.
	d.step("kubectl apply -k %s -n %s", samplesDir, demoNS)
	if err := testenv.Run(ctx, root, os.Stdout, os.Stderr, d.kubectl, "apply", "-k", samplesDir, "-n", demoNS, "--kubeconfig", d.kubeconfig); err != nil {
		return fmt.Errorf("kubectl apply -k %s failed: %w", samplesDir, err)
	}

	// 8 + 9. Wait, publishing the Domain's DNS record on the way.
	d.step("waiting for every sample to become Ready (timeout %s)", d.opts.timeout)
	if err := d.waitReady(ctx); err != nil {
		return err
	}
	if err := d.printSummary(ctx); err != nil {
		return err
	}
	if d.opts.exitAfterReady {
		fmt.Println("demo: every sample is Ready; exiting (--exit-after-ready)")
		return nil
	}

	// 10. Keep running until interrupted, watching the children.
	fmt.Println("Press Ctrl-C to stop the manager, the simulator, kube-apiserver and etcd.")
	select {
	case <-ctx.Done():
		return errInterrupted
	case <-d.manager.Done():
		printTail(d.manager.LogPath, 30)
		return d.manager.Crashed()
	case <-d.sim.Done():
		printTail(d.sim.LogPath, 30)
		return d.sim.Crashed()
	}
}

func envBool(name string) bool {
	switch strings.ToLower(os.Getenv(name)) {
	case "1", "true", "yes", "y", "on":
		return true
	}
	return false
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		fmt.Fprintf(os.Stderr, "demo: ignoring %s=%q: not a duration\n", name, v)
	}
	return def
}
