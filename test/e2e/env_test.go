//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"enterprise-operator/test/testenv"
)

const (
	// ns is the namespace the tenant (config/samples) is applied to.
	ns = "e2e"
	// systemNS holds the PlatformConfig's token Secret (the sample's tokenSecretRef).
	systemNS = "enterprise-operator-system"
	simToken = "e2e-token"

	// managerConcurrency is the manager's --max-concurrent-reconciles.
	managerConcurrency = 8
)

// env is everything one e2e run started: a control plane, the simulator, the manager
// and an https webhook receiver.
type env struct {
	root       string
	logDir     string
	kubectlBin string
	kubeconfig string

	simURL string
	cp     *testenv.Env
	// mu guards sim and manager, which the deadline watchdog reads.
	mu         sync.Mutex
	stopOnce   sync.Once
	sim        *testenv.Proc
	manager    *testenv.Proc
	managerEnv []string
	restarts   int
	// metricsAddr is where the manager serves metrics (the same on every start).
	metricsAddr string
	// pprofAddr is where the manager serves Go's pprof endpoints (--pprof-bind-address).
	pprofAddr string

	receiver      *testenv.Receiver
	signingSecret string
}

// envOptions vary setup for a test other than TestE2E.
type envOptions struct {
	// logDir is the directory under bin/ for logs and the kubeconfig; default "e2e".
	logDir string
	// noManager leaves starting the manager to the test (with its own identity and
	// flags); it sets e.manager so the cleanups stop it and show its log.
	noManager bool
}

// setup starts everything and registers its cleanup: whatever happens (a failed
// assertion, a panic in a subtest), the manager, the simulator, kube-apiserver and
// etcd are stopped before the test binary returns.
func setup(t *testing.T) *env { return setupWith(t, envOptions{}) }

func setupWith(t *testing.T, opts envOptions) *env {
	t.Helper()
	// envtest logs through controller-runtime's logger; the manager's log is a file.
	ctrllog.SetLogger(logr.Discard())
	g := NewWithT(t)
	root, err := testenv.RepoRoot()
	g.Expect(err).NotTo(HaveOccurred())
	if opts.logDir == "" {
		opts.logDir = "e2e"
	}
	e := &env{root: root, logDir: filepath.Join(root, "bin", opts.logDir), signingSecret: testenv.RandHex(24)}

	for _, b := range []string{"bin/manager", "bin/platform-sim"} {
		if _, err := os.Stat(filepath.Join(root, b)); err != nil {
			t.Fatalf("%s is missing; run the e2e tests with `make test-e2e`, which builds it: %v", b, err)
		}
	}
	g.Expect(os.RemoveAll(e.logDir)).To(Succeed())
	g.Expect(os.MkdirAll(e.logDir, 0o755)).To(Succeed())

	// The https receiver the Webhook sample is pointed at; the simulator trusts its
	// certificate through --webhook-ca-file.
	e.receiver = testenv.StartReceiver()
	t.Cleanup(e.receiver.Close)
	caFile := filepath.Join(e.logDir, "webhook-ca.pem")
	g.Expect(os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.receiver.Server.Certificate().Raw}), 0o600)).To(Succeed())

	// etcd + kube-apiserver with the CRDs, from KUBEBUILDER_ASSETS (the Makefile sets
	// it) or hack/setup-envtest.sh (instant once built); an admin kubeconfig for
	// kubectl and the manager.
	cp, err := testenv.Start(t.Context(), testenv.Options{
		Log: os.Stderr, Kubeconfig: filepath.Join(e.logDir, "kubeconfig"), KubeconfigUser: "e2e-admin",
	})
	g.Expect(err).NotTo(HaveOccurred(), "starting the control plane")
	e.cp, e.kubectlBin, e.kubeconfig = cp, cp.Kubectl, cp.Kubeconfig
	t.Cleanup(func() { e.stopAll(t.Logf) })
	// A go test -timeout panic runs no cleanup, and etcd and kube-apiserver (unlike the
	// manager and the simulator) do not die with the test binary: stop everything
	// shortly before the deadline instead.
	deadline, _ := t.Deadline()
	t.Cleanup(testenv.BeforeDeadline(deadline, 45*time.Second, func() {
		e.stopAll(func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "e2e: go test -timeout is near: "+format+"\n", args...)
		})
	}))
	t.Logf("kube-apiserver %s from %s; kubeconfig %s", cp.Config.Host, cp.Assets, e.kubeconfig)

	e.startSimulator(t, caFile)

	e.managerEnv = append(os.Environ(), "KUBECONFIG="+e.kubeconfig)
	if !opts.noManager {
		e.startManager(t)
	}

	// Registered last, so it runs first: on failure, show what the processes said
	// while they are still running.
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range []*testenv.Proc{e.manager, e.sim} {
				if p == nil {
					continue
				}
				t.Logf("--- last 60 lines of %s ---\n%s", p.LogPath, strings.Join(p.Tail(60), "\n"))
			}
			// Every object except the crash-safety users that are fine (there are 200).
			if out, err := e.kubectlErr("get", "enterprise-operator", "-A"); err == nil {
				var keep []string
				for _, l := range strings.Split(out, "\n") {
					if !strings.Contains(l, "/crash-") || !regexp.MustCompile(`\sTrue\s+True\s`).MatchString(l) {
						keep = append(keep, l)
					}
				}
				t.Logf("--- kubectl get enterprise-operator -A (Ready crash-* users left out) ---\n%s", strings.Join(keep, "\n"))
			}
		}
	})
	return e
}

