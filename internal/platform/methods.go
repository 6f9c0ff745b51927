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

type httpCall = func(context.Context) (*http.Response, error)

// call runs an operation and decodes its 2xx body into T.
func call[T any](ctx context.Context, c *client, o op, secrets []string, fn httpCall) (*T, error) {
	a, err := c.send(ctx, o, secrets, fn)
	if err != nil {
		return nil, err
	}
	return decodeJSON[T](o, a)
}

// exec runs an operation whose 2xx body the Client does not need.
func (c *client) exec(ctx context.Context, o op, fn httpCall) error {
	_, err := c.send(ctx, o, nil, fn)
	return err
}

// requireIDs refuses to build a path with an empty id.
func requireIDs(o op, ids ...string) error {
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			return &Error{Kind: KindInvalid, Operation: o.name, Message: "an id in the request path is empty"}
		}
	}
	return nil
}

func invalid(o op, msg string) error {
	return &Error{Kind: KindInvalid, Operation: o.name, Message: msg}
}

// ---------------------------------------------------------------------- identity

func (c *client) WhoAmI(ctx context.Context) (*CurrentUser, error) {
	me, err := call[api.CurrentUserV3](ctx, c, opGetCurrentUser, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetCurrentUser(ctx, nil)
	})
	if err != nil {
		return nil, err
	}
	return &CurrentUser{UserID: string(me.UserId), EnterpriseID: string(me.EnterpriseId), Nickname: deref(me.Nickname)}, nil
}

// ------------------------------------------------------------------- enterprises

func (c *client) CreateEnterprise(ctx context.Context, in EnterpriseCreate) (*EnterpriseCreated, error) {
	o := opCreateEnterprise
	if err := requireIDs(o, in.OrganizationID); err != nil {
		return nil, err
	}
	if in.IdempotencyKey == "" {
		return nil, invalid(o, "idempotencyKey is required")
	}
	if in.AdminEmail == "" {
		return nil, invalid(o, "the admin email is required")
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
	out, err := call[api.EnterpriseCreated](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterprise(ctx, in.OrganizationID, nil, body)
	})
	if err != nil {
		return nil, err
	}
	return &EnterpriseCreated{EnterpriseID: out.EnterpriseId, AdminUserID: out.UserId}, nil
}

func (c *client) GetEnterprise(ctx context.Context, enterpriseID string) (*Enterprise, error) {
	o := opGetEnterprise
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	e, err := call[api.EnterpriseResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterprise(ctx, enterpriseID, nil)
	})
	if err != nil {
		return nil, err
	}
	return toEnterprise(e), nil
}

func (c *client) UpdateEnterprise(ctx context.Context, enterpriseID string, in EnterpriseUpdate) (*Enterprise, error) {
	o := opUpdateEnterprise
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	admins := nonNil(in.AdditionalAdmins)
	tp := fromThirdParty(in.ThirdPartyIdentifiers)
	body := api.UpdateEnterpriseRequest{AdditionalAdmins: &admins, ThirdPartyIdentifier: &tp}
	e, err := call[api.EnterpriseResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterprise(ctx, enterpriseID, nil, body)
	})
	if err != nil {
		return nil, err
	}
	return toEnterprise(e), nil
}

func (c *client) DeleteEnterprise(ctx context.Context, enterpriseID string) error {
	o := opDeleteEnterprise
	if err := requireIDs(o, enterpriseID); err != nil {
		return err
	}
	return c.exec(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterprise(ctx, enterpriseID, nil)
	})
}

// ------------------------------------------------------------------------- users

