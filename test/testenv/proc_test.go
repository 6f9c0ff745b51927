package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRun(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name                   string
		ctx                    context.Context
		script                 string
		wantOut, wantErrOut    string
		wantExit               int // the exit status wanted; -1 for none
		wantCancelled, wantErr bool
	}{
		{name: "output", ctx: context.Background(), script: "echo out; echo err >&2", wantOut: "out\n", wantErrOut: "err\n", wantExit: -1},
		{name: "in dir", ctx: context.Background(), script: "ls", wantOut: "marker\n", wantExit: -1},
		{name: "failure", ctx: context.Background(), script: "exit 3", wantExit: 3, wantErr: true},
		{name: "cancelled", ctx: cancelled, script: "echo never", wantCancelled: true, wantErr: true, wantExit: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "marker"), "", 0o644)
			var out, errOut strings.Builder
			err := Run(tc.ctx, dir, &out, &errOut, "/bin/sh", "-c", tc.script)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if got := errors.Is(err, context.Canceled); got != tc.wantCancelled {
				t.Errorf("err = %v: context.Canceled %v, want %v", err, got, tc.wantCancelled)
			}
			exit := -1
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				exit = ee.ExitCode()
			}
			if diff := cmp.Diff([]any{tc.wantOut, tc.wantErrOut, tc.wantExit}, []any{out.String(), errOut.String(), exit}); diff != "" {
				t.Errorf("stdout, stderr, exit status (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunCancelStopsTheGroup(t *testing.T) {
	// The script starts a child that would outlive a plain kill of the script, and
	// says so once it runs; cancelling must stop both, so Run returns at once rather
	// than after the child's minute.
	dir := t.TempDir()
	fifo := filepath.Join(dir, "started")
	if err := exec.Command("mkfifo", fifo).Run(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, dir, nil, nil, "/bin/sh", "-c", "sleep 60 & echo up > started; wait") }()
	if _, err := os.ReadFile(fifo); err != nil { // blocks until the script wrote
		t.Fatal(err)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30s of the cancel: the group was not stopped")
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("Run returned %s after the cancel; the background child kept it waiting", d)
	}
}

func TestProcCrashedAndChildren(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, script string
		// wantCrash is the Crashed message once the process ended; "" for one that runs.
		wantCrash string
	}{
		{name: "runs", script: "exec sleep 60"},
		{name: "fails", script: "exit 4", wantCrash: "fails exited unexpectedly: exit status 4"},
		{name: "ends", script: "exit 0", wantCrash: "ends exited unexpectedly with status 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := StartProc(tc.name, filepath.Join(dir, tc.name+".log"), os.Environ(), "/bin/sh", "-c", tc.script)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Kill()
			if tc.wantCrash == "" {
				if err := p.Crashed(); err != nil {
					t.Errorf("Crashed() = %v while it runs", err)
				}
				var pids []int
				for _, c := range Children(os.Getpid()) {
					pids = append(pids, c.Pid)
				}
				if !slices.Contains(pids, p.Pid()) {
					t.Errorf("Children(self) = %v, want it to hold the process %d", pids, p.Pid())
				}
				info, ppid, ok := ReadProcInfo(p.Pid())
				if !ok || ppid != os.Getpid() || info.StartTime == "" || !strings.HasSuffix(info.Exe, "sleep") {
					t.Errorf("ReadProcInfo(%d) = %+v, parent %d, %v; want the sleep this process started", p.Pid(), info, ppid, ok)
				}
				return
			}
			<-p.Done()
			got := fmt.Sprint(p.Crashed())
			if diff := cmp.Diff(tc.wantCrash, got); diff != "" {
				t.Errorf("Crashed() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWaitSimulator(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != simHealthz {
			http.NotFound(w, r)
		}
	}))
	defer healthy.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer sick.Close()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, script string
		want         string
		// wantErr is a part of the error wanted; "" for none.
		wantErr string
	}{
		{name: "serving", script: "echo banner; echo '" + simListeningOn + healthy.URL + "'; exec sleep 60", want: healthy.URL},
		{name: "exits", script: "echo 'bad flag'; exit 2", wantErr: "bad flag"},
		{name: "no url", script: "echo starting; exec sleep 60", wantErr: "printed no"},
		{name: "not healthy", script: "echo '" + simListeningOn + sick.URL + "'; exec sleep 60", wantErr: "did not serve " + sick.URL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := StartProc("platform-sim", filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".log"), os.Environ(), "/bin/sh", "-c", tc.script)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Kill()
			got, err := WaitSimulator(context.Background(), p, 2*time.Second)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("URL (-want +got):\n%s", diff)
			}
		})
	}
}
