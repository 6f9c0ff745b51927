package platformsim

import (
	"context"

	"enterprise-operator/internal/platformsim/apiserver"
)

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
