package platformsim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"enterprise-operator/internal/platform/api"
	"enterprise-operator/internal/platformsim/apiserver"
)

// tokenError is the Error body of a failed token request: "error" carries the RFC
// 6749 error code.
func tokenError(status int, code, desc string) *apiError {
	return &apiError{Status: status, Name: code, Message: code, Context: map[string]any{"error_description": desc}}
}

func (h *strictServer) GetToken(ctx context.Context, req apiserver.GetTokenRequestObject) (apiserver.GetTokenResponseObject, error) {
	if req.Body == nil || req.Body.GrantType != api.ClientCredentials {
		return nil, tokenError(http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
	}
	id, secret := deref(req.Body.ClientId), deref(req.Body.ClientSecret)
	if r := requestFrom(ctx); r != nil {
		if u, p, okBasic := r.BasicAuth(); okBasic {
			// RFC 6749 2.3.1: Basic credentials are form-urlencoded.
			if du, err := url.QueryUnescape(u); err == nil {
				u = du
			}
			if dp, err := url.QueryUnescape(p); err == nil {
				p = dp
			}
			id, secret = u, p
		}
	}
	if id == "" {
		return nil, tokenError(http.StatusUnauthorized, "invalid_client", "client authentication is required")
	}
	cred, found := h.s.auth.clientCredentials(id, secret)
	if !found {
		return nil, tokenError(http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
	}
	scopeStr := deref(req.Body.Scope)
	if scopeStr == "" {
		scopeStr = "API"
	}
	for _, sc := range strings.Fields(scopeStr) {
		if sc != "API" {
			return nil, tokenError(http.StatusBadRequest, "invalid_scope", fmt.Sprintf("unknown scope %q", sc))
		}
	}
	tok, ttl := h.s.auth.issue(cred, scopeStr)
	secs := int(ttl.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return apiserver.GetToken200JSONResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: &secs, Scope: &scopeStr}, nil
}
