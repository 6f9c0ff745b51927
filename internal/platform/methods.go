package platform

import (
	"context"
	"net/http"
	"strings"

	"enterprise-operator/internal/platform/api"
)

// The contract's operations the Client calls, with their retry policy.
var (
	opGetCurrentUser   = op{"getCurrentUser", true}
	opCreateEnterprise = op{"createEnterprise", true} // idempotencyKey makes it safe to repeat
	opGetEnterprise    = op{"getEnterprise", true}
	opUpdateEnterprise = op{"updateEnterprise", true}
	opDeleteEnterprise = op{"deleteEnterprise", true}

	opListUsers        = op{"listEnterpriseUsers", true}
	opGetUser          = op{"getEnterpriseUser", true}
	opGetUserIDByEmail = op{"getUserIdByEmail", true}
	opCreateUser       = op{"createEnterpriseUser", false}
	opUpdateUser       = op{"updateEnterpriseUser", true}
	opDeleteUser       = op{"deleteEnterpriseUser", true}
	opSuspendUser      = op{"suspendEnterpriseUser", true}
	opActivateUser     = op{"activateEnterpriseUser", true}
	opResetPassword    = op{"resetEnterpriseUserPassword", false}

	opListRoles  = op{"listEnterpriseRoles", true}
	opGetRole    = op{"getEnterpriseRole", true}
	opCreateRole = op{"createEnterpriseRole", false}
	opUpdateRole = op{"updateEnterpriseRole", true}
	opDeleteRole = op{"deleteEnterpriseRole", true}

	opListGroups        = op{"listEnterpriseGroups", true}
	opGetGroup          = op{"getEnterpriseGroup", true}
	opCreateGroup       = op{"createEnterpriseGroup", false}
	opUpdateGroup       = op{"updateEnterpriseGroup", true}
	opDeleteGroup       = op{"deleteEnterpriseGroup", true}
	opListGroupMembers  = op{"listEnterpriseGroupMembers", true}
	opAddGroupMember    = op{"addEnterpriseGroupMember", true}
	opRemoveGroupMember = op{"removeEnterpriseGroupMember", true}

	opListDomains           = op{"listEnterpriseDomains", true}
	opGetDomain             = op{"getEnterpriseDomain", true}
	opCreateDomain          = op{"createEnterpriseDomain", false}
	opDeleteDomain          = op{"deleteEnterpriseDomain", true}
	opVerifyDomain          = op{"verifyEnterpriseDomain", true} // a DNS check; repeating it changes nothing else
	opGetDomainVerification = op{"getDomainVerificationStatus", true}

	opListWebhooks  = op{"listEnterpriseWebhooks", true}
	opGetWebhook    = op{"getEnterpriseWebhook", true}
	opCreateWebhook = op{"createEnterpriseWebhook", false}
	opUpdateWebhook = op{"updateEnterpriseWebhook", true}
	opDeleteWebhook = op{"deleteEnterpriseWebhook", true}
	opTestWebhook   = op{"testEnterpriseWebhook", false}

	opSearchCompanies = op{"searchCompanies", true} // a search is a read
)

// Messages of the errors the methods make themselves, before sending or after a 2xx
// answer that lacks what the method returns.
const (
	msgNoIdempotencyKey = "idempotencyKey is required"
	msgNoAdminEmail     = "the admin email is required"
	msgNoEmail          = "email is required"
	msgNoUserForEmail   = "no user has that email"
	msgNoCredentials    = "username and password are required"
	msgNoTemporary      = "the platform returned no temporary password"
)

// ---------------------------------------------------------------------- identity

func (c *client) WhoAmI(ctx context.Context) (*CurrentUser, error) {
	return call(ctx, c, opGetCurrentUser.at(), one(toCurrentUser), func(ctx context.Context) (*http.Response, error) {
		return c.api.GetCurrentUser(ctx, nil)
	})
}

// ------------------------------------------------------------------- enterprises

func (c *client) CreateEnterprise(ctx context.Context, in EnterpriseCreate) (*EnterpriseCreated, error) {
	r := opCreateEnterprise.at(in.OrganizationID)
	switch err := r.check(); {
	case err != nil:
		return nil, err
	case in.IdempotencyKey == "":
		return nil, invalid(r.op, msgNoIdempotencyKey)
	case in.AdminEmail == "":
		return nil, invalid(r.op, msgNoAdminEmail)
	}
	body := api.CreateEnterpriseRequest{
		Email:            in.AdminEmail,
		IdempotencyKey:   in.IdempotencyKey,
		AdditionalAdmins: nonNil(in.AdditionalAdmins),
	}
	if len(in.ThirdPartyIdentifiers) > 0 {
		tp := fromThirdParty(in.ThirdPartyIdentifiers)
		body.ThirdPartyIdentifier = &tp
	}
	return call(ctx, c, r, one(toEnterpriseCreated), func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterprise(ctx, in.OrganizationID, nil, body)
	})
}

