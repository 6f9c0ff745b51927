// Package testenv is the one test environment of enterprise-operator: the controller
// suite (internal/controller), test/crd, test/install, test/rbac, test/health,
// test/e2e, the benchmarks (test/bench) and the demo (hack/demo) all start their
// control plane and their helpers here, so a fix to how a control plane is found,
// started or stopped reaches every one of them.
//
//   - Start runs etcd and kube-apiserver (controller-runtime's envtest) with the
//     CRDs of config/crd/bases, and on request the annotation policy every install
//     ships, API server flags and admission plugins, and an admin kubeconfig; Env
//     carries the rest.Config, an uncached client and Stop. What a suite needs beyond
//     that (its users, managers, namespaces) stays in the suite.
//   - AssetsDir finds the binaries: KUBEBUILDER_ASSETS, else what
//     hack/setup-envtest.sh prints (bin/k8s/<version>-<os>-<arch>, built from the Go
//     module proxy on first use), found from RepoRoot, the nearest go.mod above the
//     working directory, so a suite two levels down and the demo at the root agree.
//   - StartPlatform is the in-process platform simulator with the token Secret and
//     PlatformConfig that point the operator at it; WaitSimulator waits for the built
//     simulator started as a process.
//   - StartProc and Proc run the manager or the simulator as a process in its own
//     process group; Run runs a short command the same way; ReadProcInfo, Children,
//     ReadMemory and ReadCPU read /proc; Scrape reads a metrics endpoint.
//   - RandHex, LogBuffer, DecodeYAML, Kustomize, FreeLoopbackAddr and CPU are the
//     small things every suite needs.
//
// It is a regular (non-test) package so that suites and the demo can import it;
// nothing in the operator's binaries imports it.
package testenv
