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
		return fmt.Errorf("%s exited unexpectedly: %v", p.name, p.err)
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

// children lists the demo's direct child processes (pid → executable), read from /proc.
// It records etcd and kube-apiserver too, which envtest starts.
func children() map[int]string {
	out := map[int]string{}
	self := os.Getpid()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid != self {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil {
			out[pid] = exe
		}
	}
	return out
}

func writePIDs(path string, procs map[int]string) error {
	var b strings.Builder
	for pid, exe := range procs {
		fmt.Fprintf(&b, "%d %s\n", pid, exe)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// staleProcesses returns the processes recorded by an earlier demo run that are
// still alive (same pid, same executable): left behind when the demo was killed
// with SIGKILL.
func staleProcesses(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var stale []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		pidStr, exe, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if cur, err := os.Readlink(filepath.Join("/proc", pidStr, "exe")); err == nil && cur == exe {
			stale = append(stale, pidStr+" ("+exe+")")
		}
	}
	return stale
}

var errInterrupted = errors.New("interrupted")