func (c *client) GetEnterprise(ctx context.Context, enterpriseID string) (*Enterprise, error) {
	return call(ctx, c, opGetEnterprise.at(enterpriseID), one(toEnterprise), func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterprise(ctx, enterpriseID, nil)
	})
}

func (c *client) UpdateEnterprise(ctx context.Context, enterpriseID string, in EnterpriseUpdate) (*Enterprise, error) {
	admins := nonNil(in.AdditionalAdmins)
	tp := fromThirdParty(in.ThirdPartyIdentifiers)
	body := api.UpdateEnterpriseRequest{AdditionalAdmins: &admins, ThirdPartyIdentifier: &tp}
	return call(ctx, c, opUpdateEnterprise.at(enterpriseID), one(toEnterprise), func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterprise(ctx, enterpriseID, nil, body)
	})
}

func (c *client) DeleteEnterprise(ctx context.Context, enterpriseID string) error {
	return c.exec(ctx, opDeleteEnterprise.at(enterpriseID), func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterprise(ctx, enterpriseID, nil)
	})
}

// ------------------------------------------------------------------------- users

func (c *client) ListUsers(ctx context.Context, enterpriseID string, filter UserFilter) ([]User, error) {
	return list(ctx, c, opListUsers.at(enterpriseID), func(ctx context.Context, page, perPage int) (*http.Response, error) {
		return c.api.ListEnterpriseUsers(ctx, enterpriseID, &api.ListEnterpriseUsersParams{
			Page:    &page,
			PerPage: &perPage,
			Search:  optional(filter.Search),
			Status:  optional(string(filter.Status)),
			RoleId:  optional(filter.RoleID),
		})
	}, func(p *api.PaginatedResponseEnterpriseUserResponse) ([]User, pageInfo) {
		return each(p.Data, toUser), pageInfo{totalPages: p.TotalPages, perPage: p.PerPage}
	})
}

func (c *client) GetUser(ctx context.Context, enterpriseID, userID string) (*User, error) {
	return call(ctx, c, opGetUser.at(enterpriseID, userID), one(toUser), func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseUser(ctx, enterpriseID, userID, nil)
	})
}

func (c *client) FindUserIDByEmail(ctx context.Context, email string) (string, error) {
	o := opGetUserIDByEmail
	if strings.TrimSpace(email) == "" {
		return "", invalid(o, msgNoEmail)
	}
	return call(ctx, c, o.at(), func(r *api.UserIdLookup) (string, error) {
		if r.UserId == "" {
			return "", &Error{Kind: KindNotFound, StatusCode: http.StatusOK, Operation: o.name, Message: msgNoUserForEmail}
		}
		return string(r.UserId), nil
	}, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetUserIdByEmail(ctx, &api.GetUserIdByEmailParams{Email: email})
	})
}

// CreateUser uses the contract's createEnterpriseUser extension: the password is in
// the JSON body, never in a URL (seed 001's createUser would put it in the query).
func (c *client) CreateUser(ctx context.Context, enterpriseID string, in UserCreate) (*User, error) {
	r := opCreateUser.at(enterpriseID).redacting(in.Password)
	switch err := r.check(); {
	case err != nil:
		return nil, err
	case in.Username == "" || in.Password == "":
		return nil, invalid(r.op, msgNoCredentials)
	}
	password := in.Password
	body := api.CreateEnterpriseUserRequest{
		Username:   in.Username,
		Password:   &password,
		Email:      optional(in.Email),
		FirstName:  optional(in.FirstName),
		LastName:   optional(in.LastName),
		Phone:      optional(in.Phone),
		Mobile:     optional(in.Mobile),
		Title:      optional(in.Title),
		Department: optional(in.Department),
	}
	if len(in.RoleIDs) > 0 {
		roles := append([]string(nil), in.RoleIDs...)
		body.RoleIds = &roles
	}
	return call(ctx, c, r, one(toUser), func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseUser(ctx, enterpriseID, nil, body)
	})
}

