// Command demo runs the operator locally: a real etcd + kube-apiserver (envtest, built
// from source by hack/setup-envtest.sh), the platform simulator and the manager, then
// applies config/samples and waits until every sample is Ready. Ctrl-C stops every
// process it started. Run it with `make demo` (see docs/demo.md).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"enterprise-operator/api/v1alpha1"
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

// kinds are the operator's kinds, in dependency order; all are in the
// enterprise-operator category.
var kinds = []struct {
	kind       string
	namespaced bool
}{
	{"PlatformConfig", false},
	{"Enterprise", true},
	{"EnterpriseRole", true},
	{"EnterpriseUser", true},
	{"UserGroup", true},
	{"Domain", true},
	{"Webhook", true},
}

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

func (d *demo) startSimulator(ctx context.Context) error {
	logPath := filepath.Join(outDir, "platform-sim.log")
	d.step("starting the platform simulator on http://%s (bin/platform-sim, log %s)", simAddr, logPath)
	var err error
	d.sim, err = testenv.StartProc("platform-sim", logPath, os.Environ(), "bin/platform-sim",
		"--addr="+simAddr, "--dns-addr=127.0.0.1:0", "--token="+simToken)
	if err != nil {
		return err
	}
	d.onCleanup(func() {
		fmt.Println("demo: stopping the platform simulator")
		stop(d.sim, 10*time.Second)
	})
	if _, err := testenv.WaitSimulator(ctx, d.sim, 30*time.Second); err != nil {
		return err
	}
	// The token it accepts is the one we passed; confirm from its banner.
	for _, l := range d.sim.Tail(50) {
		if v, ok := strings.CutPrefix(l, "static bearer token: "); ok && strings.TrimSpace(v) != simToken {
			return fmt.Errorf("the simulator accepts the static token %q, not %q", v, simToken)
		}
		if strings.HasPrefix(l, "embedded DNS server on ") {
			fmt.Println("    " + l)
		}
	}
	return nil
}

func (d *demo) createPrerequisites(ctx context.Context) error {
	var pc v1alpha1.PlatformConfig
	if err := readYAML(platformConfigYML, &pc); err != nil {
		return err
	}
	var wh v1alpha1.Webhook
	if err := readYAML(webhookYML, &wh); err != nil {
		return err
	}

	// The demo namespace, labelled so the PlatformConfig's namespaceSelector matches.
	labels := map[string]string{"enterprise-operator.dev/demo": "true"}
	if sel := pc.Spec.NamespaceSelector; sel != nil {
		if len(sel.MatchExpressions) > 0 {
			fmt.Printf("    note: %s has namespaceSelector.matchExpressions; only matchLabels are applied to namespace %s\n", platformConfigYML, demoNS)
		}
		for k, v := range sel.MatchLabels {
			labels[k] = string(v)
		}
	}
	d.step("creating namespaces %s and %s (labels %v)", systemNS, demoNS, labels)
	for _, ns := range []*corev1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: systemNS}},
		{ObjectMeta: metav1.ObjectMeta{Name: demoNS, Labels: labels}},
	} {
		if err := d.c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating namespace %s: %w", ns.Name, err)
		}
	}

	// Every Secret is labelled platform.enterprise-operator.dev/secret=true: the
	// operator sends a signing Secret to the platform only with it, and follows a
	// labelled token Secret's rotations at once.
	optIn := map[string]string{v1alpha1.LabelSecret: v1alpha1.LabelSecretOptIn}
	secrets := []*corev1.Secret{}
	if bt := pc.Spec.Auth.BearerToken; bt != nil {
		ref := bt.TokenSecretRef
		secrets = append(secrets, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name, Labels: optIn},
			StringData: map[string]string{ref.Key: simToken},
		})
	} else {
		return fmt.Errorf("%s has no spec.auth.bearerToken; the demo only knows how to provide a bearer token", platformConfigYML)
	}
	if ref := wh.Spec.SigningSecretRef; ref.Name != "" {
		key := ref.Key
		if key == "" {
			key = "secret"
		}
		secrets = append(secrets, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: demoNS, Name: ref.Name, Labels: optIn},
			StringData: map[string]string{key: testenv.RandHex(24)},
		})
	}
	for _, s := range secrets {
		fmt.Printf("    secret %s/%s (key %s)\n", s.Namespace, s.Name, keys(s.StringData))
		if err := d.c.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating secret %s/%s: %w", s.Namespace, s.Name, err)
		}
	}
	return nil
}

