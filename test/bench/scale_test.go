package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	ctrl "sigs.k8s.io/controller-runtime"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

// Series of the manager's metrics BenchmarkScale reads.
const (
	mRequests   = "rest_client_requests_total" // client-go, by method: the kube writes
	mReconciles = "controller_runtime_reconcile_total"
	mDeferred   = "enterprise_operator_reconcile_deferred_total"
	mDepth      = "workqueue_depth"
	mActive     = "controller_runtime_active_workers"
	userCtrl    = "enterpriseuser" // the EnterpriseUser controller's name (internal/controller/setup.go)
	// platformKinds is the number of platform-backed kinds (Enterprise, EnterpriseUser,
	// UserGroup, Domain, Webhook, EnterpriseRole), for the steady-state read target.
	platformKinds = 6
	enterprises   = 2
)

// writeVerbs are the HTTP methods that change something on the kube-apiserver.
var writeVerbs = []string{"POST", "PUT", "PATCH", "DELETE"}

// scaleResults is kept across invocations: with -benchtime=Nx (N>1) the testing
// package calls the benchmark again, and the scenario runs only once per process.
var scaleResults *results

// BenchmarkScale runs the scale scenario once (see the package documentation) and
// writes docs/scale-results.md and docs/scale-ready.png. Run it with -benchtime=1x.
func BenchmarkScale(b *testing.B) {
	if scaleResults == nil {
		scaleResults = runScale(b)
	}
	scaleResults.report(b)
}

func runScale(b *testing.B) *results {
	cfg, err := scaleConfigFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	// The bench's own clients log nothing worth reading (the manager's log is a file).
	ctrl.SetLogger(logr.Discard())
	r := newResults(cfg)
	progress("BenchmarkScale: N=%d, concurrency %d, resync after the restart %s", cfg.n, cfg.concurrency, cfg.resync)
	e := startScaleEnv(b, cfg)
	progress("control plane and simulator up; warm-up (logs in %s)", e.dir)
	if err := e.warmUp(); err != nil {
		e.fatalf(b, "warm-up: %v", err)
	}

	progress("phase 1: bare-client ceiling")
	ceilingRate := e.phaseCeiling(b, r, "1 ceiling")

	progress("phase 2-3: create")
	tr, rate := e.phaseCreate(b, r, ceilingRate)
	defer tr.stop()

	progress("phase 4-5: restart and fairness")
	e.phaseRestart(b, r)

	progress("phase 6-7: steady state and RSS")
	e.phaseSteady(b, r)

	progress("phase 8: delete")
	e.phaseDelete(b, r, tr)

	if err := e.stopManager(); err != nil {
		r.note("the manager's exit after SIGTERM at the end: %v", err)
	}

	// A shared machine's speed drifts over minutes (other tenants of its host): the
	// ceiling is measured again at the end, and the operator is compared with the mean
	// of the two, which bracket its create phase.
	progress("phase 9: bare-client ceiling again")
	again := e.phaseCeiling(b, r, "9 ceiling again")
	mean := (ceilingRate + again) / 2
	ratio := rate / mean
	r.add("9 ceiling again", "ceiling: mean of phases 1 and 9, objects/s", f1(mean), "", nil)
	r.add("9 ceiling again", "create rate, ratio to the mean ceiling", f2(ratio), "≥ 0.8", ptr(ratio >= 0.8))
	if err := r.write(); err != nil {
		b.Fatalf("writing the results: %v", err)
	}
	progress("done; wrote %s and %s", filepath.Join(cfg.outDir, resultsFile), filepath.Join(cfg.outDir, plotFile))
	return r
}