func (c *client) ListUsers(ctx context.Context, enterpriseID string, filter UserFilter) ([]User, error) {
	o := opListUsers
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	return walkPages(ctx, o.name, func(ctx context.Context, page, perPage int) ([]User, pageInfo, error) {
		params := &api.ListEnterpriseUsersParams{
			Page:    &page,
			PerPage: &perPage,
			Search:  optional(filter.Search),
			Status:  optional(string(filter.Status)),
			RoleId:  optional(filter.RoleID),
		}
		p, err := call[api.PaginatedResponseEnterpriseUserResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
			return c.api.ListEnterpriseUsers(ctx, enterpriseID, params)
		})
		if err != nil {
			return nil, pageInfo{}, err
		}
		users := make([]User, 0, len(p.Data))
		for i := range p.Data {
			users = append(users, toUser(&p.Data[i]))
		}
		return users, pageInfo{totalPages: p.TotalPages, perPage: p.PerPage}, nil
	})
}

func (c *client) GetUser(ctx context.Context, enterpriseID, userID string) (*User, error) {
	o := opGetUser
	if err := requireIDs(o, enterpriseID, userID); err != nil {
		return nil, err
	}
	return c.user(ctx, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseUser(ctx, enterpriseID, userID, nil)
	})
}

func (c *client) user(ctx context.Context, o op, secrets []string, fn httpCall) (*User, error) {
	u, err := call[api.EnterpriseUserResponse](ctx, c, o, secrets, fn)
	if err != nil {
		return nil, err
	}
	out := toUser(u)
	return &out, nil
}

func (c *client) FindUserIDByEmail(ctx context.Context, email string) (string, error) {
	o := opGetUserIDByEmail
	if strings.TrimSpace(email) == "" {
		return "", invalid(o, "email is required")
	}
	r, err := call[api.UserIdLookup](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetUserIdByEmail(ctx, &api.GetUserIdByEmailParams{Email: email})
	})
	if err != nil {
		return "", err
	}
	if r.UserId == "" {
		return "", &Error{Kind: KindNotFound, StatusCode: http.StatusOK, Operation: o.name, Message: "no user has that email"}
	}
	return string(r.UserId), nil
}

// CreateUser uses the contract's createEnterpriseUser extension: the password is in
// the JSON body, never in a URL (seed 001's createUser would put it in the query).
func (c *client) CreateUser(ctx context.Context, enterpriseID string, in UserCreate) (*User, error) {
	o := opCreateUser
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	if in.Username == "" || in.Password == "" {
		return nil, invalid(o, "username and password are required")
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
	return c.user(ctx, o, []string{in.Password}, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseUser(ctx, enterpriseID, nil, body)
	})
}

func (c *client) UpdateUser(ctx context.Context, enterpriseID, userID string, in UserUpdate) (*User, error) {
	o := opUpdateUser
	if err := requireIDs(o, enterpriseID, userID); err != nil {
		return nil, err
	}
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
	return c.user(ctx, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterpriseUser(ctx, enterpriseID, userID, nil, body)
	})
}

func (c *client) DeleteUser(ctx context.Context, enterpriseID, userID string) error {
	o := opDeleteUser
	if err := requireIDs(o, enterpriseID, userID); err != nil {
		return err
	}
	return c.exec(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseUser(ctx, enterpriseID, userID, nil)
	})
}

func (c *client) SuspendUser(ctx context.Context, enterpriseID, userID string) (*User, error) {
	o := opSuspendUser
	if err := requireIDs(o, enterpriseID, userID); err != nil {
		return nil, err
	}
	return c.user(ctx, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.SuspendEnterpriseUser(ctx, enterpriseID, userID, nil)
	})
}

func (c *client) ActivateUser(ctx context.Context, enterpriseID, userID string) (*User, error) {
	o := opActivateUser
	if err := requireIDs(o, enterpriseID, userID); err != nil {
		return nil, err
	}
	return c.user(ctx, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.ActivateEnterpriseUser(ctx, enterpriseID, userID, nil)
	})
}