// objState is one sample's Ready condition.
type objState struct {
	id      string // Kind namespace/name
	name    string
	ready   bool
	reason  string
	message string
}

func (d *demo) listObjects(ctx context.Context) ([]unstructured.Unstructured, error) {
	var all []unstructured.Unstructured
	for _, k := range kinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind(k.kind + "List"))
		var opts []client.ListOption
		if k.namespaced {
			opts = append(opts, client.InNamespace(demoNS))
		}
		if err := d.c.List(ctx, l, opts...); err != nil {
			return nil, fmt.Errorf("listing %s: %w", k.kind, err)
		}
		for _, o := range l.Items {
			if o.GetKind() == "" {
				o.SetKind(k.kind)
			}
			all = append(all, o)
		}
	}
	return all, nil
}

func stateOf(o unstructured.Unstructured) objState {
	id := o.GetKind() + " " + o.GetName()
	if o.GetNamespace() != "" {
		id = o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
	}
	s := objState{id: id, name: o.GetName(), reason: "NoReadyCondition", message: "the operator has not reported a Ready condition yet"}
	conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != v1alpha1.ConditionReady {
			continue
		}
		s.reason, _ = m["reason"].(string)
		s.message, _ = m["message"].(string)
		og, _, _ := unstructured.NestedInt64(m, "observedGeneration")
		s.ready = m["status"] == string(metav1.ConditionTrue) && (og == 0 || og == o.GetGeneration())
		if m["status"] == string(metav1.ConditionTrue) && !s.ready {
			s.reason, s.message = "Stale", fmt.Sprintf("Ready is for generation %d, the object is at %d", og, o.GetGeneration())
		}
	}
	return s
}

func (d *demo) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(d.opts.timeout)
	announced := map[string]bool{}
	published := map[string]string{} // domain id → record value published
	var lastReport time.Time
	for {
		objs, err := d.listObjects(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return err
		}
		if len(objs) == 0 {
			return fmt.Errorf("no objects found after applying %s", samplesDir)
		}
		var waiting []objState
		for _, o := range objs {
			s := stateOf(o)
			if o.GetKind() == "Domain" {
				if err := d.publishDomainRecord(ctx, o, published); err != nil {
					return err
				}
			}
			if s.ready {
				if !announced[s.id] {
					announced[s.id] = true
					fmt.Printf("  [%5s] ✓ %s is Ready (%s)\n", d.elapsed(), s.id, s.reason)
				}
				continue
			}
			waiting = append(waiting, s)
		}
		if len(waiting) == 0 {
			fmt.Printf("  [%5s] all %d objects are Ready\n", d.elapsed(), len(objs))
			return nil
		}
		if time.Since(lastReport) >= 5*time.Second {
			lastReport = time.Now()
			fmt.Printf("  [%5s] waiting for %d of %d:\n", d.elapsed(), len(waiting), len(objs))
			for _, s := range waiting {
				fmt.Printf("            - %s: %s: %s\n", s.id, s.reason, s.message)
			}
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "\ndemo: timed out after %s; %d of %d objects are not Ready:\n", d.opts.timeout, len(waiting), len(objs))
			for _, s := range waiting {
				fmt.Fprintf(os.Stderr, "  - %s: Ready reason %s: %s\n", s.id, s.reason, s.message)
			}
			for _, s := range waiting {
				if lines := grepLines(d.manager.LogPath, s.name, 10); len(lines) > 0 {
					fmt.Fprintf(os.Stderr, "--- manager log lines about %s (last %d) ---\n", s.id, len(lines))
					for _, l := range lines {
						fmt.Fprintln(os.Stderr, "  "+l)
					}
				}
			}
			printTail(d.manager.LogPath, 40)
			return fmt.Errorf("not every sample became Ready within %s (logs: %s/manager.log, %s/platform-sim.log)", d.opts.timeout, outDir, outDir)
		}
		for _, p := range []*testenv.Proc{d.manager, d.sim} {
			if err := p.Crashed(); err != nil {
				printTail(p.LogPath, 30)
				return err
			}
		}
		if err := sleep(ctx, time.Second); err != nil {
			return errInterrupted
		}
	}
}

