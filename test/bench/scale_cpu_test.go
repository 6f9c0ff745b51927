package bench

import (
	"fmt"
	"os"
	"strings"
	"time"

	"enterprise-operator/test/testenv"
)

// cpuMeter measures the CPU time each process of the scenario spends in a phase, so
// the report says where the machine's cores went: the create rate is bounded by the
// kube-apiserver and etcd, and every other process competes with them for 2 cores.
type cpuMeter struct {
	started time.Time
	pids    map[string][]int
	base    map[string]time.Duration
}

// Process groups the meter reports, in this order.
const (
	cpuAPIServer = "kube-apiserver"
	cpuEtcd      = "etcd"
	cpuManager   = "manager"
	cpuBench     = "bench process (clients, simulator, tracker)"
)

var cpuGroups = []string{cpuAPIServer, cpuEtcd, cpuManager, cpuBench}

// startCPU starts measuring. The manager is measured from its start when it starts
// after the meter (as in the create phase), else from now.
func (e *scaleEnv) startCPU() (*cpuMeter, error) {
	m := &cpuMeter{started: time.Now(), pids: map[string][]int{}, base: map[string]time.Duration{}}
	for _, name := range []string{cpuAPIServer, cpuEtcd} {
		pids := testenv.FindChildren(os.Getpid(), name)
		if len(pids) == 0 {
			return nil, fmt.Errorf("no %s process found", name)
		}
		m.pids[name] = pids
	}
	m.pids[cpuBench] = []int{os.Getpid()}
	if e.manager != nil && !e.stopped {
		m.pids[cpuManager] = []int{e.manager.Pid()}
	}
	for name, pids := range m.pids {
		d, err := sumCPU(pids)
		if err != nil {
			return nil, err
		}
		m.base[name] = d
	}
	return m, nil
}

// stop returns each group's CPU time since start and the wall time.
func (m *cpuMeter) stop(e *scaleEnv) (map[string]time.Duration, time.Duration, error) {
	elapsed := time.Since(m.started)
	if _, ok := m.pids[cpuManager]; !ok && e.manager != nil && !e.stopped {
		m.pids[cpuManager] = []int{e.manager.Pid()}
	}
	out := map[string]time.Duration{}
	for name, pids := range m.pids {
		d, err := sumCPU(pids)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = d - m.base[name]
	}
	return out, elapsed, nil
}

func sumCPU(pids []int) (time.Duration, error) {
	var sum time.Duration
	for _, pid := range pids {
		d, err := testenv.ReadCPU(pid)
		if err != nil {
			return 0, err
		}
		sum += d
	}
	return sum, nil
}

// addCPU reports a phase's CPU time by process and how busy the machine's cores were.
func (r *results) addCPU(phase string, byGroup map[string]time.Duration, elapsed time.Duration, cores int) {
	var parts []string
	var total time.Duration
	for _, g := range cpuGroups {
		d, ok := byGroup[g]
		if !ok {
			continue
		}
		total += d
		parts = append(parts, fmt.Sprintf("%s %.0f", g, d.Seconds()))
	}
	r.add(phase, "CPU-seconds by process", strings.Join(parts, ", "), "", nil)
	busy := total.Seconds() / (elapsed.Seconds() * float64(max(cores, 1)))
	r.add(phase, "cores busy with these processes", fmt.Sprintf("%.0f%% of %d", 100*busy, cores), "", nil)
}

// The Go runtime's memory series (client_golang's Go collector, which
// controller-runtime registers).
const (
	mHeapInuse    = "go_memstats_heap_inuse_bytes"
	mHeapIdle     = "go_memstats_heap_idle_bytes"
	mHeapReleased = "go_memstats_heap_released_bytes"
	mStackInuse   = "go_memstats_stack_inuse_bytes"
	mSys          = "go_memstats_sys_bytes"
)

// goMemory reports where the manager's memory is, by the Go runtime's account, so a
// missed RSS target says whether live objects, heap headroom or the runtime hold it.
func (r *results) goMemory(phase string, m testenv.Metrics) {
	if !m.Has(mHeapInuse) || !m.Has(mSys) {
		r.note("the manager's metrics have no %s or %s: no memory breakdown", mHeapInuse, mSys)
		return
	}
	v := func(name string) string { return mib(int64(m.Sum(name, nil))) }
	retained := int64(m.Sum(mHeapIdle, nil) - m.Sum(mHeapReleased, nil))
	r.add(phase, "Go heap in use / idle not returned / stacks / all the runtime holds",
		fmt.Sprintf("%s / %s / %s / %s", v(mHeapInuse), mib(retained), v(mStackInuse), v(mSys)), "", nil)
}
