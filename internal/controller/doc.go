// Package controller holds the reconcilers of enterprise-operator: PlatformConfig, which
// validates credentials and keeps one platform client per credential, and the six
// platform-backed kinds, each of which supplies only a Connector and an External to the
// shared machinery in package managed.
//
// Secrets are never cached: they are read with the API reader when needed and watched
// metadata-only, so the operator holds no cluster-wide copy of Secret data; only Secrets
// labelled platform.enterprise-operator.dev/secret=true are watched at all. Password and
// signing Secrets are used only if the operator created them for the object or they
// carry that label (secrets.go).
//
// The wiring is split by concern: setup.go registers the controllers (Options,
// SetupWithManager) from cache.go (what the informer cache holds), indexes.go (field
// indexes and the claims index), mapping.go (which objects an event wakes) and
// predicates.go (which events pass); rbac.go holds every RBAC marker.
package controller
