// Package bench holds benchmarks of the operator against a real kube-apiserver +
// etcd (envtest, binaries from hack/setup-envtest.sh) and the in-process platform
// simulator (internal/platformsim). Run them with `make bench`.
//
// Nothing starts unless a benchmark runs: the control plane, the simulator and
// the manager of BenchmarkCreateToReady and BenchmarkSteadyStateResync are started
// lazily, once, by the first of them, and stopped by TestMain after m.Run;
// BenchmarkScale starts its own (below). `go test ./test/bench/` without -bench is a
// no-op.
//
// The manager runs with a short resync interval (benchResync) and a PlatformConfig
// whose client-side rate limit is at its maximum, so the numbers measure the
// operator rather than the token bucket.
//
// BenchmarkCreateToReady creates b.N EnterpriseRoles under one Ready Enterprise
// and times until every one of them is Ready. ns/op is the wall time per object
// of the whole batch (reconcile throughput, including the kube-apiserver round
// trips); objects/s is the same as a rate; platform-calls/object is how many
// requests the simulator served per object (a create should cost a few calls, not
// a read-modify-write storm: today one list-by-name lookup plus the create);
// platform-writes/object counts the non-read calls among them (expect 1, the
// create); status-writes/object and metadata-writes/object count the object's
// MODIFIED watch events (status patches, and the finalizer update). These roles
// carry a 1h resync-interval annotation so that, when the batch takes longer than
// one resync period, resync reads of the first objects are not counted as
// creation cost, and so they stay out of the steady-state window below.
//
// BenchmarkSteadyStateResync makes sure at least b.N Ready EnterpriseRoles exist,
// resets the simulator's call counts and the objects' resourceVersions baseline,
// and waits for one resync period: until getEnterpriseRole was served at least
// once per role on the default resync interval (and at least one full, maximally
// jittered interval passed). It reports platform-calls/object/window (calls in
// that window per role and Enterprise), platform-calls/object/resync (the same
// normalised to one mean jittered period; expect ~1: one GET per object),
// write-calls (fails the benchmark unless 0) and status-writes (objects whose
// resourceVersion changed; fails unless 0). This proves the operator does no blind
// writes at resync: an in-sync object costs one read and nothing else. ns/op is
// the resync window divided by the number of objects and is not meaningful.
//
// # BenchmarkScale
//
// BenchmarkScale says how close the operator is to the limit of what the
// kube-apiserver allows at N objects. `make bench` runs it after the two above, in a
// go test process of its own, as
//
//	BENCH_N=10000 go test ./test/bench/ -run='^$' -bench='^BenchmarkScale$' -benchtime=1x -timeout 90m -v
//
// (KUBEBUILDER_ASSETS as for every suite). BENCH_N=500 gives a quick run of a few
// minutes; 10,000 about a quarter of an hour on 2 cores. BENCH_CONCURRENCY (default: the
// manager's default, 10) is its --max-concurrent-reconciles and the bare client's workers;
// BENCH_RESYNC (default 20s) the --resync-interval after the restart; BENCH_OUT
// (default docs/) where it writes scale-results.md, the results table, and
// scale-ready.png, the plot (point it elsewhere for a trial run). The scenario runs
// once per process whatever b.N is (use -benchtime=1x), so ns/op is its wall time.
// Without -v the testing package keeps only the first 10 lines of a benchmark's
// log; the file has the whole table. Targets are reported (Met yes/no), never
// asserted: the benchmark fails only on real errors (objects never Ready, a timeout,
// a crashed manager), and then prints the end of the manager's log.
//
// It starts its own control plane (envtest), the simulator in the test process
// (whose per-operationId call counts it reads) and builds the manager (go build
// ./cmd) to run it as a separate process, with a kubeconfig of an envtest admin
// user, so that the memory measured is the manager's alone. Kube writes are the
// manager's client-go rest_client_requests_total by method (POST, PUT, PATCH,
// DELETE), read from its metrics endpoint; Events are POSTs (a series update a
// PATCH) and count. A warm-up run of the manager makes two Enterprises (in two
// tenant namespaces) and one user of the second Ready, and is stopped. Then, on the
// same control plane:
//
//  1. Ceiling. N EnterpriseUsers are created (untimed) in a namespace of their own
//     while no manager runs. A bare controller-runtime client with BENCH_CONCURRENCY
//     workers makes for each only the writes a finalizer-based operator cannot
//     avoid: a metadata merge patch with optimistic lock adding the finalizer and the
//     create-pending annotation, and a status merge patch with the external id,
//     state, Ready/Synced/Suspended conditions and observedGeneration. N divided by
//     the time from the first write to the last is the ceiling in objects/s. These
//     users are then unfinalized and deleted (envtest runs no namespace controller).
//  2. Create. N users (distinct emails, no passwordSecretRef) are created under the
//     first Enterprise while the manager is stopped; the manager is started (default
//     resync interval) and the time from its start to all N Ready gives objects/s
//     and its ratio to the phase 1 ceiling (the target is checked in phase 9). A watch counts the Ready users
//     every 250 ms for the plot, next to the ceiling's completed count. For both,
//     the rate over the first and the last quarter of N (from those samples) shows
//     whether it holds as objects accumulate.
//  3. Create cost: platform calls per object, in total (target ≤ 1.05) and by
//     operationId, and kube writes per object by verb (target ≤ 2 in total), counted
//     from the manager's start until it is idle (empty queue, no reconcile running,
//     and neither the writes nor the calls moving for two scrapes a second apart:
//     Events are sent asynchronously).
//  4. Restart. The manager gets SIGTERM (the time it takes to exit is shown) and is
//     started again with --resync-interval=BENCH_RESYNC. Platform calls are counted
//     until every user has been reconciled once: the enterpriseuser controller's
//     controller_runtime_reconcile_total, minus the reconciles the operator deferred
//     while another one read the enterprise's list
//     (enterprise_operator_reconcile_deferred_total), reached N+1 (the N users and
//     the fairness user) and its queue was idle, or reached N+2 (the fairness edit's
//     own reconcile). The queue is FIFO within a priority and a resync that comes due
//     joins it behind the backlog, so this holds even when the backlog outlasts the
//     resync interval. Target: ceil(N/100)+100 calls (200 at N=10,000).
//  5. Fairness. As soon as the first user was reconciled after the restart, the
//     fairness user (the second Enterprise's) gets a new spec.title; the figure is
//     the time until its status reports the new generation Ready (target < 2 s).
//     The backlog at that moment (reconciles done, queue depth) is shown with it.
//  6. Steady state. From then on, for one full resync period (interval × 1.2 jitter +
//     5 s), platform calls by operationId and the manager's kube writes are counted
//     (target 0 writes of either). Reads per resync period are the reads divided by
//     the resync rounds the controller made in the window (its reconciles / (N+1))
//     when above one: the restart bunched the users' resyncs, so some resync twice
//     in the window. Target: ceil(N/100) + 6 platform-backed kinds × 2 Enterprises,
//     what a list per page of 100 plus one read per kind and Enterprise would cost.
//     Fewer reconciles than users means the manager cannot resync every user within
//     the interval, and a note says so.
//  7. Memory. The manager's VmRSS (largest of one sample a second during the steady
//     window) and VmHWM (its peak since start) from /proc/<pid>/status, with N+1
//     users and two Enterprises (target ≤ 100 MiB).
//  8. Delete. The manager is restarted with the default resync interval (so that
//     resync reads do not count as deletion cost) and, once it has reconciled every
//     user and is idle, all N users are deleted; platform calls by operationId
//     (target ≤ 1.05 per object) and kube writes by verb are counted until all are
//     gone and the manager is idle. That no deleted user is left on the platform is
//     checked too.
//  9. Ceiling again. With the manager stopped, phase 1 runs a second time. A shared
//     machine's speed drifts over minutes (its host's other tenants): two ceilings
//     measured minutes apart have differed by half. The create rate is compared with
//     the mean of the two, which bracket the create phase (target ≥ 0.8). Each phase
//     reports the CPU time its processes used, so a drift shows as CPU-seconds per
//     object that differ for the same work.
//
// BENCH_PPROF=127.0.0.1:6061 starts the manager with --pprof-bind-address, to profile
// it during a phase (go tool pprof http://127.0.0.1:6061/debug/pprof/profile).
package bench
