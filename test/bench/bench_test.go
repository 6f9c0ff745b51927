package bench

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
)

var batchSeq atomic.Int64

// BenchmarkCreateToReady measures how fast b.N EnterpriseRoles created at once
// under one Ready Enterprise become Ready, and what each costs on the platform.
func BenchmarkCreateToReady(b *testing.B) {
	e := getEnv(b)
	ns, ent := e.readyEnterprise(b)
	batch := fmt.Sprintf("c%d", batchSeq.Add(1))

	// Count the roles' MODIFIED events: status patches and metadata updates.
	w, err := e.k8s.Watch(e.ctx, &v1alpha1.EnterpriseRoleList{},
		client.InNamespace(ns), client.MatchingLabels{"batch": batch})
	if err != nil {
		b.Fatal(err)
	}
	var statusWrites, metaWrites int
	// seen is the latest resourceVersion the watch delivered per role, so the count
	// can wait for the watch to catch up instead of sleeping.
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	wg.Go(func() {
		last := map[string]*v1alpha1.EnterpriseRole{}
		for ev := range w.ResultChan() {
			r, ok := ev.Object.(*v1alpha1.EnterpriseRole)
			if !ok {
				continue
			}
			mu.Lock()
			if prev := last[r.Name]; ev.Type == watch.Modified && prev != nil {
				if equality.Semantic.DeepEqual(prev.Status, r.Status) {
					metaWrites++
				} else {
					statusWrites++
				}
			}
			last[r.Name] = r
			seen[r.Name] = r.ResourceVersion
			mu.Unlock()
		}
	})

	e.sim.ResetCalls()
	b.ResetTimer()
	start := time.Now()
	// A long per-object resync interval keeps resync reads of the first objects
	// out of the count when the batch takes longer than benchResync, and keeps
	// these roles out of BenchmarkSteadyStateResync's window.
	if err := e.createRoles(ns, ent, batch, b.N, map[string]string{v1alpha1.AnnotationResyncInterval: "1h"}); err != nil {
		b.Fatal(err)
	}
	if err := e.waitRolesReady(b.N, client.InNamespace(ns), client.MatchingLabels{"batch": batch}); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	calls := e.sim.Calls()

	// Wait until the watch has delivered every role's current version before closing
	// it. Resyncs of this batch write nothing (see BenchmarkSteadyStateResync).
	current := &v1alpha1.EnterpriseRoleList{}
	if err := e.k8s.List(e.ctx, current, client.InNamespace(ns), client.MatchingLabels{"batch": batch}); err != nil {
		b.Fatal(err)
	}
	if err := e.waitFor(time.Minute, func() (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range current.Items {
			if seen[r.Name] != r.ResourceVersion {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		b.Fatalf("watch did not catch up: %v", err)
	}
	w.Stop()
	wg.Wait()

	n := float64(b.N)
	b.ReportMetric(float64(calls["total"])/n, "platform-calls/object")
	b.ReportMetric(float64(writeCalls(calls))/n, "platform-writes/object")
	b.ReportMetric(float64(statusWrites)/n, "status-writes/object")
	b.ReportMetric(float64(metaWrites)/n, "metadata-writes/object")
	b.ReportMetric(n/elapsed.Seconds(), "objects/s")
	b.Logf("N=%d in %s; platform calls: %s", b.N, elapsed.Round(time.Millisecond), formatCalls(calls))
}

// BenchmarkSteadyStateResync proves in-sync objects cost their enterprise's list pages
// per resync, not one read each, and no write: with at least b.N Ready
// EnterpriseRoles, it waits for one full resync period and counts what the operator
// sent to the platform and to the kube-apiserver.
func BenchmarkSteadyStateResync(b *testing.B) {
	e := getEnv(b)
	ns, ent := e.readyEnterprise(b)
	batch := fmt.Sprintf("s%d", batchSeq.Add(1))
	if err := e.createRoles(ns, ent, batch, b.N, nil); err != nil {
		b.Fatal(err)
	}
	if err := e.waitRolesReady(b.N, client.InNamespace(ns), client.MatchingLabels{"batch": batch}); err != nil {
		b.Fatal(err)
	}
	// Every role in the cluster on the default resync interval (earlier runs'
	// too; BenchmarkCreateToReady's have a long one) resyncs in the window.
	roles, err := e.resyncingRoles()
	if err != nil {
		b.Fatal(err)
	}
	var ents v1alpha1.EnterpriseList
	if err := e.k8s.List(e.ctx, &ents); err != nil {
		b.Fatal(err)
	}
	before := make(map[string]string, len(roles))
	for _, r := range roles {
		if !isReady(&r) {
			b.Fatalf("role %s/%s is not Ready", r.Namespace, r.Name)
		}
		before[r.Namespace+"/"+r.Name] = r.ResourceVersion
	}
	nRoles := len(roles)
	// Objects created just now are in their first resync period; let every
	// object settle into one before measuring.
	time.Sleep(time.Duration(float64(benchResync) * (1 + resyncJitter)))

	e.sim.ResetCalls()
	b.ResetTimer()
	start := time.Now()
	minWindow := time.Duration(float64(benchResync) * (1 + resyncJitter))
	// Roles read themselves from their enterprise's list (docs/scale.md): a resync
	// round shows as list pages, not one read per role.
	if err := e.waitFor(time.Minute, func() (bool, error) {
		return e.sim.CallCount("listEnterpriseRoles") >= 1 && time.Since(start) >= minWindow, nil
	}); err != nil {
		b.Fatalf("no resync round read the roles' list in %s: %v", time.Since(start).Round(time.Millisecond), err)
	}
	window := time.Since(start)
	calls := e.sim.Calls()
	b.StopTimer()

	if roles, err = e.resyncingRoles(); err != nil {
		b.Fatal(err)
	}
	var rvChanged []string
	for _, r := range roles {
		key := r.Namespace + "/" + r.Name
		if rv, ok := before[key]; ok && rv != r.ResourceVersion {
			rvChanged = append(rvChanged, key)
		}
	}

	objects := float64(nRoles + len(ents.Items))
	// Normalise to one resync period: the window is at least one maximally
	// jittered period long, so some objects were read twice. Resyncs come every
	// benchResync*(1+U[0,jitter)), so on average every benchResync*(1+jitter/2).
	periods := window.Seconds() / (benchResync.Seconds() * (1 + resyncJitter/2))
	writes := writeCalls(calls)
	b.ReportMetric(float64(calls["total"])/objects, "platform-calls/object/window")
	b.ReportMetric(float64(calls["total"])/objects/math.Max(periods, 1), "platform-calls/object/resync")
	b.ReportMetric(float64(calls["getEnterpriseRole"]+calls["listEnterpriseRoles"])/math.Max(periods, 1), "role-reads/resync")
	b.ReportMetric(float64(writes), "write-calls")
	b.ReportMetric(float64(len(rvChanged)), "status-writes")
	b.Logf("%d roles + %d enterprises, window %s (%.2f resync periods); platform calls: %s",
		nRoles, len(ents.Items), window.Round(time.Millisecond), periods, formatCalls(calls))
	if writes != 0 {
		b.Fatalf("%d platform write calls at resync (want 0): %s", writes, formatCalls(calls))
	}
	if len(rvChanged) != 0 {
		b.Fatalf("%d roles were written to the kube-apiserver at resync (want 0), e.g. %v", len(rvChanged), rvChanged[:min(5, len(rvChanged))])
	}
}

func formatCalls(calls map[string]int) string {
	ops := make([]string, 0, len(calls))
	for op, n := range calls {
		ops = append(ops, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(ops)
	return strings.Join(ops, " ")
}

// resyncingRoles lists the cluster's EnterpriseRoles on the default resync interval.
func (e *benchEnv) resyncingRoles() ([]v1alpha1.EnterpriseRole, error) {
	var list v1alpha1.EnterpriseRoleList
	if err := e.k8s.List(e.ctx, &list); err != nil {
		return nil, err
	}
	out := list.Items[:0]
	for _, r := range list.Items {
		if _, ok := r.Annotations[v1alpha1.AnnotationResyncInterval]; !ok {
			out = append(out, r)
		}
	}
	return out, nil
}
