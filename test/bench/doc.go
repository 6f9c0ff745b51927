// Package bench holds benchmarks of the operator against a real kube-apiserver +
// etcd (envtest, binaries from hack/setup-envtest.sh) and the in-process platform
// simulator (internal/platformsim). Run them with `make bench`.
//
// Nothing starts unless a benchmark runs: the control plane, the simulator and
// the manager are started lazily, once, by the first benchmark, and stopped by
// TestMain after m.Run. `go test ./test/bench/` without -bench is a no-op.
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
package bench
