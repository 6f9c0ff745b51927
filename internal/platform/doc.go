// Package platform is the operator's only door to the SaaS platform's
// enterprise-management API. Controllers call the Client interface defined here and
// never build HTTP requests themselves.
//
// The implementation wraps a client generated from the project's OpenAPI contract
// (openapi/platform.yaml, generated into ./api) and adds what the generated code does not
// know: OAuth2 client-credentials or static bearer auth, the reseller company-id
// header, a per-credential rate limiter that also obeys 429 + Retry-After, retries with
// jittered backoff for reads and idempotent writes only, and typed errors the
// controllers branch on. Secrets never appear in its errors or logs.
//
// Every request takes the one path in call.go (call, exec, list), so that policy
// cannot differ between operations: each method in methods.go says only what does
// differ, namely the operation (with its retry policy) at its path ids, how to build
// the request with the generated client, and how to convert the answer (convert.go).
package platform
