package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux
// architecture Go supports (the kernel fixes it for user space).
const clockTicks = 100

// ReadCPU returns the CPU time (user + system) a process has used since it started,
// from /proc/<pid>/stat (Linux).
func ReadCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a /proc/<pid>/stat line.
func parseStatCPU(stat string) (time.Duration, error) {
	fields, err := statFields(stat) // from field 3 on: utime is the 12th
	if err != nil {
		return 0, err
	}
	if len(fields) < 13 {
		return 0, fmt.Errorf(errStatTooShort, stat)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat line: %w", err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// FindChildren returns the ids of the running child processes of parent whose
// executable is named name, such as the kube-apiserver and etcd envtest started. Only
// children count: other suites on the same machine run their own.
func FindChildren(parent int, name string) []int {
	var out []int
	for _, c := range Children(parent) {
		if filepath.Base(c.Exe) == name {
			out = append(out, c.Pid)
		}
	}
	return out
}
