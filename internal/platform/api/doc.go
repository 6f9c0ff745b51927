// Package api is generated from the platform API contract, openapi/platform.yaml.
//
// It is the client side and the models: client.gen.go holds one Go type per schema
// and the HTTP client (Client, ClientWithResponses). The server side the platform
// simulator implements, and the embedded contract it validates requests against,
// are generated into enterprise-operator/internal/platformsim/apiserver over these
// same models, so that the manager, which links this package, links neither the
// server nor kin-openapi. Do not edit client.gen.go: change the contract and run
// `make generate` (config: client.cfg.yaml; see generate.go).
//
// id.go is hand-written: ID, the Go type of the contract's schema `Id` (x-go-type),
// which decodes an id sent as a JSON string or a JSON integer and always encodes a
// JSON string. The generated `Id` is an alias of it.
//
// The operator does not use this package directly: internal/platform wraps the
// generated client with authentication, the company-id header, rate limiting,
// retries and typed errors.
package api
