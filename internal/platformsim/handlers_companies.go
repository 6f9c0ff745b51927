package platformsim

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"

	"enterprise-operator/internal/platform/api"
	"enterprise-operator/internal/platformsim/apiserver"
)

// ---- companies and target users (seed 003) ----

func (h *strictServer) SearchCompanies(ctx context.Context, req apiserver.SearchCompaniesRequestObject) (apiserver.SearchCompaniesResponseObject, error) {
	p := principalFrom(ctx)
	if p == nil || !p.cred.Reseller {
		return nil, errf(http.StatusForbidden, NameForbidden, nil, "only reseller credentials may list companies")
	}
	infos := h.s.store.listCompanies(p.cred.CompanyIDs)
	if req.Body.IsTargetUserCountExceededLimit != nil && *req.Body.IsTargetUserCountExceededLimit {
		infos = slices.DeleteFunc(infos, func(c CompanyInfo) bool {
			return c.LicenseTargetUserLimit <= 0 || c.TargetUserCount <= c.LicenseTargetUserLimit
		})
	}
	switch strings.ToLower(req.Body.OrderBy) {
	case "name":
		sort.SliceStable(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
	case "targetusercount":
		sort.SliceStable(infos, func(i, j int) bool { return infos[i].TargetUserCount < infos[j].TargetUserCount })
	default: // CreateTime
		sort.SliceStable(infos, func(i, j int) bool { return infos[i].CreatedAt.Before(infos[j].CreatedAt) })
	}
	if !req.Body.Ascending {
		slices.Reverse(infos)
	}
	items := make([]api.CompanySummary, 0, len(infos))
	for _, c := range infos {
		limit, count, name, created := c.LicenseTargetUserLimit, c.TargetUserCount, c.Name, c.CreatedAt
		items = append(items, api.CompanySummary{ResourceId: api.ID(c.ResourceID), Name: &name,
			LicenseTargetUserLimit: &limit, TargetUserCount: &count, CreateTime: &created})
	}
	pg := pagerOf(&req.Body.PageNumber, &req.Body.PageSize)
	data, total, pages := cut(items, pg.window()), len(items), pg.pages(len(items))
	status := "Success"
	return apiserver.SearchCompanies200JSONResponse{Status: &status, Items: &data, PageNumber: &pg.page, PageSize: &pg.perPage,
		TotalNumberOfRecords: &total, TotalNumberOfPages: &pages, ValidationMessages: &[]string{}}, nil
}

func (h *strictServer) CreateTargetUser(ctx context.Context, req apiserver.CreateTargetUserRequestObject) (apiserver.CreateTargetUserResponseObject, error) {
	p := principalFrom(ctx)
	company := ""
	switch {
	case p == nil:
	case p.companyID != "":
		company = p.companyID
	case !p.cred.Reseller && len(p.cred.CompanyIDs) == 1:
		company = p.cred.CompanyIDs[0]
	}
	if company == "" {
		return nil, errInvalid(CompanyHeader, "the %s header is required to choose the company", CompanyHeader)
	}
	b := req.Body
	t, err := h.s.store.createTargetUser(company, TargetUser{
		Email: b.Email, FirstName: deref(b.FirstName), LastName: deref(b.LastName), Department: deref(b.Department),
		Priority: deref(b.Priority), IsActive: b.IsActive == nil || *b.IsActive, PhoneNumber: b.PhoneNumber,
		TargetGroupResourceIDs: deref(b.TargetGroupResourceIds), TimeZoneID: deref(b.TimeZoneId),
		PreferredLanguageID: deref(b.PreferredLanguageId), ManagerFirstName: deref(b.ManagerFirstName),
		ManagerLastName: deref(b.ManagerLastName), ManagerEmail: deref(b.ManagerEmail),
	})
	if err != nil {
		return nil, err
	}
	status, msg := "Success", "target user created"
	return apiserver.CreateTargetUser200JSONResponse{Status: &status, Message: &msg, ResourceId: idPtr(t.ID),
		ValidationMessages: &[]string{}}, nil
}
