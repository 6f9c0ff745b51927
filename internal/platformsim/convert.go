package platformsim

import (
	"math"
	"time"

	"enterprise-operator/internal/platform/api"
)

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// idPtr is the contract's Id for a stored id (always answered as a JSON string).
func idPtr(s string) *api.ID {
	id := api.ID(s)
	return &id
}

// apiIDs converts stored ids to the contract's Id; nil becomes an empty list.
func apiIDs(ids []string) []api.ID {
	out := make([]api.ID, len(ids))
	for i, id := range ids {
		out[i] = api.ID(id)
	}
	return out
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// pager is a list request's page (from 1) and page size, with the contract's
// defaults.
type pager struct{ page, perPage int }

func pagerOf(page, perPage *int) pager {
	p := pager{page: 1, perPage: 20}
	if page != nil && *page > 0 {
		p.page = *page
	}
	if perPage != nil && *perPage > 0 {
		p.perPage = *perPage
	}
	return p
}

// window is the part of the list the page covers; a page too far for an int offset
// covers nothing, as any page past the end.
func (p pager) window() window {
	if p.page-1 > math.MaxInt/p.perPage {
		return window{offset: math.MaxInt, limit: p.perPage}
	}
	return window{offset: (p.page - 1) * p.perPage, limit: p.perPage}
}

func (p pager) pages(total int) int {
	pages := total / p.perPage
	if total%p.perPage != 0 {
		pages++
	}
	return pages
}

// paged is the contract's PaginatedResponse* schemas with R as the items: every
// paginated list's 200 response converts from it.
type paged[R any] struct {
	Data       []R
	Page       int
	PerPage    int
	Total      int
	TotalPages int
}

// pageOf answers one page of a list: items are the page, total counts the whole list.
func pageOf[T, R any](p pager, items []*T, total int, to func(*T) R) paged[R] {
	data := make([]R, 0, len(items))
	for _, x := range items {
		data = append(data, to(x))
	}
	return paged[R]{Data: data, Page: p.page, PerPage: p.perPage, Total: total, TotalPages: p.pages(total)}
}

func toAPIUser(u *User) api.EnterpriseUserResponse {
	return api.EnterpriseUserResponse{
		Id: api.ID(u.ID), Username: u.Username, Email: opt(u.Email), FirstName: opt(u.FirstName), LastName: opt(u.LastName),
		Phone: opt(u.Phone), Mobile: opt(u.Mobile), Title: opt(u.Title), Department: opt(u.Department),
		RoleIds: apiIDs(u.RoleIDs), Status: api.EnterpriseUserStatus(u.Status),
		CreatedAt: optTime(u.CreatedAt), UpdatedAt: optTime(u.UpdatedAt),
	}
}

func toAPIRole(r *Role) api.EnterpriseRoleResponse {
	return api.EnterpriseRoleResponse{
		Id: api.ID(r.ID), Name: r.Name, Description: opt(r.Description), Permissions: append([]string{}, r.Permissions...),
		CreatedAt: optTime(r.CreatedAt), UpdatedAt: optTime(r.UpdatedAt),
	}
}

func toAPIGroup(g *Group) api.UserGroup {
	return api.UserGroup{Id: api.ID(g.ID), Name: g.Name, Description: opt(g.Description), ExternalReference: opt(g.ExternalReference)}
}

func record(d *Domain) api.DnsRecord {
	return api.DnsRecord{Type: d.RecordType, Name: d.RecordName, Value: d.RecordValue}
}

func toAPIDomain(d *Domain) api.EnterpriseDomainResponse {
	primary := d.IsPrimary
	return api.EnterpriseDomainResponse{
		Id: api.ID(d.ID), Domain: d.Name, Status: api.DomainStatus(d.State), Verified: d.State == DomainVerified,
		IsPrimary: &primary, VerificationRecord: record(d), LastCheckedAt: d.LastCheck, NextCheckAt: d.NextCheck,
		VerifiedAt: d.VerifiedAt, CreatedAt: optTime(d.CreatedAt),
	}
}

func toAPIWebhook(w *Webhook) api.EnterpriseWebhookResponse {
	return api.EnterpriseWebhookResponse{
		Id: api.ID(w.ID), Url: w.URL, Events: append([]string{}, w.Events...), Active: w.Active,
		CreatedAt: optTime(w.CreatedAt), UpdatedAt: optTime(w.UpdatedAt),
	}
}

func toAPIEnterprise(e *Enterprise) api.EnterpriseResponse {
	tpi := make([]api.ThirdPartyIdentifier, 0, len(e.ThirdPartyIdentifiers))
	for _, t := range e.ThirdPartyIdentifiers {
		tpi = append(tpi, api.ThirdPartyIdentifier{Id: t.ID, Label: t.Label})
	}
	return api.EnterpriseResponse{
		EnterpriseId: api.ID(e.ID), OrganizationId: api.ID(e.OrganizationID), Email: e.AdminEmail, UserId: api.ID(e.AdminUserID),
		AdditionalAdmins: append([]string{}, e.AdditionalAdmins...), ThirdPartyIdentifier: tpi,
		CreatedAt: optTime(e.CreatedAt),
	}
}

func fromAPITPI(in *[]api.ThirdPartyIdentifier) []ThirdPartyIdentifier {
	if in == nil {
		return nil
	}
	out := make([]ThirdPartyIdentifier, 0, len(*in))
	for _, t := range *in {
		out = append(out, ThirdPartyIdentifier{ID: t.Id, Label: t.Label})
	}
	return out
}

func deleted(kind string) api.DeleteResponse {
	msg := kind + " deleted"
	return api.DeleteResponse{Success: true, Message: &msg}
}

func ok() *string { s := "OK"; return &s }