func (e *env) startSimulator(t *testing.T, caFile string) {
	t.Helper()
	sim, err := testenv.StartProc("platform-sim", filepath.Join(e.logDir, "platform-sim.log"), os.Environ(),
		filepath.Join(e.root, "bin", "platform-sim"),
		"--addr=127.0.0.1:0", "--dns-addr=127.0.0.1:0", "--token="+simToken,
		"--webhook-ca-file="+caFile, "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.sim = sim
	e.mu.Unlock()

	// The simulator prints the address it bound; wait for it, then for /healthz.
	if e.simURL, err = testenv.WaitSimulator(t.Context(), sim, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("platform-sim at %s (log %s)", e.simURL, e.sim.LogPath)
}

// stopAll stops the manager, the simulator, kube-apiserver and etcd, in that order,
// once (the test's cleanup or the deadline watchdog, whichever comes first).
func (e *env) stopAll(logf func(string, ...any)) {
	e.stopOnce.Do(func() {
		e.mu.Lock()
		manager, sim := e.manager, e.sim
		e.mu.Unlock()
		if manager != nil {
			logf("stopping the manager")
			_ = manager.Stop(15 * time.Second)
		}
		if sim != nil {
			logf("stopping the platform simulator")
			_ = sim.Stop(10 * time.Second)
		}
		logf("stopping kube-apiserver and etcd")
		if err := e.cp.Stop(); err != nil {
			logf("stopping the control plane: %v", err)
		}
	})
}

// startManager starts bin/manager with the same flags every time; the log of the
// n-th start is manager.log, manager-2.log, ...
func (e *env) startManager(t *testing.T) {
	t.Helper()
	e.restarts++
	logName := "manager.log"
	if e.restarts > 1 {
		logName = fmt.Sprintf("manager-%d.log", e.restarts)
	}
	if e.metricsAddr == "" {
		e.metricsAddr = freeLoopbackAddr(t)
		e.pprofAddr = freeLoopbackAddr(t)
	}
	p, err := testenv.StartProc("manager", filepath.Join(e.logDir, logName), e.managerEnv,
		filepath.Join(e.root, "bin", "manager"),
		"--metrics-bind-address="+e.metricsAddr, "--health-probe-bind-address=0",
		"--pprof-bind-address="+e.pprofAddr,
		"--resync-interval=30s",
		fmt.Sprintf("--max-concurrent-reconciles=%d", managerConcurrency),
		"--zap-encoder=console")
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.manager = p
	e.mu.Unlock()
	t.Logf("manager started (pid %d, log %s)", p.Pid(), p.LogPath)
}

// kubectl runs the built kubectl against the test control plane and fails the test
// on error.
func (e *env) kubectl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := e.kubectlErr(args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (e *env) kubectlErr(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.kubectlBin, append([]string{"--kubeconfig", e.kubeconfig}, args...)...)
	cmd.Dir = e.root
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// jsonpath reads one field of an object in the test namespace.
func (e *env) jsonpath(t *testing.T, kind, name, path string) string {
	t.Helper()
	return e.kubectl(t, "get", kind, name, "-n", ns, "-o", "jsonpath="+path)
}

// ---- the simulator's admin endpoint ----

type simState struct {
	Enterprises []simEnterprise     `json:"enterprises"`
	DNS         map[string][]string `json:"dns"`
}

type simEnterprise struct {
	ID             string       `json:"id"`
	OrganizationID string       `json:"organizationId"`
	AdminEmail     string       `json:"adminEmail"`
	Users          []simUser    `json:"users"`
	Roles          []simRole    `json:"roles"`
	Groups         []simGroup   `json:"groups"`
	Domains        []simDomain  `json:"domains"`
	Webhooks       []simWebhook `json:"webhooks"`
}

type simUser struct {
	ID             string   `json:"id"`
	Username       string   `json:"username"`
	Email          string   `json:"email"`
	Title          string   `json:"title"`
	Department     string   `json:"department"`
	RoleIDs        []string `json:"roleIds"`
	Status         string   `json:"status"`
	PasswordSHA256 string   `json:"passwordSha256"`
	PasswordResets int      `json:"passwordResets"`
}

type simRole struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

type simGroup struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Members     []string `json:"members"`
}

type simDomain struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	State string `json:"state"`
}

type simWebhook struct {
	ID                  string `json:"id"`
	URL                 string `json:"url"`
	SigningSecretSHA256 string `json:"signingSecretSha256"`
}

// state fetches GET /admin/state; errors are returned, so it can run inside Eventually.
func (e *env) state() (simState, error) {
	var s simState
	resp, err := http.Get(e.simURL + "/admin/state")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return s, err
	}
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET /admin/state: %s: %s", resp.Status, body)
	}
	return s, json.Unmarshal(body, &s)
}

// enterprise returns the simulator's enterprise with the given id.
func (e *env) enterprise(id string) (simEnterprise, error) {
	s, err := e.state()
	if err != nil {
		return simEnterprise{}, err
	}
	for _, ent := range s.Enterprises {
		if ent.ID == id {
			return ent, nil
		}
	}
	return simEnterprise{}, fmt.Errorf("enterprise %s is not on the platform (%d enterprises)", id, len(s.Enterprises))
}

func (e *env) adminPost(path string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := http.Post(e.simURL+path, "application/json", strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

// freeLoopbackAddr returns a loopback address with a port nothing listens on now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	addr, err := testenv.FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// metrics reads the manager's metrics endpoint (Prometheus text format), keeping
// the enterprise_operator_ series only.
func (e *env) metrics() (string, error) {
	resp, err := http.Get("http://" + e.metricsAddr + "/metrics")
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	// Only the operator's own series: a failed assertion then prints what matters
	// instead of being truncated inside controller-runtime's.
	var own []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "enterprise_operator_") {
			own = append(own, l)
		}
	}
	return strings.Join(own, "\n") + "\n", nil
}
