package platformsim

import (
	"context"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"enterprise-operator/internal/platformsim/apiserver"
)

// strictServer implements the generated strict server interface over the store.
// Its methods, one per operation of the contract and in handlers_*.go by kind, are
// each only the glue from a request to the store and back (conversions are in
// convert.go, the rules in state_*.go).
type strictServer struct{ s *Server }

var _ apiserver.StrictServerInterface = (*strictServer)(nil)

func embeddedSpec() (*openapi3.T, error) { return apiserver.GetSpec() }

func newAPIHandler(s *Server) (http.Handler, error) {
	strict := apiserver.NewStrictHandlerWithOptions(&strictServer{s: s}, nil, apiserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, r, errInvalid("body", "invalid request: %v", err))
		},
		ResponseErrorHandlerFunc: writeError,
	})
	return apiserver.HandlerWithOptions(strict, apiserver.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, r, errInvalid("parameter", "invalid request: %v", err))
		},
	}), nil
}

func (h *strictServer) sc(ctx context.Context) scope { return scopeFrom(ctx) }
