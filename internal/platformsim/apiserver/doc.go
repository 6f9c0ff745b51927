// Package apiserver is the server side of the platform API contract,
// openapi/platform.yaml, generated for the platform simulator.
//
// server.gen.go holds the std net/http strict server interface
// (StrictServerInterface, NewStrictHandlerWithOptions, HandlerWithOptions) that
// internal/platformsim implements, and GetSpec, the embedded contract the
// simulator validates every request against. It lives apart from the client
// (enterprise-operator/internal/platform/api) so that the manager binary links
// neither the server code nor kin-openapi; cmd/deps_test.go keeps it that way.
//
// The models are not generated here: server.gen.go dot-imports those of
// internal/platform/api, so the simulator and the operator's client read and
// write the very same Go types. Do not edit server.gen.go: change the contract
// and run `make generate` (config: server.cfg.yaml; see generate.go).
package apiserver
