// Package testenv holds helpers that test suites share to drive the operator as a
// separate process against a test control plane: starting and stopping processes by
// process group, reading a process's memory from /proc, scraping a Prometheus
// metrics endpoint, writing a kubeconfig for an envtest user, and describing the
// machine a measurement ran on.
//
// It is a regular (non-test) package so that suites can import it; nothing in the
// operator imports it. Today only test/bench uses it; the other suites still carry
// their own copies and are to move here later.
package testenv
