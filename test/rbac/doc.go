// Package rbac proves that the operator's RBAC grants exactly what the manager calls,
// for both installs: config/default (one ClusterRole) and config/namespaced (Roles in
// the watched namespaces, a ClusterRole for the cluster-scoped kinds only).
//
// Its test renders the install with kustomize, applies the RBAC to a real
// kube-apiserver (envtest), and runs the manager (controller.SetupWithManager, as
// cmd/main.go does, with leader election on) as the install's ServiceAccount, with a
// token from the TokenRequest API, through a representative run: every kind created,
// edited and deleted, a generated password Secret created and a reset written to it, a
// PlatformConfig whose credentials are refused (a repeated event), leader election
// renewing its Lease. The API server's audit log records every request the manager
// made, as the authorizer saw it (verb, group, resource, subresource, namespace), and
// the test fails on
//
//   - a request the API server refused (403),
//   - a request no rule of the install grants (a call without a rule), and
//   - a rule no request used (a rule without a call).
//
// Recording beats a checked-in list of calls: a list is only as good as whoever keeps
// it, while the audit log also sees the calls nobody thinks of (the cache's watches,
// leader election and its event, the events API's series patches) and the exact
// scope of each. The price is that the run must reach every code path that needs a
// rule; each step of the run says which rule it is there for.
//
// The API server runs with the OwnerReferencesPermissionEnforcement admission plugin,
// as some distributions do, so a <kind>/finalizers rule that this plugin would demand
// cannot be missed either.
//
// It needs kube-apiserver, etcd and kubectl (KUBEBUILDER_ASSETS, or
// hack/setup-envtest.sh); `go test -short` skips it.
package rbac