func (c *client) ResetUserPassword(ctx context.Context, enterpriseID, userID string) (string, error) {
	o := opResetPassword
	if err := requireIDs(o, enterpriseID, userID); err != nil {
		return "", err
	}
	r, err := call[api.PasswordResetResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.ResetEnterpriseUserPassword(ctx, enterpriseID, userID, nil)
	})
	if err != nil {
		return "", err
	}
	if r.TemporaryPassword == "" {
		return "", &Error{Kind: KindUnavailable, StatusCode: http.StatusOK, Operation: o.name, Message: "the platform returned no temporary password"}
	}
	return r.TemporaryPassword, nil
}

// ------------------------------------------------------------------------- roles

func (c *client) ListRoles(ctx context.Context, enterpriseID string, search string) ([]Role, error) {
	o := opListRoles
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	return walkPages(ctx, o.name, func(ctx context.Context, page, perPage int) ([]Role, pageInfo, error) {
		params := &api.ListEnterpriseRolesParams{Page: &page, PerPage: &perPage, Search: optional(search)}
		p, err := call[api.PaginatedResponseEnterpriseRoleResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
			return c.api.ListEnterpriseRoles(ctx, enterpriseID, params)
		})
		if err != nil {
			return nil, pageInfo{}, err
		}
		roles := make([]Role, 0, len(p.Data))
		for i := range p.Data {
			roles = append(roles, toRole(&p.Data[i]))
		}
		return roles, pageInfo{totalPages: p.TotalPages, perPage: p.PerPage}, nil
	})
}

func (c *client) role(ctx context.Context, o op, fn httpCall) (*Role, error) {
	r, err := call[api.EnterpriseRoleResponse](ctx, c, o, nil, fn)
	if err != nil {
		return nil, err
	}
	out := toRole(r)
	return &out, nil
}

func (c *client) GetRole(ctx context.Context, enterpriseID, roleID string) (*Role, error) {
	o := opGetRole
	if err := requireIDs(o, enterpriseID, roleID); err != nil {
		return nil, err
	}
	return c.role(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseRole(ctx, enterpriseID, roleID, nil)
	})
}

func (c *client) CreateRole(ctx context.Context, enterpriseID string, in RoleSpec) (*Role, error) {
	o := opCreateRole
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	perms := nonNil(in.Permissions)
	body := api.CreateEnterpriseRoleRequest{Name: in.Name, Description: optional(in.Description), Permissions: &perms}
	return c.role(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseRole(ctx, enterpriseID, nil, body)
	})
}

func (c *client) UpdateRole(ctx context.Context, enterpriseID, roleID string, in RoleSpec) (*Role, error) {
	o := opUpdateRole
	if err := requireIDs(o, enterpriseID, roleID); err != nil {
		return nil, err
	}
	perms := nonNil(in.Permissions)
	body := api.UpdateEnterpriseRoleRequest{Name: ptr(in.Name), Description: ptr(in.Description), Permissions: &perms}
	return c.role(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterpriseRole(ctx, enterpriseID, roleID, nil, body)
	})
}

func (c *client) DeleteRole(ctx context.Context, enterpriseID, roleID string) error {
	o := opDeleteRole
	if err := requireIDs(o, enterpriseID, roleID); err != nil {
		return err
	}
	return c.exec(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseRole(ctx, enterpriseID, roleID, nil)
	})
}

// ------------------------------------------------------------------------ groups

// ListGroups uses seed 001's list, which is one unpaginated JSON array.
func (c *client) ListGroups(ctx context.Context, enterpriseID string) ([]Group, error) {
	o := opListGroups
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	gs, err := call[[]api.UserGroup](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.ListEnterpriseGroups(ctx, enterpriseID, nil)
	})
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(*gs))
	for i := range *gs {
		out = append(out, toGroup(&(*gs)[i]))
	}
	return out, nil
}

func (c *client) group(ctx context.Context, o op, fn httpCall) (*Group, error) {
	g, err := call[api.UserGroup](ctx, c, o, nil, fn)
	if err != nil {
		return nil, err
	}
	out := toGroup(g)
	return &out, nil
}