// phaseCreate creates N users with the manager stopped, starts it and times until all
// are Ready; it reports the rate, platform calls and kube writes per object. The
// returned tracker keeps following the namespace's users.
func (e *scaleEnv) phaseCreate(b *testing.B, r *results, ceilingRate float64) (*tracker, float64) {
	n := e.cfg.n
	if _, err := e.createUsers(scaleNS, scaleEnt, "u", n); err != nil {
		b.Fatal(err)
	}
	tr, err := startTracker(e.ctx, e.k8s, scaleNS)
	if err != nil {
		b.Fatal(err)
	}
	e.sim.ResetCalls()
	meter, err := e.startCPU()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := e.startManager(); err != nil {
		b.Fatal(err)
	}
	s := startSampler(start, 250*time.Millisecond, func() int { _, ready := tr.counts(); return ready })
	err = e.waitFor(e.cfg.phaseTimeout(), 100*time.Millisecond, func() (bool, error) {
		_, ready := tr.counts()
		return ready >= n, nil
	})
	elapsed := time.Since(start)
	if err != nil {
		total, ready := tr.counts()
		e.fatalf(b, "create: %d of %d users Ready: %v", ready, total, err)
	}
	cpu, _, cpuErr := meter.stop(e)
	if cpuErr != nil {
		e.fatalf(b, "create: %v", cpuErr)
	}
	r.create = s.stop(elapsed, n)
	m, calls := e.settle(r, "create")
	if !m.Has(mRequests) {
		e.fatalf(b, "the manager's metrics have no %s: cannot count kube writes", mRequests)
	}
	rate := float64(n) / elapsed.Seconds()
	ratio := rate / ceilingRate
	r.add("2 create", "operator: objects/s (manager start to all Ready)", f1(rate), "", nil)
	r.add("2 create", "operator: time to all N Ready", dur(elapsed), "", nil)
	q1, q4 := quarterRates(r.create, n)
	r.add("2 create", "operator: objects/s in the first / last quarter of N", f1(q1)+" / "+f1(q4), "", nil)
	_, cores := testenv.CPU()
	r.addCPU("2 create", cpu, elapsed, cores)
	r.add("2 create", "ratio to the phase 1 ceiling (the target is on the mean, phase 9)", f2(ratio), "", nil)
	r.metric(rate, "create-objects/s")
	r.metric(ratio, "create/ceiling")

	perObj := float64(calls["total"]) / float64(n)
	r.add("3 create cost", "platform calls per object", f2(perObj), "≤ 1.05", ptr(perObj <= 1.05))
	r.byOp("3 create cost", calls, float64(n), " per object")
	writes := writesByVerb(m, nil)
	w := sumVerbs(writes) / float64(n)
	r.add("3 create cost", "kube writes per object (Events included)", f2(w), "≤ 2", ptr(w <= 2))
	r.byVerb("3 create cost", writes, float64(n), " per object")
	r.failed("3 create cost", failedWrites(m, nil), float64(n), " per object")
	r.metric(perObj, "create-platform-calls/object")
	r.metric(w, "create-kube-writes/object")
	return tr, rate
}

// phaseSteady counts, over one full resync period of the settled manager, the
// platform calls and kube writes, and samples the manager's memory.
func (e *scaleEnv) phaseSteady(b *testing.B, r *results) {
	n := e.cfg.n
	base, err := e.scrape()
	if err != nil {
		e.fatalf(b, "steady state: %v", err)
	}
	e.sim.ResetCalls()
	// Every object resyncs at least once in interval × (1 + jitter); a margin covers
	// reconciles that were queued behind others.
	window := time.Duration(float64(e.cfg.resync)*(1+resyncJitter)) + 5*time.Second
	var maxRSS, hwm int64
	var atMax testenv.Memory
	start := time.Now()
	tick := time.NewTicker(time.Second)
	for time.Since(start) < window {
		if err := e.managerCrashed(); err != nil {
			tick.Stop()
			e.fatalf(b, "steady state: %v", err)
		}
		mem, err := testenv.ReadMemory(e.manager.Pid())
		if err != nil {
			tick.Stop()
			e.fatalf(b, "steady state: reading the manager's memory: %v", err)
		}
		if mem.RSS > maxRSS {
			atMax = mem
		}
		maxRSS, hwm = max(maxRSS, mem.RSS), mem.HWM
		<-tick.C
	}
	tick.Stop()
	calls := e.sim.Calls()
	end, err := e.scrape()
	if err != nil {
		e.fatalf(b, "steady state: %v", err)
	}
	// A resync round is one reconcile per user. After a restart the users' resyncs are
	// bunched, so most users resync once in the window and some twice: divide by the
	// rounds the controller made, when more than one. Fewer than one round means the
	// manager did not get through every user in one resync period.
	resyncs := observedReconciles(end) - observedReconciles(base)
	users := float64(n + 1)
	rounds := max(1, resyncs/users)
	reads := calls["total"] - writeCalls(calls)
	readsPerResync := float64(reads) / rounds
	readTarget := int(math.Ceil(float64(n)/100)) + platformKinds*enterprises
	writes := writesByVerb(end, base)
	kubeWrites := sumVerbs(writes)
	r.add("6 steady state", "window (resync interval × 1.2 + 5s)", dur(window), "", nil)
	r.add("6 steady state", "EnterpriseUser reconciles in the window (users)", fmt.Sprintf("%.0f (%.0f)", resyncs, users), "", nil)
	if resyncs < users {
		r.note("steady state: %.0f EnterpriseUser reconciles in a %s window for %.0f users: the manager cannot resync every user within one resync interval of %s",
			resyncs, dur(window), users, e.cfg.resync)
	}
	r.add("6 steady state", "platform reads per resync period", f1(readsPerResync),
		fmt.Sprintf("≤ %d", readTarget), ptr(readsPerResync <= float64(readTarget)))
	r.byOp("6 steady state", calls, rounds, " per resync period")
	r.add("6 steady state", "platform writes in the window", fmt.Sprint(writeCalls(calls)), "0", ptr(writeCalls(calls) == 0))
	r.add("6 steady state", "kube writes in the window", fmt.Sprintf("%.0f", kubeWrites), "0", ptr(kubeWrites == 0))
	r.byVerb("6 steady state", writes, 1, "")
	r.failed("6 steady state", failedWrites(end, base), 1, "")
	r.add("7 memory", "manager VmRSS, max during steady state", mib(maxRSS), "≤ 100 MiB", ptr(maxRSS <= 100<<20))
	r.add("7 memory", "manager VmHWM (peak since its start)", mib(hwm), "≤ 100 MiB", ptr(hwm <= 100<<20))
	r.add("7 memory", "· of the maximum: allocated by the process / pages of its binary and other files",
		mib(atMax.Anon)+" / "+mib(atMax.File), "", nil)
	r.goMemory("7 memory", end)
	r.metric(readsPerResync, "steady-platform-reads/resync")
	r.metric(kubeWrites, "steady-kube-writes")
	r.metric(float64(maxRSS)/(1<<20), "rss-MiB")
	r.metric(float64(hwm)/(1<<20), "hwm-MiB")
}

