package platformsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Snapshot is a full dump of the simulator's state. It never holds passwords or
// signing secrets: users carry PasswordSHA256 and webhooks SigningSecretSHA256.
type Snapshot struct {
	Enterprises []EnterpriseSnapshot `json:"enterprises"`
	Companies   []CompanyInfo        `json:"companies"`
	TargetUsers []TargetUser         `json:"targetUsers"`
	// DNS holds the embedded DNS server's records (name → TXT values).
	DNS map[string][]string `json:"dns,omitempty"`
}

// EnterpriseSnapshot is one enterprise with its children, each in creation order.
type EnterpriseSnapshot struct {
	Enterprise
	Users    []User            `json:"users"`
	Roles    []Role            `json:"roles"`
	Groups   []Group           `json:"groups"`
	Domains  []Domain          `json:"domains"`
	Webhooks []WebhookSnapshot `json:"webhooks"`
}

// WebhookSnapshot is a webhook whose signing secret is replaced by its SHA-256.
type WebhookSnapshot struct {
	Webhook
	SigningSecretSHA256 string `json:"signingSecretSha256"`
}

// SecretHash is the hash State shows for passwords and signing secrets (hex SHA-256).
func SecretHash(secret string) string { return sha256Hex(secret) }

// CompanyInfo.MarshalJSON flattens the company with its counts.
func (c CompanyInfo) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ResourceID             string    `json:"resourceId"`
		Name                   string    `json:"name"`
		LicenseTargetUserLimit int       `json:"licenseTargetUserLimit"`
		CreateTime             time.Time `json:"createTime"`
		TargetUserCount        int       `json:"targetUserCount"`
		Enterprises            int       `json:"enterprises"`
	}{c.ResourceID, c.Name, c.LicenseTargetUserLimit, c.CreatedAt, c.TargetUserCount, c.Enterprises})
}

// State returns a consistent copy of the whole state.
func (s *Server) State() Snapshot {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	snap := Snapshot{Enterprises: []EnterpriseSnapshot{}, TargetUsers: st.targets.copies()}
	for _, e := range st.ents.order {
		es := EnterpriseSnapshot{Enterprise: *e.copyOut(), Users: e.kids.users.copies(), Roles: e.kids.roles.copies(),
			Groups: e.kids.groups.copies(), Domains: e.kids.domains.copies(), Webhooks: []WebhookSnapshot{}}
		for _, w := range e.kids.webhooks.copies() {
			secret := w.SigningSecret
			w.SigningSecret = ""
			es.Webhooks = append(es.Webhooks, WebhookSnapshot{Webhook: w, SigningSecretSHA256: sha256Hex(secret)})
		}
		snap.Enterprises = append(snap.Enterprises, es)
	}
	ids := make([]string, 0, len(st.comps.order))
	for _, c := range st.comps.order {
		ids = append(ids, c.ResourceID)
	}
	if snap.Companies = st.companyInfos(ids); snap.Companies == nil {
		snap.Companies = []CompanyInfo{}
	}
	if s.dns != nil {
		snap.DNS = s.dns.Records()
	}
	return snap
}

// ---- Go API to drift the state (tests) ----
//
// Mutations bypass every API rule (uniqueness, role existence, …) and are not counted
// as calls: they simulate someone changing the platform behind the operator's back.

// ErrNotFound is returned by Mutate* when the object does not exist.
var ErrNotFound = fmt.Errorf("platformsim: not found")

// MutateEnterprises runs fn with the live enterprises map (keyed by id) under the
// state lock: the catch-all for adding, removing or changing anything.
func (s *Server) MutateEnterprises(fn func(enterprises map[string]*Enterprise)) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	fn(s.store.enterprises)
	s.store.reindex()
}

// liveEnterprise is the enterprise with entID whatever its scope. Callers hold mu.
func (s *Server) liveEnterprise(entID string) (*Enterprise, error) {
	e, ok := s.store.enterprises[entID]
	if !ok {
		return nil, fmt.Errorf("enterprise %s: %w", entID, ErrNotFound)
	}
	return e, nil
}

func mutateChild[T any, P object[T]](s *Server, entID, id string, kind kindIn[T, P], fn func(*T)) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	e, err := s.liveEnterprise(entID)
	if err != nil {
		return err
	}
	t := kind(e.kids)
	v, ok := (*t.live)[id]
	if !ok {
		return fmt.Errorf("%s in enterprise %s: %w", id, entID, ErrNotFound)
	}
	t.change(v, func() { fn(v) })
	return nil
}