func (c *client) GetGroup(ctx context.Context, enterpriseID, groupID string) (*Group, error) {
	o := opGetGroup
	if err := requireIDs(o, enterpriseID, groupID); err != nil {
		return nil, err
	}
	return c.group(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseGroup(ctx, enterpriseID, groupID, nil)
	})
}

func groupRequest(in GroupSpec) api.EnterpriseGroupRequest {
	return api.EnterpriseGroupRequest{Name: in.Name, Description: ptr(in.Description), ExternalReference: ptr(in.ExternalReference)}
}

func (c *client) CreateGroup(ctx context.Context, enterpriseID string, in GroupSpec) (*Group, error) {
	o := opCreateGroup
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	body := groupRequest(in)
	return c.group(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseGroup(ctx, enterpriseID, nil, body)
	})
}

func (c *client) UpdateGroup(ctx context.Context, enterpriseID, groupID string, in GroupSpec) (*Group, error) {
	o := opUpdateGroup
	if err := requireIDs(o, enterpriseID, groupID); err != nil {
		return nil, err
	}
	body := groupRequest(in)
	return c.group(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterpriseGroup(ctx, enterpriseID, groupID, nil, body)
	})
}

func (c *client) DeleteGroup(ctx context.Context, enterpriseID, groupID string) error {
	o := opDeleteGroup
	if err := requireIDs(o, enterpriseID, groupID); err != nil {
		return err
	}
	return c.exec(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseGroup(ctx, enterpriseID, groupID, nil)
	})
}

// ListGroupMembers flattens seed 001's list of lists of user ids, dropping repeats.
func (c *client) ListGroupMembers(ctx context.Context, enterpriseID, groupID string) ([]string, error) {
	o := opListGroupMembers
	if err := requireIDs(o, enterpriseID, groupID); err != nil {
		return nil, err
	}
	lists, err := call[api.GroupMemberIds](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.ListEnterpriseGroupMembers(ctx, enterpriseID, groupID, nil)
	})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []string{}
	for _, l := range *lists {
		for _, apiID := range l {
			id := string(apiID)
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out, nil
}

func (c *client) AddGroupMember(ctx context.Context, enterpriseID, groupID, userID string) error {
	o := opAddGroupMember
	if err := requireIDs(o, enterpriseID, groupID, userID); err != nil {
		return err
	}
	return c.exec(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.AddEnterpriseGroupMember(ctx, enterpriseID, groupID, userID, nil)
	})
}

func (c *client) RemoveGroupMember(ctx context.Context, enterpriseID, groupID, userID string) error {
	o := opRemoveGroupMember
	if err := requireIDs(o, enterpriseID, groupID, userID); err != nil {
		return err
	}
	return c.exec(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.RemoveEnterpriseGroupMember(ctx, enterpriseID, groupID, userID, nil)
	})
}

// ----------------------------------------------------------------------- domains

func (c *client) ListDomains(ctx context.Context, enterpriseID string) ([]Domain, error) {
	o := opListDomains
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	return walkPages(ctx, o.name, func(ctx context.Context, page, perPage int) ([]Domain, pageInfo, error) {
		params := &api.ListEnterpriseDomainsParams{Page: &page, PerPage: &perPage}
		p, err := call[api.PaginatedResponseEnterpriseDomainResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
			return c.api.ListEnterpriseDomains(ctx, enterpriseID, params)
		})
		if err != nil {
			return nil, pageInfo{}, err
		}
		ds := make([]Domain, 0, len(p.Data))
		for i := range p.Data {
			ds = append(ds, toDomain(&p.Data[i]))
		}
		return ds, pageInfo{totalPages: p.TotalPages, perPage: p.PerPage}, nil
	})
}

func (c *client) domain(ctx context.Context, o op, fn httpCall) (*Domain, error) {
	d, err := call[api.EnterpriseDomainResponse](ctx, c, o, nil, fn)
	if err != nil {
		return nil, err
	}
	out := toDomain(d)
	return &out, nil
}