func (c *client) UpdateUser(ctx context.Context, enterpriseID, userID string, in UserUpdate) (*User, error) {
	// Every field is sent: an empty string clears it.
	roles := nonNil(in.RoleIDs)
	body := api.UpdateEnterpriseUserRequest{
		Email:      ptr(in.Email),
		FirstName:  ptr(in.FirstName),
		LastName:   ptr(in.LastName),
		Phone:      ptr(in.Phone),
		Mobile:     ptr(in.Mobile),
		Title:      ptr(in.Title),
		Department: ptr(in.Department),
		RoleIds:    &roles,
	}
	return call(ctx, c, opUpdateUser.at(enterpriseID, userID), one(toUser), func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterpriseUser(ctx, enterpriseID, userID, nil, body)
	})
}

func (c *client) DeleteUser(ctx context.Context, enterpriseID, userID string) error {
	return c.exec(ctx, opDeleteUser.at(enterpriseID, userID), func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseUser(ctx, enterpriseID, userID, nil)
	})
}

func (c *client) SuspendUser(ctx context.Context, enterpriseID, userID string) (*User, error) {
	return call(ctx, c, opSuspendUser.at(enterpriseID, userID), one(toUser), func(ctx context.Context) (*http.Response, error) {
		return c.api.SuspendEnterpriseUser(ctx, enterpriseID, userID, nil)
	})
}

func (c *client) ActivateUser(ctx context.Context, enterpriseID, userID string) (*User, error) {
	return call(ctx, c, opActivateUser.at(enterpriseID, userID), one(toUser), func(ctx context.Context) (*http.Response, error) {
		return c.api.ActivateEnterpriseUser(ctx, enterpriseID, userID, nil)
	})
}

func (c *client) ResetUserPassword(ctx context.Context, enterpriseID, userID string) (string, error) {
	o := opResetPassword
	return call(ctx, c, o.at(enterpriseID, userID), func(r *api.PasswordResetResponse) (string, error) {
		if r.TemporaryPassword == "" {
			return "", &Error{Kind: KindUnavailable, StatusCode: http.StatusOK, Operation: o.name, Message: msgNoTemporary}
		}
		return r.TemporaryPassword, nil
	}, func(ctx context.Context) (*http.Response, error) {
		return c.api.ResetEnterpriseUserPassword(ctx, enterpriseID, userID, nil)
	})
}

// ------------------------------------------------------------------------- roles

func (c *client) ListRoles(ctx context.Context, enterpriseID string, search string) ([]Role, error) {
	return list(ctx, c, opListRoles.at(enterpriseID), func(ctx context.Context, page, perPage int) (*http.Response, error) {
		return c.api.ListEnterpriseRoles(ctx, enterpriseID, &api.ListEnterpriseRolesParams{Page: &page, PerPage: &perPage, Search: optional(search)})
	}, func(p *api.PaginatedResponseEnterpriseRoleResponse) ([]Role, pageInfo) {
		return each(p.Data, toRole), pageInfo{totalPages: p.TotalPages, perPage: p.PerPage}
	})
}

func (c *client) GetRole(ctx context.Context, enterpriseID, roleID string) (*Role, error) {
	return call(ctx, c, opGetRole.at(enterpriseID, roleID), one(toRole), func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseRole(ctx, enterpriseID, roleID, nil)
	})
}

func (c *client) CreateRole(ctx context.Context, enterpriseID string, in RoleSpec) (*Role, error) {
	perms := nonNil(in.Permissions)
	body := api.CreateEnterpriseRoleRequest{Name: in.Name, Description: optional(in.Description), Permissions: &perms}
	return call(ctx, c, opCreateRole.at(enterpriseID), one(toRole), func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseRole(ctx, enterpriseID, nil, body)
	})
}

func (c *client) UpdateRole(ctx context.Context, enterpriseID, roleID string, in RoleSpec) (*Role, error) {
	perms := nonNil(in.Permissions)
	body := api.UpdateEnterpriseRoleRequest{Name: ptr(in.Name), Description: ptr(in.Description), Permissions: &perms}
	return call(ctx, c, opUpdateRole.at(enterpriseID, roleID), one(toRole), func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterpriseRole(ctx, enterpriseID, roleID, nil, body)
	})
}

func (c *client) DeleteRole(ctx context.Context, enterpriseID, roleID string) error {
	return c.exec(ctx, opDeleteRole.at(enterpriseID, roleID), func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseRole(ctx, enterpriseID, roleID, nil)
	})
}

// ------------------------------------------------------------------------ groups

