package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"enterprise-operator/test/testenv"
)

func (d *demo) printSummary(ctx context.Context) error {
	fmt.Printf("\n$ kubectl get enterprise-operator -n %s\n", demoNS)
	if err := testenv.Run(ctx, d.root, os.Stdout, os.Stderr, d.kubectl, "get", "enterprise-operator", "-n", demoNS, "--kubeconfig", d.kubeconfig); err != nil {
		return fmt.Errorf("kubectl get enterprise-operator: %w", err)
	}
	kubectl := rel(d.kubectl)
	fmt.Printf(`
The operator is running against a real kube-apiserver and the platform simulator.
Use kubectl against it from another terminal (in %s):

  export KUBECONFIG=$PWD/%s
  %s get enterprise-operator -A
  %s describe domain -n %s acme-example

Platform simulator: http://%s (bearer token %s); its state: curl -s http://%s/admin/state
Logs: %s/manager.log, %s/platform-sim.log

`, d.root, d.kubeconfig, kubectl, kubectl, demoNS, simAddr, simToken, simAddr, outDir, outDir)
	return nil
}

func (d *demo) elapsed() string {
	return fmt.Sprintf("%ds", int(time.Since(d.start).Seconds()))
}

func rel(p string) string {
	wd, _ := os.Getwd()
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}