func (c *client) GetDomain(ctx context.Context, enterpriseID, domainID string) (*Domain, error) {
	o := opGetDomain
	if err := requireIDs(o, enterpriseID, domainID); err != nil {
		return nil, err
	}
	return c.domain(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseDomain(ctx, enterpriseID, domainID, nil)
	})
}

func (c *client) CreateDomain(ctx context.Context, enterpriseID string, name string) (*Domain, error) {
	o := opCreateDomain
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	body := api.AddEnterpriseDomainRequest{Domain: name}
	return c.domain(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseDomain(ctx, enterpriseID, nil, body)
	})
}

func (c *client) DeleteDomain(ctx context.Context, enterpriseID, domainID string) error {
	o := opDeleteDomain
	if err := requireIDs(o, enterpriseID, domainID); err != nil {
		return err
	}
	return c.exec(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseDomain(ctx, enterpriseID, domainID, nil)
	})
}

func (c *client) VerifyDomain(ctx context.Context, enterpriseID, domainID string) (*DomainVerification, error) {
	o := opVerifyDomain
	if err := requireIDs(o, enterpriseID, domainID); err != nil {
		return nil, err
	}
	v, err := call[api.DomainVerifyResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.VerifyEnterpriseDomain(ctx, enterpriseID, domainID, nil)
	})
	if err != nil {
		return nil, err
	}
	return &DomainVerification{
		State:     DomainState(v.Status),
		Message:   deref(v.Message),
		LastCheck: v.LastCheckedAt,
		NextCheck: v.NextCheckAt,
	}, nil
}

func (c *client) GetDomainVerification(ctx context.Context, enterpriseID, domainID string) (*DomainVerification, error) {
	o := opGetDomainVerification
	if err := requireIDs(o, enterpriseID, domainID); err != nil {
		return nil, err
	}
	v, err := call[api.DomainVerificationStatusResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetDomainVerificationStatus(ctx, enterpriseID, domainID, nil)
	})
	if err != nil {
		return nil, err
	}
	return &DomainVerification{
		State:     DomainState(v.Status),
		Message:   deref(v.Message),
		LastCheck: v.LastCheckedAt,
		NextCheck: v.NextCheckAt,
	}, nil
}

// ---------------------------------------------------------------------- webhooks

func (c *client) ListWebhooks(ctx context.Context, enterpriseID string) ([]Webhook, error) {
	o := opListWebhooks
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	return walkPages(ctx, o.name, func(ctx context.Context, page, perPage int) ([]Webhook, pageInfo, error) {
		params := &api.ListEnterpriseWebhooksParams{Page: &page, PerPage: &perPage}
		p, err := call[api.PaginatedResponseEnterpriseWebhookResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
			return c.api.ListEnterpriseWebhooks(ctx, enterpriseID, params)
		})
		if err != nil {
			return nil, pageInfo{}, err
		}
		ws := make([]Webhook, 0, len(p.Data))
		for i := range p.Data {
			ws = append(ws, toWebhook(&p.Data[i]))
		}
		return ws, pageInfo{totalPages: p.TotalPages, perPage: p.PerPage}, nil
	})
}

func (c *client) webhook(ctx context.Context, o op, secrets []string, fn httpCall) (*Webhook, error) {
	w, err := call[api.EnterpriseWebhookResponse](ctx, c, o, secrets, fn)
	if err != nil {
		return nil, err
	}
	out := toWebhook(w)
	return &out, nil
}

func (c *client) GetWebhook(ctx context.Context, enterpriseID, webhookID string) (*Webhook, error) {
	o := opGetWebhook
	if err := requireIDs(o, enterpriseID, webhookID); err != nil {
		return nil, err
	}
	return c.webhook(ctx, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetEnterpriseWebhook(ctx, enterpriseID, webhookID, nil)
	})
}