// ListGroups uses seed 001's list, which is one unpaginated JSON array.
func (c *client) ListGroups(ctx context.Context, enterpriseID string) ([]Group, error) {
	return call(ctx, c, opListGroups.at(enterpriseID), func(gs *[]api.UserGroup) ([]Group, error) {
		return each(*gs, toGroup), nil
	}, func(ctx context.Context) (*http.Response, error) {
		return c.api.ListEnterpriseGroups(ctx, enterpriseID, nil)
	})
}

func (c *client) GetGroup(ctx context.Context, enterpriseID, groupID string) (*Group, error) {
	return call(ctx, c, opGetGroup.at(enterpriseID, groupID), one(toGroup), func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseGroup(ctx, enterpriseID, groupID, nil)
	})
}

func (c *client) CreateGroup(ctx context.Context, enterpriseID string, in GroupSpec) (*Group, error) {
	body := groupRequest(in)
	return call(ctx, c, opCreateGroup.at(enterpriseID), one(toGroup), func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseGroup(ctx, enterpriseID, nil, body)
	})
}

func (c *client) UpdateGroup(ctx context.Context, enterpriseID, groupID string, in GroupSpec) (*Group, error) {
	body := groupRequest(in)
	return call(ctx, c, opUpdateGroup.at(enterpriseID, groupID), one(toGroup), func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterpriseGroup(ctx, enterpriseID, groupID, nil, body)
	})
}

func (c *client) DeleteGroup(ctx context.Context, enterpriseID, groupID string) error {
	return c.exec(ctx, opDeleteGroup.at(enterpriseID, groupID), func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseGroup(ctx, enterpriseID, groupID, nil)
	})
}

// ListGroupMembers flattens seed 001's list of lists of user ids, dropping repeats.
func (c *client) ListGroupMembers(ctx context.Context, enterpriseID, groupID string) ([]string, error) {
	return call(ctx, c, opListGroupMembers.at(enterpriseID, groupID), func(lists *api.GroupMemberIds) ([]string, error) {
		seen := map[string]bool{}
		out := []string{}
		for _, l := range *lists {
			for _, apiID := range l {
				if id := string(apiID); !seen[id] {
					seen[id] = true
					out = append(out, id)
				}
			}
		}
		return out, nil
	}, func(ctx context.Context) (*http.Response, error) {
		return c.api.ListEnterpriseGroupMembers(ctx, enterpriseID, groupID, nil)
	})
}

func (c *client) AddGroupMember(ctx context.Context, enterpriseID, groupID, userID string) error {
	return c.exec(ctx, opAddGroupMember.at(enterpriseID, groupID, userID), func(ctx context.Context) (*http.Response, error) {
		return c.api.AddEnterpriseGroupMember(ctx, enterpriseID, groupID, userID, nil)
	})
}

func (c *client) RemoveGroupMember(ctx context.Context, enterpriseID, groupID, userID string) error {
	return c.exec(ctx, opRemoveGroupMember.at(enterpriseID, groupID, userID), func(ctx context.Context) (*http.Response, error) {
		return c.api.RemoveEnterpriseGroupMember(ctx, enterpriseID, groupID, userID, nil)
	})
}

// ----------------------------------------------------------------------- domains

func (c *client) ListDomains(ctx context.Context, enterpriseID string) ([]Domain, error) {
	return list(ctx, c, opListDomains.at(enterpriseID), func(ctx context.Context, page, perPage int) (*http.Response, error) {
		return c.api.ListEnterpriseDomains(ctx, enterpriseID, &api.ListEnterpriseDomainsParams{Page: &page, PerPage: &perPage})
	}, func(p *api.PaginatedResponseEnterpriseDomainResponse) ([]Domain, pageInfo) {
		return each(p.Data, toDomain), pageInfo{totalPages: p.TotalPages, perPage: p.PerPage}
	})
}

func (c *client) GetDomain(ctx context.Context, enterpriseID, domainID string) (*Domain, error) {
	return call(ctx, c, opGetDomain.at(enterpriseID, domainID), one(toDomain), func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseDomain(ctx, enterpriseID, domainID, nil)
	})
}

func (c *client) CreateDomain(ctx context.Context, enterpriseID string, name string) (*Domain, error) {
	body := api.AddEnterpriseDomainRequest{Domain: name}
	return call(ctx, c, opCreateDomain.at(enterpriseID), one(toDomain), func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseDomain(ctx, enterpriseID, nil, body)
	})
}

func (c *client) DeleteDomain(ctx context.Context, enterpriseID, domainID string) error {
	return c.exec(ctx, opDeleteDomain.at(enterpriseID, domainID), func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseDomain(ctx, enterpriseID, domainID, nil)
	})
}

