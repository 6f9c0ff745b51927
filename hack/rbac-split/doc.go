// Command rbac-split derives the namespaced install's RBAC from the ClusterRole that
// controller-gen generates from the +kubebuilder:rbac markers (config/rbac/role.yaml):
// the rules on cluster-scoped resources go into a ClusterRole, the rules on namespaced
// ones into a Role bound in each watched namespace. `make manifests` runs it, so a new
// marker reaches both installs without anyone editing a rule by hand, and
// `make verify` fails when its output is stale.
//
// A resource's scope comes from its CRD (config/crd/bases) or, for built-in resources,
// from the table in main.go; a resource in neither stops it, so a new kind of call is
// classified on purpose rather than silently granted cluster-wide.
package main
