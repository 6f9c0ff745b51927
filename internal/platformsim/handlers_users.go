package platformsim

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"enterprise-operator/internal/platform/api"
	"enterprise-operator/internal/platformsim/apiserver"
)

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

// ---- users (seed 001, v3) ----

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