// phaseDelete deletes the N users and counts platform calls and kube writes until
// they are gone.
func (e *scaleEnv) phaseDelete(b *testing.B, r *results, tr *tracker) {
	n := e.cfg.n
	// Resyncs at the short interval would add their reads to the deletion's calls:
	// restart with the default interval first, and wait until that restart is over.
	if err := e.stopManager(); err != nil {
		r.note("the manager's exit after SIGTERM before the delete phase: %v", err)
	}
	if err := e.startManager(); err != nil {
		b.Fatal(err)
	}
	users := float64(n + 1)
	err := e.waitFor(e.cfg.phaseTimeout(), 250*time.Millisecond, func() (bool, error) {
		m, err := e.scrape() // an error: not serving yet
		return err == nil && observedReconciles(m) >= users &&
			m.Sum(mDepth, ctrlLabel(userCtrl)) == 0 && m.Sum(mActive, ctrlLabel(userCtrl)) == 0, nil
	})
	if err != nil {
		e.fatalf(b, "delete: the manager restarted with the default resync interval did not reconcile every user: %v", err)
	}
	base, err := e.scrape()
	if err != nil {
		e.fatalf(b, "delete: %v", err)
	}
	e.sim.ResetCalls()
	start := time.Now()
	err = forEach(e.ctx, setupWorkers, n, func(ctx context.Context, i int) error {
		u := &v1alpha1.EnterpriseUser{}
		u.Namespace, u.Name = scaleNS, fmt.Sprintf("u-%05d", i)
		return e.k8s.Delete(ctx, u)
	})
	if err != nil {
		e.fatalf(b, "delete: %v", err)
	}
	err = e.waitFor(e.cfg.phaseTimeout(), 100*time.Millisecond, func() (bool, error) {
		total, _ := tr.counts()
		return total == 0, nil
	})
	elapsed := time.Since(start)
	if err != nil {
		total, _ := tr.counts()
		e.fatalf(b, "delete: %d of %d users left: %v", total, n, err)
	}
	m, calls := e.settle(r, "delete")
	perObj := float64(calls["total"]) / float64(n)
	writes := writesByVerb(m, base)
	r.add("8 delete", "objects/s (first delete to all gone)", f1(float64(n)/elapsed.Seconds()), "", nil)
	r.add("8 delete", "platform calls per object", f2(perObj), "≤ 1.05", ptr(perObj <= 1.05))
	r.byOp("8 delete", calls, float64(n), " per object")
	r.add("8 delete", "kube writes per object (Events included)", f2(sumVerbs(writes)/float64(n)), "", nil)
	r.byVerb("8 delete", writes, float64(n), " per object")
	r.failed("8 delete", failedWrites(m, base), float64(n), " per object")
	left := 0
	for _, ent := range e.sim.State().Enterprises {
		for _, u := range ent.Users {
			if strings.HasPrefix(u.Username, "u-user-") {
				left++
			}
		}
	}
	r.add("8 delete", "deleted users still on the platform", fmt.Sprint(left), "0", ptr(left == 0))
	r.metric(perObj, "delete-platform-calls/object")
}