// MutateEnterprise changes an enterprise in place (do not change its ID).
func (s *Server) MutateEnterprise(entID string, fn func(*Enterprise)) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	e, err := s.liveEnterprise(entID)
	if err != nil {
		return err
	}
	fn(e)
	s.store.reindex()
	return nil
}

// MutateUser changes a user in place (do not change its ID).
func (s *Server) MutateUser(entID, userID string, fn func(*User)) error {
	return mutateChild(s, entID, userID, usersIn, fn)
}

// MutateRole changes a role in place.
func (s *Server) MutateRole(entID, roleID string, fn func(*Role)) error {
	return mutateChild(s, entID, roleID, rolesIn, fn)
}

// MutateGroup changes a group (including Members) in place.
func (s *Server) MutateGroup(entID, groupID string, fn func(*Group)) error {
	return mutateChild(s, entID, groupID, groupsIn, fn)
}

// MutateDomain changes a domain (e.g. State) in place.
func (s *Server) MutateDomain(entID, domainID string, fn func(*Domain)) error {
	return mutateChild(s, entID, domainID, domainsIn, fn)
}

// MutateWebhook changes a webhook (including SigningSecret) in place.
func (s *Server) MutateWebhook(entID, webhookID string, fn func(*Webhook)) error {
	return mutateChild(s, entID, webhookID, webhooksIn, fn)
}

// Delete removes one object behind the API's back. kind is one of "enterprise"
// (id = entID; children go with it), "user", "role", "group", "domain", "webhook".
// Only a user's removal has a side effect (its group memberships go with it).
func (s *Server) Delete(kind, entID, id string) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	e, err := s.liveEnterprise(entID)
	if err != nil {
		return err
	}
	if kind == kindEnterprise {
		s.store.dropEnterprise(entID, e)
		return nil
	}
	remove := e.kids.remover(kind)
	if remove == nil {
		return fmt.Errorf("platformsim: unknown kind %q", kind)
	}
	found := remove(id)
	if kind == kindUser {
		forgetMember(e, id)
	}
	if !found {
		return fmt.Errorf("%s %s: %w", kind, id, ErrNotFound)
	}
	return nil
}

// NewID returns a fresh 32-hex id (for objects added with MutateEnterprises).
func (s *Server) NewID() string {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.newID()
}

// AddCredential registers a credential (a credential with the same ClientID is
// replaced).
func (s *Server) AddCredential(c Credential) { s.auth.add(c) }

// AddCompany registers (or renames) a customer company.
func (s *Server) AddCompany(c Company) { s.store.addCompany(c) }

// SetFaults replaces the injected faults (the zero Faults disables them all).
func (s *Server) SetFaults(f Faults) error { return s.faults.set(f) }

// Faults returns the faults in force, with remaining FailNext/DropResponse counts.
func (s *Server) Faults() Faults { return s.faults.get() }

// InjectedFaults is how many faults fired since the simulator started: injected
// errors and rejections, 429s of the server-side rate limit, and dropped responses.
func (s *Server) InjectedFaults() int { return s.faults.injectedCount() }

// SetTXT publishes a TXT record in the embedded DNS server.
func (s *Server) SetTXT(name string, values ...string) error {
	if s.dns == nil {
		return fmt.Errorf("platformsim: no embedded DNS server (Options.DNSAddr is set)")
	}
	s.dns.SetTXT(name, values...)
	return nil
}

// PublishDomainRecord publishes, in the embedded DNS server, the TXT record a domain
// asks for: what its owner would do.
func (s *Server) PublishDomainRecord(entID, domainID string) error {
	s.store.mu.Lock()
	var name, value string
	if e, ok := s.store.enterprises[entID]; ok {
		if d, err := e.kids.domains.get(domainID); err == nil {
			name, value = d.RecordName, d.RecordValue
		}
	}
	s.store.mu.Unlock()
	if name == "" {
		return fmt.Errorf("domain %s in enterprise %s: %w", domainID, entID, ErrNotFound)
	}
	return s.SetTXT(name, value)
}

