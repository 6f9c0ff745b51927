package platformsim

import (
	"context"

	"enterprise-operator/internal/platformsim/apiserver"
)

// ---- groups (seed 001, v3) ----

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
