package platform

import (
	"time"

	"enterprise-operator/internal/platform/api"
)

// Conversions between the contract's models (package api) and the Client's own types,
// which keep generated pointer and id types away from the controllers.

func toCurrentUser(me *api.CurrentUserV3) CurrentUser {
	return CurrentUser{UserID: string(me.UserId), EnterpriseID: string(me.EnterpriseId), Nickname: deref(me.Nickname)}
}

func toEnterpriseCreated(e *api.EnterpriseCreated) EnterpriseCreated {
	return EnterpriseCreated{EnterpriseID: e.EnterpriseId, AdminUserID: e.UserId}
}

func toEnterprise(e *api.EnterpriseResponse) Enterprise {
	out := Enterprise{
		ID:               string(e.EnterpriseId),
		OrganizationID:   string(e.OrganizationId),
		AdminEmail:       e.Email,
		AdminUserID:      string(e.UserId),
		AdditionalAdmins: nonNil(e.AdditionalAdmins),
	}
	out.ThirdPartyIdentifiers = make([]ThirdPartyIdentifier, 0, len(e.ThirdPartyIdentifier))
	for _, t := range e.ThirdPartyIdentifier {
		out.ThirdPartyIdentifiers = append(out.ThirdPartyIdentifiers, ThirdPartyIdentifier{ID: t.Id, Label: t.Label})
	}
	return out
}

func fromThirdParty(in []ThirdPartyIdentifier) []api.ThirdPartyIdentifier {
	out := make([]api.ThirdPartyIdentifier, 0, len(in))
	for _, t := range in {
		out = append(out, api.ThirdPartyIdentifier{Id: t.ID, Label: t.Label})
	}
	return out
}

func toUser(u *api.EnterpriseUserResponse) User {
	return User{
		ID:         string(u.Id),
		Username:   u.Username,
		Email:      deref(u.Email),
		FirstName:  deref(u.FirstName),
		LastName:   deref(u.LastName),
		Phone:      deref(u.Phone),
		Mobile:     deref(u.Mobile),
		Title:      deref(u.Title),
		Department: deref(u.Department),
		RoleIDs:    idStrings(u.RoleIds),
		Status:     UserStatus(u.Status),
	}
}

func toRole(r *api.EnterpriseRoleResponse) Role {
	return Role{ID: string(r.Id), RoleSpec: RoleSpec{Name: r.Name, Description: deref(r.Description), Permissions: nonNil(r.Permissions)}}
}

func toGroup(g *api.UserGroup) Group {
	return Group{ID: string(g.Id), GroupSpec: GroupSpec{Name: g.Name, Description: deref(g.Description), ExternalReference: deref(g.ExternalReference)}}
}

func groupRequest(in GroupSpec) api.EnterpriseGroupRequest {
	return api.EnterpriseGroupRequest{Name: in.Name, Description: ptr(in.Description), ExternalReference: ptr(in.ExternalReference)}
}

func toDomain(d *api.EnterpriseDomainResponse) Domain {
	return Domain{
		ID:        string(d.Id),
		Name:      d.Domain,
		State:     DomainState(d.Status),
		Record:    DNSRecord{Type: d.VerificationRecord.Type, Name: d.VerificationRecord.Name, Value: d.VerificationRecord.Value},
		LastCheck: d.LastCheckedAt,
		NextCheck: d.NextCheckAt,
	}
}

// The contract answers a verification and a verification status with two schemas
// that share these fields.
func toVerification(v *api.DomainVerifyResponse) DomainVerification {
	return verification(v.Status, v.Message, v.LastCheckedAt, v.NextCheckAt)
}

func toVerificationStatus(v *api.DomainVerificationStatusResponse) DomainVerification {
	return verification(v.Status, v.Message, v.LastCheckedAt, v.NextCheckAt)
}

func verification(state api.DomainStatus, message *string, last, next *time.Time) DomainVerification {
	return DomainVerification{State: DomainState(state), Message: deref(message), LastCheck: last, NextCheck: next}
}

func toWebhook(w *api.EnterpriseWebhookResponse) Webhook {
	return Webhook{ID: string(w.Id), URL: w.Url, Events: nonNil(w.Events), Active: w.Active}
}

func toWebhookTestResult(r *api.WebhookTestResponse) WebhookTestResult {
	return WebhookTestResult{Success: r.Success, StatusCode: deref(r.StatusCode), Message: deref(r.Message), TestedAt: r.TestedAt}
}

func toCompany(c *api.CompanySummary) Company {
	return Company{ResourceID: string(c.ResourceId), Name: deref(c.Name)}
}

// deref is the zero value for an absent optional field.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// optional is nil for "" (the field is omitted).
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ptr always sends the field, "" included.
func ptr(s string) *string { return &s }

// idStrings converts ids decoded from a response (JSON strings or numbers) to the
// plain strings the Client's types carry; nil becomes an empty list.
func idStrings(ids []api.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// nonNil copies s; nil becomes an empty list (JSON [] rather than null).
func nonNil(s []string) []string {
	out := make([]string, len(s))
	copy(out, s)
	return out
}