func (c *client) CreateWebhook(ctx context.Context, enterpriseID string, in WebhookSpec) (*Webhook, error) {
	o := opCreateWebhook
	if err := requireIDs(o, enterpriseID); err != nil {
		return nil, err
	}
	active := in.Active
	body := api.CreateEnterpriseWebhookRequest{
		Url:           in.URL,
		Events:        nonNil(in.Events),
		Active:        &active,
		SigningSecret: optional(in.SigningSecret),
	}
	return c.webhook(ctx, o, []string{in.SigningSecret}, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateEnterpriseWebhook(ctx, enterpriseID, nil, body)
	})
}

// UpdateWebhook sends the whole spec; an empty SigningSecret keeps the current one.
func (c *client) UpdateWebhook(ctx context.Context, enterpriseID, webhookID string, in WebhookSpec) (*Webhook, error) {
	o := opUpdateWebhook
	if err := requireIDs(o, enterpriseID, webhookID); err != nil {
		return nil, err
	}
	active := in.Active
	events := nonNil(in.Events)
	body := api.UpdateEnterpriseWebhookRequest{
		Url:           ptr(in.URL),
		Events:        &events,
		Active:        &active,
		SigningSecret: optional(in.SigningSecret),
	}
	return c.webhook(ctx, o, []string{in.SigningSecret}, func(ctx context.Context) (*http.Response, error) {
		return c.api.UpdateEnterpriseWebhook(ctx, enterpriseID, webhookID, nil, body)
	})
}

func (c *client) DeleteWebhook(ctx context.Context, enterpriseID, webhookID string) error {
	o := opDeleteWebhook
	if err := requireIDs(o, enterpriseID, webhookID); err != nil {
		return err
	}
	return c.exec(ctx, o, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteEnterpriseWebhook(ctx, enterpriseID, webhookID, nil)
	})
}

func (c *client) TestWebhook(ctx context.Context, enterpriseID, webhookID string) (*WebhookTestResult, error) {
	o := opTestWebhook
	if err := requireIDs(o, enterpriseID, webhookID); err != nil {
		return nil, err
	}
	r, err := call[api.WebhookTestResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
		return c.api.TestEnterpriseWebhook(ctx, enterpriseID, webhookID, nil)
	})
	if err != nil {
		return nil, err
	}
	out := &WebhookTestResult{Success: r.Success, Message: deref(r.Message), TestedAt: r.TestedAt}
	if r.StatusCode != nil {
		out.StatusCode = *r.StatusCode
	}
	return out, nil
}

// --------------------------------------------------------------------- companies

func (c *client) ListCompanies(ctx context.Context) ([]Company, error) {
	o := opSearchCompanies
	return walkPages(ctx, o.name, func(ctx context.Context, page, perPage int) ([]Company, pageInfo, error) {
		body := api.CompanySearchRequest{PageNumber: page, PageSize: perPage, OrderBy: "CreateTime", Ascending: true}
		r, err := call[api.CompanySearchResponse](ctx, c, o, nil, func(ctx context.Context) (*http.Response, error) {
			return c.api.SearchCompanies(ctx, body)
		})
		if err != nil {
			return nil, pageInfo{}, err
		}
		var items []api.CompanySummary
		if r.Items != nil {
			items = *r.Items
		}
		out := make([]Company, 0, len(items))
		for _, it := range items {
			out = append(out, Company{ResourceID: string(it.ResourceId), Name: deref(it.Name)})
		}
		info := pageInfo{perPage: perPage}
		if r.TotalNumberOfPages != nil {
			info.totalPages = *r.TotalNumberOfPages
		}
		if r.PageSize != nil && *r.PageSize > 0 {
			info.perPage = *r.PageSize
		}
		return out, info, nil
	})
}

// ------------------------------------------------------------------- conversions

func toEnterprise(e *api.EnterpriseResponse) *Enterprise {
	out := &Enterprise{
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

func toWebhook(w *api.EnterpriseWebhookResponse) Webhook {
	return Webhook{ID: string(w.Id), URL: w.Url, Events: nonNil(w.Events), Active: w.Active}
}

func deref(p *string) string {
	if p == nil {
		return ""
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
