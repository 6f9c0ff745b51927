package platformsim

import (
	"context"

	"enterprise-operator/internal/platformsim/apiserver"
)

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