// settle waits, after a phase's objects reached their state, until the manager is
// idle: its EnterpriseUser queue empty, no reconcile running, and neither its kube
// writes (Events are sent asynchronously) nor the platform calls moving between two
// scrapes a second apart. It returns the metrics and the platform calls then.
func (e *scaleEnv) settle(r *results, phase string) (testenv.Metrics, map[string]int) {
	var m testenv.Metrics
	var calls map[string]int
	prevWrites, prevCalls, quiet := -1.0, -1, 0
	err := e.waitFor(2*time.Minute, time.Second, func() (bool, error) {
		var err error
		if m, err = e.scrape(); err != nil {
			return false, err
		}
		calls = e.sim.Calls()
		w := sumVerbs(writesByVerb(m, nil))
		idle := m.Sum(mDepth, ctrlLabel(userCtrl)) == 0 && m.Sum(mActive, ctrlLabel(userCtrl)) == 0
		if idle && w == prevWrites && calls["total"] == prevCalls {
			quiet++
		} else {
			quiet = 0
		}
		prevWrites, prevCalls = w, calls["total"]
		return quiet >= 2, nil
	})
	if err != nil {
		r.note("%s: the manager did not go idle within 2m (%v); counted what it had done by then", phase, err)
	}
	return m, calls
}

// progress reports on stderr as the run goes (b.Logf output appears only at the end).
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func ctrlLabel(name string) map[string]string { return map[string]string{"controller": name} }

// observedReconciles is how many EnterpriseUser reconciles observed their user: the
// controller's reconciles minus those the operator deferred because another reconcile
// was reading the enterprise's list (they are requeued and counted again).
func observedReconciles(m testenv.Metrics) float64 {
	// A deferral is counted while its reconcile runs, before controller-runtime counts
	// the reconcile: read at the wrong moment the difference is a few below zero.
	return max(0, m.Sum(mReconciles, ctrlLabel(userCtrl))-m.Sum(mDeferred, ctrlLabel(userCtrl)))
}

// writesByVerb is the manager's kube requests by write verb, minus those of base
// (an earlier scrape of the same process; nil for none).
func writesByVerb(m, base testenv.Metrics) map[string]float64 {
	out := map[string]float64{}
	for _, v := range writeVerbs {
		out[v] = m.Sum(mRequests, map[string]string{"method": v})
		if base != nil {
			out[v] -= base.Sum(mRequests, map[string]string{"method": v})
		}
	}
	return out
}

// failedWrites is the manager's kube write requests that were not answered 2xx, by
// "VERB code", minus those of base (nil for none).
func failedWrites(m, base testenv.Metrics) map[string]float64 {
	out := map[string]float64{}
	for _, ms := range []struct {
		m    testenv.Metrics
		sign float64
	}{{m, 1}, {base, -1}} {
		for _, s := range ms.m {
			if s.Name != mRequests || strings.HasPrefix(s.Labels["code"], "2") || !slices.Contains(writeVerbs, s.Labels["method"]) {
				continue
			}
			out[s.Labels["method"]+" "+s.Labels["code"]] += ms.sign * s.Value
		}
	}
	for k, v := range out {
		if v == 0 {
			delete(out, k)
		}
	}
	return out
}

func sumVerbs(w map[string]float64) float64 {
	var s float64
	for _, v := range w {
		s += v
	}
	return s
}

// phaseCeiling runs the bare-client ceiling and reports it under phase; it returns
// the ceiling in objects/s.
func (e *scaleEnv) phaseCeiling(b *testing.B, r *results, phase string) float64 {
	n := e.cfg.n
	ceiling, err := e.runCeiling(n)
	if err != nil {
		b.Fatal(err)
	}
	rate := float64(n) / ceiling.elapsed.Seconds()
	unit := "ceiling-again-objects/s"
	if r.ceiling == nil {
		r.ceiling, unit = ceiling.samples, "ceiling-objects/s" // the plot shows the first
	}
	r.add(phase, "bare client: objects/s (2 writes each)", f1(rate), "", nil)
	r.add(phase, "bare client: time for N objects", dur(ceiling.elapsed), "", nil)
	q1, q4 := quarterRates(ceiling.samples, n)
	r.add(phase, "bare client: objects/s in the first / last quarter of N", f1(q1)+" / "+f1(q4), "", nil)
	_, cores := testenv.CPU()
	r.addCPU(phase, ceiling.cpu, ceiling.elapsed, cores)
	r.metric(rate, unit)
	return rate
}
