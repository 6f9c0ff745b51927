package testenv

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
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

// WriteAdminKubeconfig adds a system:masters user named name to a started envtest
// control plane and writes a kubeconfig for it to path (mode 0600).
func WriteAdminKubeconfig(env *envtest.Environment, name, path string) error {
	if env == nil {
		return errors.New("no control plane")
	}
	user, err := env.AddUser(envtest.User{Name: name, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, kc, 0o600)
}
