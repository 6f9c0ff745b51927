package platformsim

import (
	"context"

	"enterprise-operator/internal/platform/api"
	"enterprise-operator/internal/platformsim/apiserver"
)

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
