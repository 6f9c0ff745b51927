package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a long-running child process (the manager, the simulator) with its output
// in a log file. It runs in its own process group, so a Ctrl-C in the terminal reaches
// only the demo, which then stops the children in order; Pdeathsig kills it should the
// demo itself die without cleaning up.
type proc struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{}
	err     error
}

func startProc(name, logPath string, env []string, bin string, args ...string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitError describes how the process ended, for a process that was not asked to stop.
func (p *proc) exitError() error {
	if p.err != nil {
		return fmt.Errorf("%s exited unexpectedly: %w", p.name, p.err)
	}
	return fmt.Errorf("%s exited unexpectedly (status 0)", p.name)
}

// stop sends SIGTERM to the process group, then SIGKILL after timeout, and waits.
func (p *proc) stop(timeout time.Duration) {
	if p.exited() {
		return
	}
	pgid := -p.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		fmt.Fprintf(os.Stderr, "demo: %s did not stop within %s; killing it\n", p.name, timeout)
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
}

// runStep runs a short-lived command in its own process group with its output on the
// terminal (stdout captured when capture is set); cancelling ctx stops the whole group.
func runStep(ctx context.Context, capture bool, dir string, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	var out strings.Builder
	if capture {
		cmd.Stdout = &out
	} else {
		cmd.Stdout = os.Stdout
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return out.String(), ctx.Err()
	}
	return out.String(), err
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

// tail returns the last n lines of a file.
func tail(path string, n int) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{fmt.Sprintf("(cannot read %s: %v)", path, err)}
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return lines
}

// grepLines returns the last n lines of a file that mention the quoted name (the
// manager logs objects as {"name": "...", "namespace": "..."}).
func grepLines(path, name string, n int) []string {
	var out []string
	for _, l := range tail(path, 100000) {
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
	for _, l := range tail(path, n) {
		fmt.Fprintln(os.Stderr, "  "+l)
	}
	fmt.Fprintln(os.Stderr, "---")
}

// procInfo identifies a process across time: pid reuse gives a different start time.
type procInfo struct {
	pid       int
	startTime string // field 22 of /proc/<pid>/stat, in clock ticks since boot
	exe       string
}

func readProcInfo(pid int) (info procInfo, ppid int, ok bool) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return info, 0, false
	}
	// pid (comm) state ppid ... starttime(22); comm may contain spaces, so split after the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return info, 0, false
	}
	fields := strings.Fields(s[i+1:]) // fields[0] is field 3 (state)
	if len(fields) < 20 {
		return info, 0, false
	}
	ppid, _ = strconv.Atoi(fields[1])
	exe, err := os.Readlink(filepath.Join(dir, "exe"))
	if err != nil {
		return info, 0, false
	}
	return procInfo{pid: pid, startTime: fields[19], exe: exe}, ppid, true
}

// children lists the demo's direct child processes, read from /proc. It includes etcd
// and kube-apiserver, which envtest starts.
func children() []procInfo {
	var out []procInfo
	self := os.Getpid()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if info, ppid, ok := readProcInfo(pid); ok && ppid == self {
			out = append(out, info)
		}
	}
	return out
}

// writePIDs records the children so that a later run can find them should this one
// be killed with SIGKILL (the manager and the simulator die with the demo through
// Pdeathsig; envtest's etcd and kube-apiserver do not).
func writePIDs(path string, procs []procInfo) error {
	var b strings.Builder
	for _, p := range procs {
		fmt.Fprintf(&b, "%d %s %s\n", p.pid, p.startTime, p.exe)
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
		cur, _, ok := readProcInfo(pid)
		if !ok || cur.startTime != f[1] || cur.exe != f[2] {
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
			if now, _, ok := readProcInfo(pid); !ok || now.startTime != f[1] {
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
