package platformsim

import (
	"net/http"
	"slices"
	"strings"
)

// Error names of the enterprise store.
const nameIdempotencyKeyReused = "IdempotencyKeyReused"

// EnterpriseInput is createEnterprise's request (seed 002).
type EnterpriseInput struct {
	OrganizationID        string
	AdminEmail            string
	IdempotencyKey        string
	Name                  string
	AdditionalAdmins      []string
	ThirdPartyIdentifiers []ThirdPartyIdentifier
}

// fingerprint identifies a create request's content (not its key).
func (in EnterpriseInput) fingerprint() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(strings.TrimSpace(in.AdminEmail)))
	b.WriteString("\x00")
	b.WriteString(in.Name)
	for _, a := range in.AdditionalAdmins {
		b.WriteString("\x00a:" + a)
	}
	for _, t := range in.ThirdPartyIdentifiers {
		b.WriteString("\x00t:" + t.ID + "\x01" + t.Label)
	}
	return sha256Hex(b.String())
}

// createEnterprise is idempotent on (company, organization, idempotency key): a
// repeated key returns the first enterprise and created=false. A new enterprise gets
// its admin user (username and email = AdminEmail).
func (s *store) createEnterprise(sc scope, in EnterpriseInput) (*Enterprise, bool, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := idemKey{sc.companyID, in.OrganizationID, in.IdempotencyKey}
	fp := in.fingerprint()
	if id, ok := s.idem[k]; ok {
		if e, ok := s.enterprises[id]; ok {
			if e.requestHash != fp {
				return nil, false, errf(http.StatusConflict, nameIdempotencyKeyReused,
					map[string]any{"organizationId": in.OrganizationID, "idempotencyKey": in.IdempotencyKey, "enterpriseId": e.ID},
					"idempotencyKey %q was already used with a different request for enterprise %s", in.IdempotencyKey, e.ID)
			}
			return e.copyOut(), false, nil
		}
		delete(s.idem, k)
	}
	if strings.TrimSpace(in.AdminEmail) == "" {
		return nil, false, errInvalid("email", "email must not be empty")
	}
	id, seq, now := s.fresh()
	e := &Enterprise{
		ID:                    id,
		OrganizationID:        in.OrganizationID,
		CompanyID:             sc.companyID,
		Name:                  in.Name,
		AdminEmail:            in.AdminEmail,
		AdditionalAdmins:      slices.Clone(in.AdditionalAdmins),
		ThirdPartyIdentifiers: slices.Clone(in.ThirdPartyIdentifiers),
		IdempotencyKey:        in.IdempotencyKey,
		CreatedAt:             now,
		UpdatedAt:             now,
		Users:                 map[string]*User{},
		Roles:                 map[string]*Role{},
		Groups:                map[string]*Group{},
		Domains:               map[string]*Domain{},
		Webhooks:              map[string]*Webhook{},
		seq:                   seq,
		requestHash:           fp,
	}
	if e.AdditionalAdmins == nil {
		e.AdditionalAdmins = []string{}
	}
	if e.ThirdPartyIdentifiers == nil {
		e.ThirdPartyIdentifiers = []ThirdPartyIdentifier{}
	}
	e.kids = newChildren(e)
	admin := &User{
		ID: s.newID(), Username: in.AdminEmail, Email: in.AdminEmail, RoleIDs: []string{},
		Status: StatusActive, CreatedAt: now, UpdatedAt: now, seq: s.nextSeq(),
	}
	e.kids.users.add(admin)
	e.AdminUserID = admin.ID
	s.ents.add(e)
	s.idem[k] = e.ID
	return e.copyOut(), true, nil
}

func (s *store) getEnterprise(sc scope, id string) (*Enterprise, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, id)
	if err != nil {
		return nil, err
	}
	return e.copyOut(), nil
}

// EnterprisePatch changes an enterprise; nil fields are left as they are.
type EnterprisePatch struct {
	Name                  *string
	AdminEmail            *string
	AdditionalAdmins      *[]string
	ThirdPartyIdentifiers *[]ThirdPartyIdentifier
}

func (s *store) updateEnterprise(sc scope, id string, p EnterprisePatch) (*Enterprise, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, id)
	if err != nil {
		return nil, err
	}
	setIf(&e.Name, p.Name)
	setIf(&e.AdminEmail, p.AdminEmail)
	if p.AdditionalAdmins != nil {
		e.AdditionalAdmins = append([]string{}, (*p.AdditionalAdmins)...)
	}
	if p.ThirdPartyIdentifiers != nil {
		e.ThirdPartyIdentifiers = append([]ThirdPartyIdentifier{}, (*p.ThirdPartyIdentifiers)...)
	}
	e.UpdatedAt = s.now().UTC()
	return e.copyOut(), nil
}

// deleteEnterprise removes the enterprise with all its children.
func (s *store) deleteEnterprise(sc scope, id string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, id)
	if err != nil {
		return err
	}
	s.dropEnterprise(id, e)
	return nil
}

// dropEnterprise removes e, stored under id, and forgets its idempotency key, so the
// same key creates a new enterprise afterwards. Callers hold mu.
func (s *store) dropEnterprise(id string, e *Enterprise) {
	s.ents.remove(id)
	delete(s.idem, idemKey{e.CompanyID, e.OrganizationID, e.IdempotencyKey})
}

// setIf sets *dst to *v when v is set: a patch's nil field leaves the value as it is.
func setIf[V any](dst *V, v *V) {
	if v != nil {
		*dst = *v
	}
}
