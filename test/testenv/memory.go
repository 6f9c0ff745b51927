package testenv

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is a process's resident memory as /proc/<pid>/status reports it, in bytes.
type Memory struct {
	// RSS is VmRSS: resident set size now.
	RSS int64
	// HWM is VmHWM: the peak resident set size since the process started.
	HWM int64
	// Anon and File split RSS (RssAnon, RssFile): memory the process allocated (its
	// heap, stacks) and pages of files it maps (its own binary's code).
	Anon, File int64
}

// ReadMemory reads VmRSS, VmHWM, RssAnon and RssFile of a process from /proc/<pid>/status (Linux).
func ReadMemory(pid int) (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	defer func() { _ = f.Close() }()
	var m Memory
	var seen int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		dst := map[string]*int64{"VmRSS": &m.RSS, "VmHWM": &m.HWM, "RssAnon": &m.Anon, "RssFile": &m.File}[key]
		if !ok || dst == nil {
			continue
		}
		// "VmRSS:	   51200 kB"
		fields := strings.Fields(val)
		if len(fields) != 2 || fields[1] != "kB" {
			return Memory{}, fmt.Errorf("/proc/%d/status: unexpected %s line %q", pid, key, sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("/proc/%d/status: %s: %w", pid, key, err)
		}
		*dst = kb * 1024
		if key == "VmRSS" || key == "VmHWM" {
			seen++
		}
	}
	if err := sc.Err(); err != nil {
		return Memory{}, err
	}
	if seen != 2 {
		return Memory{}, fmt.Errorf("/proc/%d/status has no VmRSS or VmHWM (a zombie?)", pid)
	}
	return m, nil
}
