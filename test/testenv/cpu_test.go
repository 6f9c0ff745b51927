package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       time.Duration
		wantErr    bool
	}{
		{name: "plain", stat: "42 (etcd) S 1 42 42 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 9 0 1 2 3", want: 3800 * time.Millisecond},
		{name: "spaces and parentheses in the name", stat: "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 2 3", want: 30 * time.Millisecond},
		{name: "no name", stat: "7 R 1", wantErr: true},
		{name: "too short", stat: "7 (x) R 1 2", wantErr: true},
		{name: "not a number", stat: "7 (x) R 1 7 7 0 -1 0 0 0 0 0 a 2 0", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU(tc.stat)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CPU time (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadCPUOfThisProcess(t *testing.T) {
	// Burn a little CPU so the reading cannot be zero.
	deadline := time.Now().Add(50 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	got, err := ReadCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if got <= 0 {
		t.Errorf("ReadCPU(self) = %v, want > 0 after busy work", got)
	}
}

func TestFindChildren(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(sleep, "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	if diff := cmp.Diff([]int{child.Process.Pid}, FindChildren(os.Getpid(), filepath.Base(sleep))); diff != "" {
		t.Errorf("FindChildren(self, sleep) (-want +got):\n%s", diff)
	}
	if pids := FindChildren(child.Process.Pid, filepath.Base(sleep)); len(pids) != 0 {
		t.Errorf("FindChildren(child, sleep) = %v, want none", pids)
	}
}
