package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

const (
	errExited        = "%s exited unexpectedly: %w"
	errExitedCleanly = "%s exited unexpectedly with status 0"
)

// Proc is a long-running child process (the manager, a simulator) whose stdout and
// stderr go to a log file. It runs in its own process group, so Stop reaches whatever
// it started, and a Ctrl-C in the terminal reaches only the program that started it,
// which then stops its children in order; Pdeathsig kills it should that program die
// without cleaning up (a go test -timeout panic, for instance).
type Proc struct {
	Name    string
	LogPath string

	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// StartProc runs bin with args and env, writing its output to logPath (created or
// truncated).
func StartProc(name, logPath string, env []string, bin string, args ...string) (*Proc, error) {
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
	p := &Proc{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process id (of the process itself, which leads its group).
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Err is the process's exit error (nil for a zero exit status); valid once Exited.
func (p *Proc) Err() error {
	if !p.Exited() {
		return nil
	}
	return p.err
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Crashed describes how the process ended, for a process nobody asked to stop; nil
// while it runs.
func (p *Proc) Crashed() error {
	if !p.Exited() {
		return nil
	}
	if p.err != nil {
		return fmt.Errorf(errExited, p.Name, p.err)
	}
	return fmt.Errorf(errExitedCleanly, p.Name)
}

// ErrKilled says that Stop had to send SIGKILL.
var ErrKilled = errors.New("did not exit after SIGTERM; killed")

// Stop sends SIGTERM to the process group, SIGKILL after timeout, and waits. It
// returns the exit error, or ErrKilled when SIGTERM was not enough. A process that
// had already exited returns its exit error.
func (p *Proc) Stop(timeout time.Duration) error {
	if p == nil {
		return nil
	}
	if p.Exited() {
		return p.err
	}
	pgid := -p.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.err
	case <-t.C:
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
		return ErrKilled
	}
}

// Kill sends SIGKILL to the process group and waits for the process to be gone.
func (p *Proc) Kill() {
	if p == nil || p.Exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// Run runs a short-lived command (a build, a script, kubectl) in dir and waits for it.
// It runs in its own process group, like a Proc, so cancelling ctx stops the whole
// group, a go build's compilers included; it then returns ctx's error. Nil writers
// discard the output.
func Run(ctx context.Context, dir string, stdout, stderr io.Writer, bin string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Tail returns the last n lines of the process's log.
func (p *Proc) Tail(n int) []string { return Tail(p.LogPath, n) }

// Tail returns the last n lines of a file.
func Tail(path string, n int) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{fmt.Sprintf("(cannot read %s: %v)", path, err)}
	}
	defer func() { _ = f.Close() }()
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
