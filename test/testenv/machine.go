package testenv

import (
	"bufio"
	"net"
	"os"
	"runtime"
	"strings"
)

// CPU describes the machine's processors from /proc/cpuinfo: the model name of the
// first processor and the number of logical processors. On a system without
// /proc/cpuinfo the model is "unknown" and the count is runtime.NumCPU.
func CPU() (model string, cores int) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown", runtime.NumCPU()
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "processor":
			cores++
		case "model name":
			if model == "" {
				model = strings.TrimSpace(val)
			}
		}
	}
	if model == "" {
		model = "unknown"
	}
	if cores == 0 {
		cores = runtime.NumCPU()
	}
	return model, cores
}

// FreeLoopbackAddr returns a loopback address with a port nothing listens on now
// (for flags such as --metrics-bind-address that cannot report the port they bound).
func FreeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}