func (c *client) VerifyDomain(ctx context.Context, enterpriseID, domainID string) (*DomainVerification, error) {
	return call(ctx, c, opVerifyDomain.at(enterpriseID, domainID), one(toVerification), func(ctx context.Context) (*http.Response, error) {
		return c.api.VerifyEnterpriseDomain(ctx, enterpriseID, domainID, nil)
	})
}

func (c *client) GetDomainVerification(ctx context.Context, enterpriseID, domainID string) (*DomainVerification, error) {
	return call(ctx, c, opGetDomainVerification.at(enterpriseID, domainID), one(toVerificationStatus), func(ctx context.Context) (*http.Response, error) {
		return c.api.GetDomainVerificationStatus(ctx, enterpriseID, domainID, nil)
	})
}

// ---------------------------------------------------------------------- webhooks

func (c *client) ListWebhooks(ctx context.Context, enterpriseID string) ([]Webhook, error) {
	return list(ctx, c, opListWebhooks.at(enterpriseID), func(ctx context.Context, page, perPage int) (*http.Response, error) {
		return c.api.ListEnterpriseWebhooks(ctx, enterpriseID, &api.ListEnterpriseWebhooksParams{Page: &page, PerPage: &perPage})
	}, func(p *api.PaginatedResponseEnterpriseWebhookResponse) ([]Webhook, pageInfo) {
		return each(p.Data, toWebhook), pageInfo{totalPages: p.TotalPages, perPage: p.PerPage}
	})
}

func (c *client) GetWebhook(ctx context.Context, enterpriseID, webhookID string) (*Webhook, error) {
	return call(ctx, c, opGetWebhook.at(enterpriseID, webhookID), one(toWebhook), func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseWebhook(ctx, enterpriseID, webhookID, nil)
	})
}

func (c *client) CreateWebhook(ctx context.Context, enterpriseID string, in WebhookSpec) (*Webhook, error) {
	active := in.Active
	body := api.CreateEnterpriseWebhookRequest{
		Url:           in.URL,
		Events:        nonNil(in.Events),
		Active:        &active,
		SigningSecret: optional(in.SigningSecret),
	}
	return call(ctx, c, opCreateWebhook.at(enterpriseID).redacting(in.SigningSecret), one(toWebhook), func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseWebhook(ctx, enterpriseID, nil, body)
	})
}

// UpdateWebhook sends the whole spec; an empty SigningSecret keeps the current one.
func (c *client) UpdateWebhook(ctx context.Context, enterpriseID, webhookID string, in WebhookSpec) (*Webhook, error) {
	active := in.Active
	events := nonNil(in.Events)
	body := api.UpdateEnterpriseWebhookRequest{
		Url:           ptr(in.URL),
		Events:        &events,
		Active:        &active,
		SigningSecret: optional(in.SigningSecret),
	}
	return call(ctx, c, opUpdateWebhook.at(enterpriseID, webhookID).redacting(in.SigningSecret), one(toWebhook), func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterpriseWebhook(ctx, enterpriseID, webhookID, nil, body)
	})
}

func (c *client) DeleteWebhook(ctx context.Context, enterpriseID, webhookID string) error {
	return c.exec(ctx, opDeleteWebhook.at(enterpriseID, webhookID), func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseWebhook(ctx, enterpriseID, webhookID, nil)
	})
}

func (c *client) TestWebhook(ctx context.Context, enterpriseID, webhookID string) (*WebhookTestResult, error) {
	return call(ctx, c, opTestWebhook.at(enterpriseID, webhookID), one(toWebhookTestResult), func(ctx context.Context) (*http.Response, error) {
		return c.api.TestEnterpriseWebhook(ctx, enterpriseID, webhookID, nil)
	})
}

// --------------------------------------------------------------------- companies

// ListCompanies pages through seed 003's search, whose paging is in the request body.
// A page size the platform does not report is taken to be listPageSize, the one asked
// for (lastPage).
func (c *client) ListCompanies(ctx context.Context) ([]Company, error) {
	return list(ctx, c, opSearchCompanies.at(), func(ctx context.Context, page, perPage int) (*http.Response, error) {
		return c.api.SearchCompanies(ctx, api.CompanySearchRequest{PageNumber: page, PageSize: perPage, OrderBy: "CreateTime", Ascending: true})
	}, func(r *api.CompanySearchResponse) ([]Company, pageInfo) {
		return each(deref(r.Items), toCompany), pageInfo{totalPages: deref(r.TotalNumberOfPages), perPage: deref(r.PageSize)}
	})
}
