// Package api is generated from the platform API contract, openapi/platform.yaml.
//
// client.gen.go holds the models (one Go type per schema) and the HTTP client
// (Client, ClientWithResponses); server.gen.go holds the std net/http strict server
// interface (StrictServerInterface, NewStrictHandler, HandlerFromMux) that the
// platform simulator implements, and GetSwagger, the embedded contract for request
// validation. Do not edit the *.gen.go files: change the contract and run
// `make generate` (configs: client.cfg.yaml, server.cfg.yaml; see generate.go).
//
// id.go is hand-written: ID, the Go type of the contract's schema `Id` (x-go-type),
// which decodes an id sent as a JSON string or a JSON integer and always encodes a
// JSON string. The generated `Id` is an alias of it.
//
// The operator does not use this package directly: internal/platform wraps the
// generated client with authentication, the company-id header, rate limiting,
// retries and typed errors.
package api
