package platform

import (
	"context"
	"net/http"
	"strings"
)

// msgEmptyPathID refuses a request whose path would lose a segment: ".../users/" is
// the list, not the user, so an empty id must never reach the URL.
const msgEmptyPathID = "an id in the request path is empty"

// httpCall sends one attempt of a request through the generated client. It is a
// closure, not a request value, because send calls it once per attempt with that
// attempt's context (its timeout and credential).
type httpCall = func(context.Context) (*http.Response, error)

// request is what the client's policy needs to know about one request besides how to
// send it. The per-method code says only what differs between operations: which
// operation at which path ids, how to build the request (the httpCall) and how to
// read the answer (the conversion given to call or list).
type request struct {
	op op
	// ids are the request's path parameters, checked before anything is sent.
	ids []string
	// secrets are values the request carries (a password, a signing secret), redacted
	// from every error in case the platform echoes them.
	secrets []string
}

// at is the operation addressed to the resource its path ids name.
func (o op) at(ids ...string) request { return request{op: o, ids: ids} }

// redacting names the values of the request that must never appear in an error.
func (r request) redacting(secrets ...string) request {
	r.secrets = secrets
	return r
}

// check refuses the request before it is sent if a path id is empty.
func (r request) check() error {
	for _, id := range r.ids {
		if strings.TrimSpace(id) == "" {
			return invalid(r.op, msgEmptyPathID)
		}
	}
	return nil
}

func invalid(o op, msg string) error {
	return &Error{Kind: KindInvalid, Operation: o.name, Message: msg}
}

// do checks r and sends it with the client's policy (send).
func (c *client) do(ctx context.Context, r request, fn httpCall) (*answer, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	return c.send(ctx, r.op, r.secrets, fn)
}

// exec runs an operation whose 2xx body the Client does not need.
func (c *client) exec(ctx context.Context, r request, fn httpCall) error {
	_, err := c.do(ctx, r, fn)
	return err
}

// call runs an operation, decodes its 2xx body as the contract's R and converts it to
// the package's T. conv returns an error for a body that decodes but lacks what the
// method promises (an empty id, no password).
func call[R, T any](ctx context.Context, c *client, r request, conv func(*R) (T, error), fn httpCall) (T, error) {
	var zero T
	a, err := c.do(ctx, r, fn)
	if err != nil {
		return zero, err
	}
	v, err := decodeJSON[R](r.op, a)
	if err != nil {
		return zero, err
	}
	return conv(v)
}

// list runs a paginated operation for every page (walkPages) and concatenates the
// items. fn sends the request for one page; read takes the items and what the page
// says about the walk from one decoded page R. A request call refuses ends the walk
// on its first page, before anything is sent.
func list[R, T any](ctx context.Context, c *client, r request, fn func(ctx context.Context, page, perPage int) (*http.Response, error), read func(*R) ([]T, pageInfo)) ([]T, error) {
	return walkPages(ctx, r.op.name, func(ctx context.Context, page, perPage int) ([]T, pageInfo, error) {
		p, err := call(ctx, c, r, decoded[R], func(ctx context.Context) (*http.Response, error) {
			return fn(ctx, page, perPage)
		})
		if err != nil {
			return nil, pageInfo{}, err
		}
		items, info := read(p)
		return items, info, nil
	})
}

// decoded is the conversion of a body the caller reads itself.
func decoded[R any](v *R) (*R, error) { return v, nil }

// one adapts the conversion of one object to what call takes: the method returns a
// pointer to it, and a decoded object always converts.
func one[R, T any](conv func(*R) T) func(*R) (*T, error) {
	return func(v *R) (*T, error) {
		out := conv(v)
		return &out, nil
	}
}

// each converts every item of a decoded list. The result is never nil: the Client's
// lists are empty, not nil, when the platform has nothing.
func each[R, T any](items []R, conv func(*R) T) []T {
	out := make([]T, 0, len(items))
	for i := range items {
		out = append(out, conv(&items[i]))
	}
	return out
}
