package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"enterprise-operator/test/testenv"
)

// stop stops a child (SIGTERM to its process group, SIGKILL after timeout), saying
// so when it had to be killed.
func stop(p *testenv.Proc, timeout time.Duration) {
	if err := p.Stop(timeout); errors.Is(err, testenv.ErrKilled) {
		fmt.Fprintf(os.Stderr, "demo: %s did not stop within %s; killed it\n", p.Name, timeout)
	}
}

// checkPortFree fails when something already listens on addr.
func checkPortFree(addr, what string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		_, port, _ := net.SplitHostPort(addr)
		return fmt.Errorf("port %s (%s, %s) is not free: %v\n"+
			"  something is already listening there (another demo or a platform-sim?); find it with: ss -ltnp 'sport = :%s'",
			port, addr, what, err, port)
	}
	return l.Close()
}

// grepLines returns the last n lines of a file that mention the quoted name (the
// manager logs objects as {"name": "...", "namespace": "..."}).
func grepLines(path, name string, n int) []string {
	var out []string
	for _, l := range testenv.Tail(path, 100000) {
		if strings.Contains(l, `"`+name+`"`) {
			out = append(out, l)
			if len(out) > n {
				out = out[1:]
			}
		}
	}
	return out
}

func printTail(path string, n int) {
	fmt.Fprintf(os.Stderr, "--- last %d lines of %s ---\n", n, path)
	for _, l := range testenv.Tail(path, n) {
		fmt.Fprintln(os.Stderr, "  "+l)
	}
	fmt.Fprintln(os.Stderr, "---")
}

// writePIDs records the children so that a later run can find them should this one
// be killed with SIGKILL (the manager and the simulator die with the demo through
// Pdeathsig; envtest's etcd and kube-apiserver do not).
func writePIDs(path string, procs []testenv.ProcInfo) error {
	var b strings.Builder
	for _, p := range procs {
		fmt.Fprintf(&b, "%d %s %s\n", p.Pid, p.StartTime, p.Exe)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// stopStale stops the processes an earlier demo run recorded that are still alive: the
// same pid, start time and executable, so never an unrelated process that reused a pid.
// It also removes the envtest temporary directories they used.
func stopStale(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	announced := false
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 {
			continue
		}
		pid, _ := strconv.Atoi(f[0])
		cur, _, ok := testenv.ReadProcInfo(pid)
		if !ok || cur.StartTime != f[1] || cur.Exe != f[2] {
			continue
		}
		dirs := envtestDirs(pid)
		if !announced {
			announced = true
			fmt.Println("==> stopping processes left running by an earlier demo that was killed")
		}
		fmt.Printf("    pid %d (%s)\n", pid, f[2])
		_ = syscall.Kill(pid, syscall.SIGTERM)
		for i := 0; i < 100; i++ {
			if now, _, ok := testenv.ReadProcInfo(pid); !ok || now.StartTime != f[1] {
				break
			}
			if i == 99 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			time.Sleep(100 * time.Millisecond)
		}
		for _, d := range dirs {
			_ = os.RemoveAll(d)
		}
	}
	_ = os.Remove(path)
}

// envtestDirs returns the temporary --data-dir/--cert-dir envtest gave a process.
func envtestDirs(pid int) []string {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return nil
	}
	var dirs []string
	for _, arg := range strings.Split(string(raw), "\x00") {
		for _, flag := range []string{"--data-dir=", "--cert-dir="} {
			if d, ok := strings.CutPrefix(arg, flag); ok &&
				filepath.Dir(d) == filepath.Clean(os.TempDir()) && strings.HasPrefix(filepath.Base(d), "k8s_test_framework_") {
				dirs = append(dirs, d)
			}
		}
	}
	return dirs
}

var errInterrupted = errors.New("interrupted")