// publishDomainRecord publishes the TXT record a Domain asks for (status.record) on
// the simulator's DNS server through its admin endpoint, then asks the operator for
// an immediate re-check with the recheck annotation.
func (d *demo) publishDomainRecord(ctx context.Context, o unstructured.Unstructured, published map[string]string) error {
	name, _, _ := unstructured.NestedString(o.Object, "status", "record", "name")
	value, _, _ := unstructured.NestedString(o.Object, "status", "record", "value")
	state, _, _ := unstructured.NestedString(o.Object, "status", "verificationState")
	key := o.GetNamespace() + "/" + o.GetName()
	if name == "" || value == "" || state == string(v1alpha1.DomainVerificationVerified) || published[key] == name+"="+value {
		return nil
	}
	body, _ := json.Marshal(map[string]any{"name": name, "values": []string{value}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+simAddr+"/admin/dns", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("publishing the DNS record of Domain %s: %w", key, err)
	}
	msg, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("publishing the DNS record of Domain %s: POST /admin/dns: %s: %s", key, resp.Status, strings.TrimSpace(string(msg)))
	}
	published[key] = name + "=" + value
	fmt.Printf("  [%5s] published TXT %s = %q on the simulator's DNS server (POST /admin/dns)\n", d.elapsed(), name, value)

	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, v1alpha1.AnnotationRecheckDomain, time.Now().UTC().Format(time.RFC3339Nano))
	dom := &unstructured.Unstructured{}
	dom.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind("Domain"))
	dom.SetNamespace(o.GetNamespace())
	dom.SetName(o.GetName())
	if err := d.c.Patch(ctx, dom, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		return fmt.Errorf("annotating Domain %s with %s: %w", key, v1alpha1.AnnotationRecheckDomain, err)
	}
	fmt.Printf("  [%5s] annotated Domain %s with %s to re-check now\n", d.elapsed(), key, v1alpha1.AnnotationRecheckDomain)
	return nil
}

func (d *demo) printSummary(ctx context.Context) error {
	fmt.Printf("\n$ kubectl get enterprise-operator -n %s\n", demoNS)
	if err := testenv.Run(ctx, d.root, os.Stdout, os.Stderr, d.kubectl, "get", "enterprise-operator", "-n", demoNS, "--kubeconfig", d.kubeconfig); err != nil {
		return fmt.Errorf("kubectl get enterprise-operator: %w", err)
	}
	kubectl := rel(d.kubectl)
	fmt.Printf(`
The operator is running against a real kube-apiserver and the platform simulator.
Use kubectl against it from another terminal (in %s):

  export KUBECONFIG=$PWD/%s
  %s get enterprise-operator -A
  %s describe domain -n %s acme-example

Platform simulator: http://%s (bearer token %s); its state: curl -s http://%s/admin/state
Logs: %s/manager.log, %s/platform-sim.log

`, d.root, d.kubeconfig, kubectl, kubectl, demoNS, simAddr, simToken, simAddr, outDir, outDir)
	return nil
}

func (d *demo) elapsed() string {
	return fmt.Sprintf("%ds", int(time.Since(d.start).Seconds()))
}

func readYAML(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

func rel(p string) string {
	wd, _ := os.Getwd()
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

func keys(m map[string]string) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
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
