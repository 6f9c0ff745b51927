package platformsim

import (
	"cmp"
	"net/http"
	"slices"
)

// addCompany registers a company, or replaces one keeping its place and, unless c
// gives one, its creation time.
func (s *store) addCompany(c Company) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.companies[c.ResourceID]; ok {
		if c.CreatedAt.IsZero() {
			c.CreatedAt = old.CreatedAt
		}
		old.Company = c
		return
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now().UTC()
	}
	s.comps.add(&companyRow{Company: c, seq: s.nextSeq()})
}

func (s *store) companyExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.companies[id]
	return ok
}

// CompanyInfo is a company with its counts, as companies search returns it.
type CompanyInfo struct {
	Company
	TargetUserCount int
	Enterprises     int
}

func (s *store) listCompanies(ids []string) []CompanyInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.companyInfos(ids)
}

// companyInfos returns the companies with ids that exist, in the order they were
// added (an id given twice is listed twice). Callers hold mu.
func (s *store) companyInfos(ids []string) []CompanyInfo {
	var rows []*companyRow
	for _, id := range ids {
		if c, ok := s.companies[id]; ok {
			rows = append(rows, c)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	slices.SortStableFunc(rows, func(a, b *companyRow) int { return cmp.Compare(a.seq, b.seq) })
	targets, ents := map[string]int{}, map[string]int{}
	for _, t := range s.targetUsers {
		targets[t.CompanyID]++
	}
	for _, e := range s.enterprises {
		ents[e.CompanyID]++
	}
	out := make([]CompanyInfo, 0, len(rows))
	for _, c := range rows {
		out = append(out, CompanyInfo{Company: c.Company, TargetUserCount: targets[c.ResourceID], Enterprises: ents[c.ResourceID]})
	}
	return out
}

func (s *store) createTargetUser(companyID string, t TargetUser) (*TargetUser, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.companies[companyID]; !ok {
		return nil, errNotFound(kindCompany, companyID)
	}
	if _, dup := s.targets.taken(targetUserKey(companyID, t.Email), nil); dup {
		// The contract gives createTargetUser no 409: a duplicate is a validation error.
		return nil, errf(http.StatusBadRequest, NameValidation, map[string]any{"field": fieldEmail, "value": t.Email},
			"a target user with email %q already exists in company %s", t.Email, companyID)
	}
	t.ID = s.randomSecret(12)
	t.CompanyID = companyID
	t.CreatedAt = s.now().UTC()
	t.TargetGroupResourceIDs = slices.Clone(t.TargetGroupResourceIDs)
	t.seq = s.nextSeq()
	s.targets.add(&t)
	return t.copyOut(), nil
}
