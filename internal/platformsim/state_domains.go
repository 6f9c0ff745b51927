package platformsim

import (
	"net/http"
	"strings"
	"time"
)

func normalizeDomain(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

func validDomainName(name string) bool {
	if len(name) == 0 || len(name) > 253 || !strings.Contains(name, ".") {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

func (s *store) listDomains(sc scope, entID string, verified *bool, w window) ([]*Domain, int, *apiError) {
	var keep func(*Domain) bool
	if verified != nil {
		keep = func(d *Domain) bool { return (d.State == DomainVerified) == *verified }
	}
	return listIn(s, sc, entID, domainsIn, keep, w)
}

func (s *store) getDomain(sc scope, entID, domainID string) (*Domain, *apiError) {
	return getIn(s, sc, entID, domainID, domainsIn)
}

func (s *store) deleteDomain(sc scope, entID, domainID string) *apiError {
	return deleteIn(s, sc, entID, domainID, domainsIn, nil)
}

// createDomain registers a pending domain with a random TXT record to publish.
func (s *store) createDomain(sc scope, entID, name string, primary bool) (*Domain, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	n := normalizeDomain(name)
	if !validDomainName(n) {
		e := errInvalid("domain", "%q is not a valid domain name", name)
		e.Status = http.StatusUnprocessableEntity
		return nil, e
	}
	if err := e.kids.domains.free(domainKey(n), nil); err != nil {
		return nil, err
	}
	id, seq, now := s.fresh()
	d := &Domain{
		ID: id, Name: n, IsPrimary: primary, State: DomainPending, RecordType: "TXT",
		RecordName:  VerificationRecordPrefix + n,
		RecordValue: "platform-verification=" + s.randomSecret(32),
		Message:     "publish the TXT record, then verify",
		CreatedAt:   now, UpdatedAt: now, seq: seq,
	}
	if primary {
		clearPrimary(e)
	}
	e.kids.domains.add(d)
	return d.copyOut(), nil
}

// clearPrimary unmarks every domain of e: one domain at most is primary.
func clearPrimary(e *Enterprise) {
	for _, o := range e.Domains {
		o.IsPrimary = false
	}
}

// updateDomain changes the primary flag (the name is immutable: a new name is a new
// domain with a new record).
func (s *store) updateDomain(sc scope, entID, domainID string, primary *bool) (*Domain, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, d, err := childIn(s, sc, entID, domainID, domainsIn)
	if err != nil {
		return nil, err
	}
	if primary != nil {
		if *primary {
			clearPrimary(e)
		}
		d.IsPrimary = *primary
	}
	d.UpdatedAt = s.now().UTC()
	return d.copyOut(), nil
}

// recordCheck stores the outcome of a DNS check done outside the lock.
func (s *store) recordCheck(sc scope, entID, domainID string, found bool, msg string, recheck time.Duration) (*Domain, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, d, err := childIn(s, sc, entID, domainID, domainsIn)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	d.Attempts++
	d.LastCheck = &now
	d.UpdatedAt = now
	if found {
		d.State = DomainVerified
		d.VerifiedAt = &now
		d.NextCheck = nil
		d.Message = msg
	} else if d.State != DomainVerified {
		next := now.Add(recheck)
		d.NextCheck = &next
		d.Message = msg
	}
	return d.copyOut(), nil
}
