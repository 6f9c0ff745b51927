package platformsim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"enterprise-operator/internal/platform/api"
	"enterprise-operator/internal/platformsim/apiserver"
)

// strictServer implements the generated strict server interface over the store.
// This file holds its methods, one per operation of the contract and each only the
// glue from a request to the store and back (conversions are in convert.go, the
// rules in state_*.go). It is the package's longest file because the contract has
// that many operations; split by kind it would scatter one index of them.
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

func (h *strictServer) checkURL(raw string) *apiError {
	if e := checkWebhookURL(raw, h.s.opts.AllowInsecureWebhookURLs); e != nil {
		e.Status = http.StatusUnprocessableEntity
		return e
	}
	return nil
}

// ---- auth ----

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

// ---- companies and target users (seed 003) ----

func (h *strictServer) SearchCompanies(ctx context.Context, req apiserver.SearchCompaniesRequestObject) (apiserver.SearchCompaniesResponseObject, error) {
	p := principalFrom(ctx)
	if p == nil || !p.cred.Reseller {
		return nil, errf(http.StatusForbidden, NameForbidden, nil, "only reseller credentials may list companies")
	}
	infos := h.s.store.listCompanies(p.cred.CompanyIDs)
	if req.Body.IsTargetUserCountExceededLimit != nil && *req.Body.IsTargetUserCountExceededLimit {
		infos = slices.DeleteFunc(infos, func(c CompanyInfo) bool {
			return c.LicenseTargetUserLimit <= 0 || c.TargetUserCount <= c.LicenseTargetUserLimit
		})
	}
	switch strings.ToLower(req.Body.OrderBy) {
	case "name":
		sort.SliceStable(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
	case "targetusercount":
		sort.SliceStable(infos, func(i, j int) bool { return infos[i].TargetUserCount < infos[j].TargetUserCount })
	default: // CreateTime
		sort.SliceStable(infos, func(i, j int) bool { return infos[i].CreatedAt.Before(infos[j].CreatedAt) })
	}
	if !req.Body.Ascending {
		slices.Reverse(infos)
	}
	items := make([]api.CompanySummary, 0, len(infos))
	for _, c := range infos {
		limit, count, name, created := c.LicenseTargetUserLimit, c.TargetUserCount, c.Name, c.CreatedAt
		items = append(items, api.CompanySummary{ResourceId: api.ID(c.ResourceID), Name: &name,
			LicenseTargetUserLimit: &limit, TargetUserCount: &count, CreateTime: &created})
	}
	pg := pagerOf(&req.Body.PageNumber, &req.Body.PageSize)
	data, total, pages := cut(items, pg.window()), len(items), pg.pages(len(items))
	status := "Success"
	return apiserver.SearchCompanies200JSONResponse{Status: &status, Items: &data, PageNumber: &pg.page, PageSize: &pg.perPage,
		TotalNumberOfRecords: &total, TotalNumberOfPages: &pages, ValidationMessages: &[]string{}}, nil
}

func (h *strictServer) CreateTargetUser(ctx context.Context, req apiserver.CreateTargetUserRequestObject) (apiserver.CreateTargetUserResponseObject, error) {
	p := principalFrom(ctx)
	company := ""
	switch {
	case p == nil:
	case p.companyID != "":
		company = p.companyID
	case !p.cred.Reseller && len(p.cred.CompanyIDs) == 1:
		company = p.cred.CompanyIDs[0]
	}
	if company == "" {
		return nil, errInvalid(CompanyHeader, "the %s header is required to choose the company", CompanyHeader)
	}
	b := req.Body
	t, err := h.s.store.createTargetUser(company, TargetUser{
		Email: b.Email, FirstName: deref(b.FirstName), LastName: deref(b.LastName), Department: deref(b.Department),
		Priority: deref(b.Priority), IsActive: b.IsActive == nil || *b.IsActive, PhoneNumber: b.PhoneNumber,
		TargetGroupResourceIDs: deref(b.TargetGroupResourceIds), TimeZoneID: deref(b.TimeZoneId),
		PreferredLanguageID: deref(b.PreferredLanguageId), ManagerFirstName: deref(b.ManagerFirstName),
		ManagerLastName: deref(b.ManagerLastName), ManagerEmail: deref(b.ManagerEmail),
	})
	if err != nil {
		return nil, err
	}
	status, msg := "Success", "target user created"
	return apiserver.CreateTargetUser200JSONResponse{Status: &status, Message: &msg, ResourceId: idPtr(t.ID),
		ValidationMessages: &[]string{}}, nil
}

// ---- enterprises ----

func (h *strictServer) CreateEnterprise(ctx context.Context, req apiserver.CreateEnterpriseRequestObject) (apiserver.CreateEnterpriseResponseObject, error) {
	e, _, err := h.s.store.createEnterprise(h.sc(ctx), EnterpriseInput{
		OrganizationID: req.OrganizationId, AdminEmail: req.Body.Email, IdempotencyKey: req.Body.IdempotencyKey,
		AdditionalAdmins: req.Body.AdditionalAdmins, ThirdPartyIdentifiers: fromAPITPI(req.Body.ThirdPartyIdentifier),
	})
	if err != nil {
		return nil, err
	}
	return apiserver.CreateEnterprise200JSONResponse{EnterpriseId: e.ID, UserId: e.AdminUserID}, nil
}

func (h *strictServer) GetEnterprise(ctx context.Context, req apiserver.GetEnterpriseRequestObject) (apiserver.GetEnterpriseResponseObject, error) {
	e, err := h.s.store.getEnterprise(h.sc(ctx), req.EnterpriseId)
	if err != nil {
		return nil, err
	}
	return apiserver.GetEnterprise200JSONResponse(toAPIEnterprise(e)), nil
}

func (h *strictServer) UpdateEnterprise(ctx context.Context, req apiserver.UpdateEnterpriseRequestObject) (apiserver.UpdateEnterpriseResponseObject, error) {
	var p EnterprisePatch
	p.AdditionalAdmins = req.Body.AdditionalAdmins
	if req.Body.ThirdPartyIdentifier != nil {
		tpi := fromAPITPI(req.Body.ThirdPartyIdentifier)
		p.ThirdPartyIdentifiers = &tpi
	}
	e, err := h.s.store.updateEnterprise(h.sc(ctx), req.EnterpriseId, p)
	if err != nil {
		return nil, err
	}
	return apiserver.UpdateEnterprise200JSONResponse(toAPIEnterprise(e)), nil
}

func (h *strictServer) DeleteEnterprise(ctx context.Context, req apiserver.DeleteEnterpriseRequestObject) (apiserver.DeleteEnterpriseResponseObject, error) {
	if err := h.s.store.deleteEnterprise(h.sc(ctx), req.EnterpriseId); err != nil {
		return nil, err
	}
	return apiserver.DeleteEnterprise200JSONResponse(deleted("enterprise")), nil
}

// ---- users (seed 000 + extension) ----

func (h *strictServer) ListEnterpriseUsers(ctx context.Context, req apiserver.ListEnterpriseUsersRequestObject) (apiserver.ListEnterpriseUsersResponseObject, error) {
	p, pg := req.Params, pagerOf(req.Params.Page, req.Params.PerPage)
	users, total, err := h.s.store.listUsers(h.sc(ctx), req.EnterpriseId,
		UserFilter{Search: deref(p.Search), Status: deref(p.Status), RoleID: deref(p.RoleId)}, pg.window())
	if err != nil {
		return nil, err
	}
	return apiserver.ListEnterpriseUsers200JSONResponse(pageOf(pg, users, total, toAPIUser)), nil
}

func (h *strictServer) CreateEnterpriseUser(ctx context.Context, req apiserver.CreateEnterpriseUserRequestObject) (apiserver.CreateEnterpriseUserResponseObject, error) {
	b := req.Body
	if deref(b.Password) == "" {
		return nil, errInvalid("password", "password is required")
	}
	u, err := h.s.store.createUser(h.sc(ctx), req.EnterpriseId, UserInput{
		Username: b.Username, Password: deref(b.Password), Email: deref(b.Email), FirstName: deref(b.FirstName),
		LastName: deref(b.LastName), Phone: deref(b.Phone), Mobile: deref(b.Mobile), Title: deref(b.Title),
		Department: deref(b.Department), RoleIDs: deref(b.RoleIds),
	})
	if err != nil {
		return nil, err
	}
	return apiserver.CreateEnterpriseUser201JSONResponse(toAPIUser(u)), nil
}

func (h *strictServer) GetEnterpriseUser(ctx context.Context, req apiserver.GetEnterpriseUserRequestObject) (apiserver.GetEnterpriseUserResponseObject, error) {
	u, err := h.s.store.getUser(h.sc(ctx), req.EnterpriseId, req.UserId)
	if err != nil {
		return nil, err
	}
	return apiserver.GetEnterpriseUser200JSONResponse(toAPIUser(u)), nil
}

func (h *strictServer) UpdateEnterpriseUser(ctx context.Context, req apiserver.UpdateEnterpriseUserRequestObject) (apiserver.UpdateEnterpriseUserResponseObject, error) {
	b := req.Body
	u, err := h.s.store.updateUser(h.sc(ctx), req.EnterpriseId, req.UserId, UserPatch{
		Email: b.Email, FirstName: b.FirstName, LastName: b.LastName, Phone: b.Phone, Mobile: b.Mobile,
		Title: b.Title, Department: b.Department, RoleIDs: b.RoleIds,
	})
	if err != nil {
		return nil, err
	}
	return apiserver.UpdateEnterpriseUser200JSONResponse(toAPIUser(u)), nil
}

func (h *strictServer) DeleteEnterpriseUser(ctx context.Context, req apiserver.DeleteEnterpriseUserRequestObject) (apiserver.DeleteEnterpriseUserResponseObject, error) {
	if err := h.s.store.deleteUser(h.sc(ctx), req.EnterpriseId, req.UserId); err != nil {
		return nil, err
	}
	return apiserver.DeleteEnterpriseUser200JSONResponse(deleted("user")), nil
}

func (h *strictServer) ActivateEnterpriseUser(ctx context.Context, req apiserver.ActivateEnterpriseUserRequestObject) (apiserver.ActivateEnterpriseUserResponseObject, error) {
	u, err := h.s.store.setUserStatus(h.sc(ctx), req.EnterpriseId, req.UserId, StatusActive)
	if err != nil {
		return nil, err
	}
	return apiserver.ActivateEnterpriseUser200JSONResponse(toAPIUser(u)), nil
}

func (h *strictServer) SuspendEnterpriseUser(ctx context.Context, req apiserver.SuspendEnterpriseUserRequestObject) (apiserver.SuspendEnterpriseUserResponseObject, error) {
	u, err := h.s.store.setUserStatus(h.sc(ctx), req.EnterpriseId, req.UserId, StatusSuspended)
	if err != nil {
		return nil, err
	}
	return apiserver.SuspendEnterpriseUser200JSONResponse(toAPIUser(u)), nil
}

func (h *strictServer) ResetEnterpriseUserPassword(ctx context.Context, req apiserver.ResetEnterpriseUserPasswordRequestObject) (apiserver.ResetEnterpriseUserPasswordResponseObject, error) {
	pw, u, err := h.s.store.resetPassword(h.sc(ctx), req.EnterpriseId, req.UserId)
	if err != nil {
		return nil, err
	}
	return apiserver.ResetEnterpriseUserPassword200JSONResponse{UserId: api.ID(u.ID), TemporaryPassword: pw}, nil
}

// ---- users and groups (seed 001, v3) ----

func (h *strictServer) ListEnterpriseUsersV3(ctx context.Context, req apiserver.ListEnterpriseUsersV3RequestObject) (apiserver.ListEnterpriseUsersV3ResponseObject, error) {
	sc := h.sc(ctx)
	e, err := h.s.store.getEnterprise(sc, req.EnterpriseId)
	if err != nil {
		return nil, err
	}
	users, _, err := h.s.store.listUsers(sc, req.EnterpriseId, UserFilter{}, everything)
	if err != nil {
		return nil, err
	}
	var domain string
	if ds, _, _ := h.s.store.listDomains(sc, req.EnterpriseId, nil, everything); len(ds) > 0 {
		domain = ds[0].Name
		for _, d := range ds {
			if d.IsPrimary {
				domain = d.Name
			}
		}
	}
	ent := api.V3Enterprise{Id: idPtr(e.ID), Name: opt(e.Name), Domain: opt(domain)}
	out := make([]api.V3User, 0, len(users))
	for _, u := range users {
		nick := strings.TrimSpace(u.FirstName + " " + u.LastName)
		if nick == "" {
			nick = u.Username
		}
		agent := fmt.Sprint(u.IsAgent)
		out = append(out, api.V3User{
			Id: idPtr(u.ID), UserId: idPtr(u.ID), Enterprise: &ent, Nickname: &nick, FirstName: opt(u.FirstName),
			LastName: opt(u.LastName), Username: &u.Username, IsAgent: &agent, Email: opt(u.Email),
			Title: opt(u.Title), Phone: opt(u.Phone), Mobile: opt(u.Mobile),
		})
	}
	return apiserver.ListEnterpriseUsersV3200JSONResponse{Users: &out}, nil
}

func (h *strictServer) CreateUser(ctx context.Context, req apiserver.CreateUserRequestObject) (apiserver.CreateUserResponseObject, error) {
	p := req.Params
	entID := deref(p.EnterpriseId)
	if entID == "" {
		if pr := principalFrom(ctx); pr != nil {
			entID = pr.cred.EnterpriseID
		}
	}
	if entID == "" {
		return nil, errInvalid("enterpriseId", "enterpriseId is required: the token has no enterprise")
	}
	u, err := h.s.store.createUser(h.sc(ctx), entID, UserInput{
		Username: p.Username, Password: p.Password, Email: deref(p.Email), Mobile: deref(p.Phone),
		FirstName: deref(p.FirstName), LastName: deref(p.LastName),
	})
	if err != nil {
		return nil, err
	}
	return apiserver.CreateUser200JSONResponse{ResultCode: ok(), UserId: idPtr(u.ID)}, nil
}

func (h *strictServer) UpdateUser(ctx context.Context, req apiserver.UpdateUserRequestObject) (apiserver.UpdateUserResponseObject, error) {
	sc := h.sc(ctx)
	entID, err := h.s.store.findUserAnywhere(sc, req.Params.Userid)
	if err != nil {
		return nil, err
	}
	// The contract models no updatable field of this operation: it only touches the user.
	u, err := h.s.store.updateUser(sc, entID, req.Params.Userid, UserPatch{})
	if err != nil {
		return nil, err
	}
	return apiserver.UpdateUser200JSONResponse{ResultCode: ok(), UserId: idPtr(u.ID)}, nil
}

func (h *strictServer) DeleteUser(ctx context.Context, req apiserver.DeleteUserRequestObject) (apiserver.DeleteUserResponseObject, error) {
	sc := h.sc(ctx)
	entID, err := h.s.store.findUserAnywhere(sc, req.Params.UserId)
	if err != nil {
		return nil, err
	}
	if err := h.s.store.deleteUser(sc, entID, req.Params.UserId); err != nil {
		return nil, err
	}
	return apiserver.DeleteUser200JSONResponse{ResultCode: ok(), UserId: idPtr(req.Params.UserId)}, nil
}

func (h *strictServer) GetUserIdByEmail(ctx context.Context, req apiserver.GetUserIdByEmailRequestObject) (apiserver.GetUserIdByEmailResponseObject, error) {
	e, u, err := h.s.store.findUserByEmail(h.sc(ctx), req.Params.Email)
	if err != nil {
		return nil, err
	}
	return apiserver.GetUserIdByEmail200JSONResponse{UserId: api.ID(u.ID), EnterpriseOd: idPtr(e.ID), FirstName: opt(u.FirstName),
		LastName: opt(u.LastName), ResultCode: ok()}, nil
}

func (h *strictServer) GetCurrentUser(ctx context.Context, _ apiserver.GetCurrentUserRequestObject) (apiserver.GetCurrentUserResponseObject, error) {
	p := principalFrom(ctx)
	if p == nil {
		return nil, errf(http.StatusUnauthorized, NameUnauthorized, nil, "missing bearer token")
	}
	nick, agent := p.nickname(), "false"
	return apiserver.GetCurrentUser200JSONResponse{UserId: api.ID(p.userID()), EnterpriseId: api.ID(p.cred.EnterpriseID),
		Nickname: &nick, IsAgent: &agent}, nil
}

func (h *strictServer) RequestPasswordReset(ctx context.Context, req apiserver.RequestPasswordResetRequestObject) (apiserver.RequestPasswordResetResponseObject, error) {
	if !h.s.store.resetPasswordByLogin(h.sc(ctx), req.Params.Login) {
		return nil, errf(http.StatusNotFound, NameNotFound, map[string]any{"kind": "user", "login": req.Params.Login},
			"no user with login %q", req.Params.Login)
	}
	return apiserver.RequestPasswordReset200JSONResponse{ResultCode: ok()}, nil
}

func (h *strictServer) ListEnterpriseGroups(ctx context.Context, req apiserver.ListEnterpriseGroupsRequestObject) (apiserver.ListEnterpriseGroupsResponseObject, error) {
	groups, err := h.s.store.listGroups(h.sc(ctx), req.EnterpriseId)
	if err != nil {
		return nil, err
	}
	out := make(apiserver.ListEnterpriseGroups200JSONResponse, 0, len(groups))
	for _, g := range groups {
		out = append(out, toAPIGroup(g))
	}
	return out, nil
}

func (h *strictServer) ListEnterpriseGroupMembers(ctx context.Context, req apiserver.ListEnterpriseGroupMembersRequestObject) (apiserver.ListEnterpriseGroupMembersResponseObject, error) {
	members, err := h.s.store.listMembers(h.sc(ctx), req.EnterpriseId, req.GroupId)
	if err != nil {
		return nil, err
	}
	return apiserver.ListEnterpriseGroupMembers200JSONResponse{apiIDs(members)}, nil
}

// ---- groups (extension) ----

func (h *strictServer) CreateEnterpriseGroup(ctx context.Context, req apiserver.CreateEnterpriseGroupRequestObject) (apiserver.CreateEnterpriseGroupResponseObject, error) {
	g, err := h.s.store.createGroup(h.sc(ctx), req.EnterpriseId, GroupInput{
		Name: req.Body.Name, Description: req.Body.Description, ExternalReference: req.Body.ExternalReference})
	if err != nil {
		return nil, err
	}
	return apiserver.CreateEnterpriseGroup201JSONResponse(toAPIGroup(g)), nil
}

func (h *strictServer) GetEnterpriseGroup(ctx context.Context, req apiserver.GetEnterpriseGroupRequestObject) (apiserver.GetEnterpriseGroupResponseObject, error) {
	g, err := h.s.store.getGroup(h.sc(ctx), req.EnterpriseId, req.GroupId)
	if err != nil {
		return nil, err
	}
	return apiserver.GetEnterpriseGroup200JSONResponse(toAPIGroup(g)), nil
}

// UpdateEnterpriseGroup sets name, description and external reference: an omitted
// description or external reference is cleared (the body is the whole group).
func (h *strictServer) UpdateEnterpriseGroup(ctx context.Context, req apiserver.UpdateEnterpriseGroupRequestObject) (apiserver.UpdateEnterpriseGroupResponseObject, error) {
	desc, ext := deref(req.Body.Description), deref(req.Body.ExternalReference)
	g, err := h.s.store.updateGroup(h.sc(ctx), req.EnterpriseId, req.GroupId, GroupInput{
		Name: req.Body.Name, Description: &desc, ExternalReference: &ext})
	if err != nil {
		return nil, err
	}
	return apiserver.UpdateEnterpriseGroup200JSONResponse(toAPIGroup(g)), nil
}

func (h *strictServer) DeleteEnterpriseGroup(ctx context.Context, req apiserver.DeleteEnterpriseGroupRequestObject) (apiserver.DeleteEnterpriseGroupResponseObject, error) {
	if err := h.s.store.deleteGroup(h.sc(ctx), req.EnterpriseId, req.GroupId); err != nil {
		return nil, err
	}
	return apiserver.DeleteEnterpriseGroup200JSONResponse(deleted("group")), nil
}

func (h *strictServer) AddEnterpriseGroupMember(ctx context.Context, req apiserver.AddEnterpriseGroupMemberRequestObject) (apiserver.AddEnterpriseGroupMemberResponseObject, error) {
	if _, err := h.s.store.addMember(h.sc(ctx), req.EnterpriseId, req.GroupId, req.UserId); err != nil {
		return nil, err
	}
	return apiserver.AddEnterpriseGroupMember204Response{}, nil
}

func (h *strictServer) RemoveEnterpriseGroupMember(ctx context.Context, req apiserver.RemoveEnterpriseGroupMemberRequestObject) (apiserver.RemoveEnterpriseGroupMemberResponseObject, error) {
	if _, err := h.s.store.removeMember(h.sc(ctx), req.EnterpriseId, req.GroupId, req.UserId); err != nil {
		return nil, err
	}
	return apiserver.RemoveEnterpriseGroupMember204Response{}, nil
}

// ---- roles ----

func (h *strictServer) ListEnterpriseRoles(ctx context.Context, req apiserver.ListEnterpriseRolesRequestObject) (apiserver.ListEnterpriseRolesResponseObject, error) {
	pg := pagerOf(req.Params.Page, req.Params.PerPage)
	roles, total, err := h.s.store.listRoles(h.sc(ctx), req.EnterpriseId, deref(req.Params.Search), pg.window())
	if err != nil {
		return nil, err
	}
	return apiserver.ListEnterpriseRoles200JSONResponse(pageOf(pg, roles, total, toAPIRole)), nil
}

func (h *strictServer) CreateEnterpriseRole(ctx context.Context, req apiserver.CreateEnterpriseRoleRequestObject) (apiserver.CreateEnterpriseRoleResponseObject, error) {
	r, err := h.s.store.createRole(h.sc(ctx), req.EnterpriseId, RoleInput{
		Name: req.Body.Name, Description: req.Body.Description, Permissions: req.Body.Permissions})
	if err != nil {
		return nil, err
	}
	return apiserver.CreateEnterpriseRole201JSONResponse(toAPIRole(r)), nil
}

func (h *strictServer) GetEnterpriseRole(ctx context.Context, req apiserver.GetEnterpriseRoleRequestObject) (apiserver.GetEnterpriseRoleResponseObject, error) {
	r, err := h.s.store.getRole(h.sc(ctx), req.EnterpriseId, req.RoleId)
	if err != nil {
		return nil, err
	}
	return apiserver.GetEnterpriseRole200JSONResponse(toAPIRole(r)), nil
}

func (h *strictServer) UpdateEnterpriseRole(ctx context.Context, req apiserver.UpdateEnterpriseRoleRequestObject) (apiserver.UpdateEnterpriseRoleResponseObject, error) {
	r, err := h.s.store.updateRole(h.sc(ctx), req.EnterpriseId, req.RoleId, RoleInput{
		Name: deref(req.Body.Name), Description: req.Body.Description, Permissions: req.Body.Permissions})
	if err != nil {
		return nil, err
	}
	return apiserver.UpdateEnterpriseRole200JSONResponse(toAPIRole(r)), nil
}

func (h *strictServer) DeleteEnterpriseRole(ctx context.Context, req apiserver.DeleteEnterpriseRoleRequestObject) (apiserver.DeleteEnterpriseRoleResponseObject, error) {
	if err := h.s.store.deleteRole(h.sc(ctx), req.EnterpriseId, req.RoleId); err != nil {
		return nil, err
	}
	return apiserver.DeleteEnterpriseRole200JSONResponse(deleted("role")), nil
}

// ---- domains ----

func (h *strictServer) ListEnterpriseDomains(ctx context.Context, req apiserver.ListEnterpriseDomainsRequestObject) (apiserver.ListEnterpriseDomainsResponseObject, error) {
	pg := pagerOf(req.Params.Page, req.Params.PerPage)
	ds, total, err := h.s.store.listDomains(h.sc(ctx), req.EnterpriseId, req.Params.Verified, pg.window())
	if err != nil {
		return nil, err
	}
	return apiserver.ListEnterpriseDomains200JSONResponse(pageOf(pg, ds, total, toAPIDomain)), nil
}

func (h *strictServer) CreateEnterpriseDomain(ctx context.Context, req apiserver.CreateEnterpriseDomainRequestObject) (apiserver.CreateEnterpriseDomainResponseObject, error) {
	d, err := h.s.store.createDomain(h.sc(ctx), req.EnterpriseId, req.Body.Domain, false)
	if err != nil {
		return nil, err
	}
	return apiserver.CreateEnterpriseDomain201JSONResponse(toAPIDomain(d)), nil
}

func (h *strictServer) GetEnterpriseDomain(ctx context.Context, req apiserver.GetEnterpriseDomainRequestObject) (apiserver.GetEnterpriseDomainResponseObject, error) {
	d, err := h.s.store.getDomain(h.sc(ctx), req.EnterpriseId, req.DomainId)
	if err != nil {
		return nil, err
	}
	return apiserver.GetEnterpriseDomain200JSONResponse(toAPIDomain(d)), nil
}

func (h *strictServer) UpdateEnterpriseDomain(ctx context.Context, req apiserver.UpdateEnterpriseDomainRequestObject) (apiserver.UpdateEnterpriseDomainResponseObject, error) {
	d, err := h.s.store.updateDomain(h.sc(ctx), req.EnterpriseId, req.DomainId, req.Body.IsPrimary)
	if err != nil {
		return nil, err
	}
	return apiserver.UpdateEnterpriseDomain200JSONResponse(toAPIDomain(d)), nil
}

func (h *strictServer) DeleteEnterpriseDomain(ctx context.Context, req apiserver.DeleteEnterpriseDomainRequestObject) (apiserver.DeleteEnterpriseDomainResponseObject, error) {
	if err := h.s.store.deleteDomain(h.sc(ctx), req.EnterpriseId, req.DomainId); err != nil {
		return nil, err
	}
	return apiserver.DeleteEnterpriseDomain200JSONResponse(deleted("domain")), nil
}

func (h *strictServer) GetDomainVerificationStatus(ctx context.Context, req apiserver.GetDomainVerificationStatusRequestObject) (apiserver.GetDomainVerificationStatusResponseObject, error) {
	d, err := h.s.store.getDomain(h.sc(ctx), req.EnterpriseId, req.DomainId)
	if err != nil {
		return nil, err
	}
	return apiserver.GetDomainVerificationStatus200JSONResponse{
		DomainId: api.ID(d.ID), Status: api.DomainStatus(d.State), Verified: d.State == DomainVerified, Message: opt(d.Message),
		VerificationRecord: record(d), LastCheckedAt: d.LastCheck, NextCheckAt: d.NextCheck,
	}, nil
}

func (h *strictServer) VerifyEnterpriseDomain(ctx context.Context, req apiserver.VerifyEnterpriseDomainRequestObject) (apiserver.VerifyEnterpriseDomainResponseObject, error) {
	sc := h.sc(ctx)
	d, err := h.s.store.getDomain(sc, req.EnterpriseId, req.DomainId)
	if err != nil {
		return nil, err
	}
	if d.State != DomainVerified {
		found, msg := h.s.lookupVerification(ctx, d.RecordName, d.RecordValue)
		if d, err = h.s.store.recordCheck(sc, req.EnterpriseId, req.DomainId, found, msg, h.s.opts.VerificationRecheck); err != nil {
			return nil, err
		}
	}
	return apiserver.VerifyEnterpriseDomain200JSONResponse{
		DomainId: api.ID(d.ID), Status: api.DomainStatus(d.State), Verified: d.State == DomainVerified, Message: opt(d.Message),
		LastCheckedAt: d.LastCheck, NextCheckAt: d.NextCheck,
	}, nil
}

// ---- webhooks ----

func (h *strictServer) ListEnterpriseWebhooks(ctx context.Context, req apiserver.ListEnterpriseWebhooksRequestObject) (apiserver.ListEnterpriseWebhooksResponseObject, error) {
	pg := pagerOf(req.Params.Page, req.Params.PerPage)
	ws, total, err := h.s.store.listWebhooks(h.sc(ctx), req.EnterpriseId, pg.window())
	if err != nil {
		return nil, err
	}
	return apiserver.ListEnterpriseWebhooks200JSONResponse(pageOf(pg, ws, total, toAPIWebhook)), nil
}

func (h *strictServer) CreateEnterpriseWebhook(ctx context.Context, req apiserver.CreateEnterpriseWebhookRequestObject) (apiserver.CreateEnterpriseWebhookResponseObject, error) {
	b := req.Body
	w, err := h.s.store.createWebhook(h.sc(ctx), req.EnterpriseId, WebhookInput{
		URL: &b.Url, Events: &b.Events, Active: b.Active, SigningSecret: b.SigningSecret}, h.checkURL)
	if err != nil {
		return nil, err
	}
	return apiserver.CreateEnterpriseWebhook201JSONResponse(toAPIWebhook(w)), nil
}

func (h *strictServer) GetEnterpriseWebhook(ctx context.Context, req apiserver.GetEnterpriseWebhookRequestObject) (apiserver.GetEnterpriseWebhookResponseObject, error) {
	w, err := h.s.store.getWebhook(h.sc(ctx), req.EnterpriseId, req.WebhookId)
	if err != nil {
		return nil, err
	}
	return apiserver.GetEnterpriseWebhook200JSONResponse(toAPIWebhook(w)), nil
}

func (h *strictServer) UpdateEnterpriseWebhook(ctx context.Context, req apiserver.UpdateEnterpriseWebhookRequestObject) (apiserver.UpdateEnterpriseWebhookResponseObject, error) {
	b := req.Body
	w, err := h.s.store.updateWebhook(h.sc(ctx), req.EnterpriseId, req.WebhookId, WebhookInput{
		URL: b.Url, Events: b.Events, Active: b.Active, SigningSecret: b.SigningSecret}, h.checkURL)
	if err != nil {
		return nil, err
	}
	return apiserver.UpdateEnterpriseWebhook200JSONResponse(toAPIWebhook(w)), nil
}

func (h *strictServer) DeleteEnterpriseWebhook(ctx context.Context, req apiserver.DeleteEnterpriseWebhookRequestObject) (apiserver.DeleteEnterpriseWebhookResponseObject, error) {
	if err := h.s.store.deleteWebhook(h.sc(ctx), req.EnterpriseId, req.WebhookId); err != nil {
		return nil, err
	}
	return apiserver.DeleteEnterpriseWebhook200JSONResponse(deleted("webhook")), nil
}

func (h *strictServer) TestEnterpriseWebhook(ctx context.Context, req apiserver.TestEnterpriseWebhookRequestObject) (apiserver.TestEnterpriseWebhookResponseObject, error) {
	sc := h.sc(ctx)
	w, err := h.s.store.getWebhook(sc, req.EnterpriseId, req.WebhookId)
	if err != nil {
		return nil, err
	}
	h.s.store.mu.Lock()
	eventID := "evt_" + h.s.store.newID()
	h.s.store.mu.Unlock()
	// Deliver outside the state lock, detached from the caller's cancellation but
	// bounded by WebhookTimeout.
	res := deliverTest(context.WithoutCancel(ctx), h.s.webhooks, h.s.opts.WebhookTimeout, req.EnterpriseId, w, eventID, h.s.opts.Now())
	h.s.store.recordWebhookTest(sc, req.EnterpriseId, req.WebhookId, res)
	code := res.StatusCode
	return apiserver.TestEnterpriseWebhook200JSONResponse{Success: res.Success, StatusCode: &code, Message: &res.Message,
		TestedAt: res.TestedAt}, nil
}
