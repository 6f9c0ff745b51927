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
	n := normalizeDomain(name)
	return createIn(s, sc, entID, domainsIn, func(e *Enterprise) *apiError {
		if !validDomainName(n) {
			err := errInvalid("domain", "%q is not a valid domain name", name)
			err.Status = http.StatusUnprocessableEntity
			return err
		}
		return e.kids.domains.free(domainKey(n), nil)
	}, func(e *Enterprise, id string, seq uint64, now time.Time) *Domain {
		if primary {
			clearPrimary(e)
		}
		return &Domain{
			ID: id, Name: n, IsPrimary: primary, State: DomainPending, RecordType: "TXT",
			RecordName:  VerificationRecordPrefix + n,
			RecordValue: "platform-verification=" + s.randomSecret(32),
			Message:     "publish the TXT record, then verify",
			CreatedAt:   now, UpdatedAt: now, seq: seq,
		}
	})
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
	return updateIn(s, sc, entID, domainID, domainsIn, func(e *Enterprise, d *Domain) *apiError {
		if primary != nil {
			if *primary {
				clearPrimary(e)
			}
			d.IsPrimary = *primary
		}
		return nil
	})
}

// recordCheck stores the outcome of a DNS check done outside the lock.
func (s *store) recordCheck(sc scope, entID, domainID string, found bool, msg string, recheck time.Duration) (*Domain, *apiError) {
	return inChild(s, sc, entID, domainID, domainsIn, func(_ *Enterprise, d *Domain) *apiError {
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
		return nil
	})
}
