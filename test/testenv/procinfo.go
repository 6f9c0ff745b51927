package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	errStatNoName   = "/proc stat line without a command name: %q"
	errStatTooShort = "/proc stat line too short: %q"
)

// ProcInfo identifies a process across time: a reused pid comes with another start
// time, so a process recorded earlier is never mistaken for an unrelated one.
type ProcInfo struct {
	Pid int
	// StartTime is field 22 of /proc/<pid>/stat, in clock ticks since boot.
	StartTime string
	// Exe is the executable /proc/<pid>/exe links to.
	Exe string
}

// ReadProcInfo reads a process's identity and its parent's pid from /proc (Linux).
// ok is false for a process that is gone or cannot be read.
func ReadProcInfo(pid int) (info ProcInfo, ppid int, ok bool) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return info, 0, false
	}
	fields, err := statFields(string(stat))
	if err != nil || len(fields) < 20 {
		return info, 0, false
	}
	ppid, _ = strconv.Atoi(fields[1]) // field 4
	exe, err := os.Readlink(filepath.Join(dir, "exe"))
	if err != nil {
		return info, 0, false
	}
	return ProcInfo{Pid: pid, StartTime: fields[19], Exe: exe}, ppid, true
}

// Children lists the direct child processes of parent, read from /proc: besides the
// Procs a program started, the etcd and kube-apiserver envtest started for it.
func Children(parent int) []ProcInfo {
	var out []ProcInfo
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if info, ppid, ok := ReadProcInfo(pid); ok && ppid == parent {
			out = append(out, info)
		}
	}
	return out
}

// statFields returns the fields of a /proc/<pid>/stat line from field 3 (state) on.
// The command name (field 2) is in parentheses and may hold spaces and parentheses,
// so fields are counted from the last ')'.
func statFields(stat string) ([]string, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return nil, fmt.Errorf(errStatNoName, stat)
	}
	fields := strings.Fields(stat[end+1:])
	if len(fields) == 0 {
		return nil, fmt.Errorf(errStatTooShort, stat)
	}
	return fields, nil
}
