package testenv

import (
	"os"
	"os/exec"
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
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	pids, err := FindChildren(os.Getpid(), "sleep")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{child.Process.Pid}, pids); diff != "" {
		t.Errorf("FindChildren(self, sleep) (-want +got):\n%s", diff)
	}
	if pids, _ := FindChildren(child.Process.Pid, "sleep"); len(pids) != 0 {
		t.Errorf("FindChildren(child, sleep) = %v, want none", pids)
	}
}

func TestParseStatParent(t *testing.T) {
	for _, tc := range []struct {
		stat, comm string
		ppid       int
		wantErr    bool
	}{
		{stat: "42 (etcd) S 17 42 42", comm: "etcd", ppid: 17},
		{stat: "42 (kube (x) y) S 9 42", comm: "kube (x) y", ppid: 9},
		{stat: "42 etcd S 17", wantErr: true},
		{stat: "42 (etcd) S", wantErr: true},
	} {
		comm, ppid, err := parseStatParent(tc.stat)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err = %v, want error %v", tc.stat, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && (comm != tc.comm || ppid != tc.ppid) {
			t.Errorf("%q: got (%q, %d), want (%q, %d)", tc.stat, comm, ppid, tc.comm, tc.ppid)
		}
	}
}
