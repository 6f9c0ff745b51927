package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	// From field 3 (state) on: utime is field 14, the 12th here.
	fields, err := statFields(stat)
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

// FindChildren returns the ids of the running child processes of parent whose command
// name (comm) is name, such as the kube-apiserver and etcd envtest started. Only
// children count: other suites on the same machine run their own.
func FindChildren(parent int, name string) ([]int, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		comm, ppid, err := parseStatParent(string(b))
		if err != nil || comm != name || ppid != parent {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
			out = append(out, pid)
		}
	}
	return out, nil
}

// parseStatParent reads the command name (field 2) and the parent's id (field 4) of a
// /proc/<pid>/stat line.
func parseStatParent(stat string) (comm string, ppid int, err error) {
	start, end := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if start < 0 || end < start {
		return "", 0, fmt.Errorf("/proc stat line without a command name: %q", stat)
	}
	fields := strings.Fields(stat[end+1:])
	if len(fields) < 2 {
		return "", 0, fmt.Errorf("/proc stat line too short: %q", stat)
	}
	ppid, err = strconv.Atoi(fields[1])
	return stat[start+1 : end], ppid, err
}