// ---- admin HTTP endpoints ----

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if s.opts.AdminToken != "" && !secretEqual(bearerToken(r), s.opts.AdminToken) {
		writeError(w, r, errf(http.StatusUnauthorized, NameUnauthorized, nil, "admin endpoints need the admin token"))
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	route := r.Method + " " + path
	switch route {
	case "GET /admin/calls":
		writeJSON(w, http.StatusOK, s.Calls())
	case "POST /admin/calls/reset", "DELETE /admin/calls":
		s.ResetCalls()
		writeJSON(w, http.StatusOK, s.Calls())
	case "GET /admin/state":
		writeJSON(w, http.StatusOK, s.State())
	case "GET /admin/faults":
		writeJSON(w, http.StatusOK, s.Faults())
	case "PUT /admin/faults", "POST /admin/faults":
		var f Faults
		if err := decodeStrict(r, &f); err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.SetFaults(f); err != nil {
			writeError(w, r, errInvalid("faults", "%v", err))
			return
		}
		writeJSON(w, http.StatusOK, s.Faults())
	case "DELETE /admin/faults":
		_ = s.SetFaults(Faults{})
		writeJSON(w, http.StatusOK, s.Faults())
	case "GET /admin/dns":
		if s.dns == nil {
			writeJSON(w, http.StatusOK, map[string][]string{})
			return
		}
		writeJSON(w, http.StatusOK, s.dns.Records())
	case "POST /admin/dns", "PUT /admin/dns":
		var in struct {
			Name         string   `json:"name"`
			Values       []string `json:"values"`
			EnterpriseID string   `json:"enterpriseId"`
			DomainID     string   `json:"domainId"`
		}
		if err := decodeStrict(r, &in); err != nil {
			writeError(w, r, err)
			return
		}
		var err error
		switch {
		case in.DomainID != "":
			err = s.PublishDomainRecord(in.EnterpriseID, in.DomainID)
		case in.Name != "":
			err = s.SetTXT(in.Name, in.Values...)
		default:
			writeError(w, r, errInvalid("name", "give name (+values; none removes) or enterpriseId+domainId"))
			return
		}
		if err != nil {
			writeError(w, r, errf(http.StatusNotFound, NameNotFound, nil, "%v", err))
			return
		}
		writeJSON(w, http.StatusOK, s.dns.Records())
	case "POST /admin/credentials":
		var in struct {
			ClientID     string   `json:"clientId"`
			ClientSecret string   `json:"clientSecret"`
			Tokens       []string `json:"tokens"`
			Name         string   `json:"name"`
			Reseller     bool     `json:"reseller"`
			CompanyIDs   []string `json:"companyIds"`
			EnterpriseID string   `json:"enterpriseId"`
		}
		if err := decodeStrict(r, &in); err != nil {
			writeError(w, r, err)
			return
		}
		if in.ClientID == "" && len(in.Tokens) == 0 {
			writeError(w, r, errInvalid("clientId", "give clientId+clientSecret and/or tokens"))
			return
		}
		s.AddCredential(Credential{ClientID: in.ClientID, ClientSecret: in.ClientSecret, Tokens: in.Tokens,
			Name: in.Name, Reseller: in.Reseller, CompanyIDs: in.CompanyIDs, EnterpriseID: in.EnterpriseID})
		writeJSON(w, http.StatusOK, map[string]any{"clientId": in.ClientID, "tokens": len(in.Tokens)})
	case "POST /admin/companies":
		var c Company
		if err := decodeStrict(r, &c); err != nil {
			writeError(w, r, err)
			return
		}
		if c.ResourceID == "" {
			writeError(w, r, errInvalid("resourceId", "resourceId is required"))
			return
		}
		s.AddCompany(c)
		writeJSON(w, http.StatusOK, c)
	case "GET /admin":
		writeJSON(w, http.StatusOK, map[string]string{
			"GET /admin/calls":             "per-operationId call counts and total",
			"POST /admin/calls/reset":      "zero the call counts",
			"GET /admin/state":             "full state dump (secrets as SHA-256)",
			"GET|PUT|DELETE /admin/faults": "read, replace, clear injected faults",
			"GET|POST /admin/dns":          "read or set TXT records ({name, values} or {enterpriseId, domainId})",
			"POST /admin/credentials":      "add a credential",
			"POST /admin/companies":        "add a company",
		})
	default:
		writeError(w, r, errf(http.StatusNotFound, NameNotFound, map[string]any{"path": r.URL.Path},
			"no admin endpoint %s %s", r.Method, r.URL.Path))
	}
}

func decodeStrict(r *http.Request, v any) *apiError {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errInvalid("body", "invalid JSON body: %v", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
