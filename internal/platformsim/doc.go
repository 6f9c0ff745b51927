// Package platformsim is an in-memory, contract-faithful simulator of the SaaS
// platform the operator reconciles against.
//
// It serves every operation of openapi/platform.yaml (generated strict server
// interface in enterprise-operator/internal/platformsim/apiserver, over the models
// of enterprise-operator/internal/platform/api) over one consistent,
// mutex-protected state of enterprises, users, roles, groups, domains, webhooks,
// companies and target users. Every request is validated against the contract with
// kin-openapi before it reaches a handler; every error answers with the platform's
// Error body (seed 002: name, context, error, requestId).
//
// Beyond the API it provides what tests and demos need and a real platform does not:
//
//   - an OAuth2 client-credentials token endpoint issuing expiring HMAC-signed tokens,
//     plus static bearer tokens, and reseller credentials scoped to company ids;
//   - a loopback DNS server (DNSServer) that domain verification queries;
//   - a webhook tester that really POSTs a signed test event;
//   - fault injection (latency, error rate, rate limit, dropped responses);
//   - admin endpoints under /admin/ and Go methods (Calls, ResetCalls, State,
//     SetFaults, Mutate*, AddCredential, AddCompany) to observe and drift the state.
//
// Start one with Start(ctx, Options{}) and point the operator's client at Server.URL().
// cmd/platform-sim runs one as a standalone process; docs/simulator.md documents both.
//
// The state keeps every kind in one generic table (table.go) over the maps the
// exported types expose. A table keeps the objects in creation order, so that a page
// of a list costs the page (the bench lists 10,000 users), and the natural keys in
// use, so that a create checks uniqueness with one lookup; Mutate* bring the tables
// up to date with what their callbacks changed. What differs between kinds (validation,
// which fields an update changes, side effects) is in state_*.go.
package platformsim
