package platformsim

import (
	"context"
	"net/http"

	"enterprise-operator/internal/platformsim/apiserver"
)

func (h *strictServer) checkURL(raw string) *apiError {
	if e := checkWebhookURL(raw, h.s.opts.AllowInsecureWebhookURLs); e != nil {
		e.Status = http.StatusUnprocessableEntity
		return e
	}
	return nil
}

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
