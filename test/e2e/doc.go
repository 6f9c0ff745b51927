// Package e2e holds the end-to-end tests of enterprise-operator: the real bin/manager
// and bin/platform-sim binaries run as processes against a local etcd +
// kube-apiserver, driven with the built kubectl and checked through the simulator's
// admin endpoints. The tests are behind the build tag e2e; run them with
// `make test-e2e` (see docs/e2e.md).
package e2e
