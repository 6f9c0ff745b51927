package crd_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Valid manifests, one per kind; each invalid case starts from one of these.
const (
	validPlatformConfig = `
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: PlatformConfig
metadata:
  generateName: pcfg-
spec:
  baseURL: https://api.platform.example.com/v1
  auth:
    bearerToken:
      tokenSecretRef: {namespace: platform-system, name: platform-token, key: token}
`
	validPlatformConfigOAuth2 = `
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: PlatformConfig
metadata:
  generateName: pcfg-
spec:
  baseURL: https://api.platform.example.com/v1
  companyID: xC5kfGz7w2Nz
  auth:
    oauth2:
      tokenURL: https://auth.platform.example.com/connect/token
      credentialsSecretRef: {namespace: platform-system, name: platform-client}
      scopes: [API]
`
	validEnterprise = `
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: Enterprise
metadata:
  generateName: ent-
spec:
  platformConfigRef: {name: demo-platform}
  organizationID: 59cd72485007a239fb00282ed480da1f
  adminEmail: admin@acme.example.com
  companyID: xC5kfGz7w2Nz
  additionalAdmins: [ops@acme.example.com]
  thirdPartyIdentifiers:
  - {id: "0015g00000ACME01", label: salesforce}
`
	validEnterpriseUser = `
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: EnterpriseUser
metadata:
  generateName: euser-
spec:
  enterpriseRef: {name: acme}
  username: carol@acme.example.com
  email: carol@acme.example.com
  firstName: Carol
  lastName: Chen
  roleRefs: [{name: acme-admins}]
`
	validUserGroup = `
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: UserGroup
metadata:
  generateName: ugroup-
spec:
  enterpriseRef: {name: acme}
  name: Sales Team
  members: [{name: alice}]
  memberSelector:
    matchLabels: {team: sales}
`
	validDomain = `
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: Domain
metadata:
  generateName: edomain-
spec:
  enterpriseRef: {name: acme}
  domainName: mail.acme.example.com
`
	validWebhook = `
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: Webhook
metadata:
  generateName: ewebhook-
spec:
  enterpriseRef: {name: acme}
  url: https://hooks.acme.example.com/platform
  events: [user.created, domain.verified]
  signingSecretRef: {name: acme-webhook-signing, key: secret}
`
	validEnterpriseRole = `
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: EnterpriseRole
metadata:
  generateName: erole-
spec:
  enterpriseRef: {name: acme}
  name: Auditors
  permissions: [users:read, reports.read]
`
)

// mutation changes a manifest.
type mutation func(u *unstructured.Unstructured)

// set sets a field, path given as dot-separated keys ("spec.auth.oauth2").
func set(path string, value any) mutation {
	return func(u *unstructured.Unstructured) {
		Expect(unstructured.SetNestedField(u.Object, value, strings.Split(path, ".")...)).To(Succeed())
	}
}

// del removes a field.
func del(path string) mutation {
	return func(u *unstructured.Unstructured) {
		unstructured.RemoveNestedField(u.Object, strings.Split(path, ".")...)
	}
}

// op is what an invalid case asks the API server to do.
type op int

const (
	opCreate       op = iota // create the mutated manifest
	opUpdate                 // create the valid manifest, then update it with the mutations
	opStatusUpdate           // create the valid manifest, then update its status subresource
)

type invalidCase struct {
	op        op
	manifest  string
	mutations []mutation
	want      string
}

func rejectCreate(manifest, want string, m ...mutation) invalidCase {
	return invalidCase{op: opCreate, manifest: manifest, mutations: m, want: want}
}

func rejectUpdate(manifest, want string, m ...mutation) invalidCase {
	return invalidCase{op: opUpdate, manifest: manifest, mutations: m, want: want}
}

func rejectStatusUpdate(manifest, want string, m ...mutation) invalidCase {
	return invalidCase{op: opStatusUpdate, manifest: manifest, mutations: m, want: want}
}

// strs makes a []any of strings, the form unstructured content takes.
func strs(s ...string) []any {
	out := make([]any, len(s))
	for i := range s {
		out[i] = s[i]
	}
	return out
}

func names(n ...string) []any {
	out := make([]any, len(n))
	for i := range n {
		out[i] = map[string]any{"name": n[i]}
	}
	return out
}

var (
	bearer = map[string]any{"tokenSecretRef": map[string]any{"namespace": "platform-system", "name": "platform-token", "key": "token"}}
	oauth2 = map[string]any{
		"tokenURL":             "https://auth.platform.example.com/connect/token",
		"credentialsSecretRef": map[string]any{"namespace": "platform-system", "name": "platform-client"},
	}
)

var _ = Describe("validation of the CRDs", func() {
	DescribeTable("rejects invalid manifests with a message a person can act on",
		func(c invalidCase) {
			u := mustOne(c.manifest)
			intoNamespace(u)

			var err error
			switch c.op {
			case opCreate:
				for _, m := range c.mutations {
					m(u)
				}
				err = k8sClient.Create(ctx, u)
			case opUpdate, opStatusUpdate:
				Expect(k8sClient.Create(ctx, u)).To(Succeed(), "the valid starting manifest was rejected")
				DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
				for _, m := range c.mutations {
					m(u)
				}
				if c.op == opUpdate {
					err = k8sClient.Update(ctx, u)
				} else {
					err = k8sClient.Status().Update(ctx, u)
				}
			}
			if err == nil {
				DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
			}
			Expect(err).To(HaveOccurred(), "the API server accepted an invalid %s", u.GetKind())
			GinkgoWriter.Println(err.Error())
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected 422 Invalid, got: %v", err)
			Expect(err.Error()).To(ContainSubstring(c.want))
		},

		// PlatformConfig
		Entry("PlatformConfig: baseURL over plain http to a remote host", rejectCreate(validPlatformConfig,
			"baseURL must be an https URL (plain http is allowed only for localhost, 127.0.0.1 or [::1]",
			set("spec.baseURL", "http://api.platform.example.com/v1"))),
		Entry("PlatformConfig: baseURL that is not a URL", rejectCreate(validPlatformConfig,
			"baseURL must be an https URL", set("spec.baseURL", "api.platform.example.com"))),
		Entry("PlatformConfig: baseURL with another scheme", rejectCreate(validPlatformConfig,
			"baseURL must be an https URL", set("spec.baseURL", "ftp://api.platform.example.com"))),
		Entry("PlatformConfig: http to a host that only starts like localhost", rejectCreate(validPlatformConfig,
			"baseURL must be an https URL", set("spec.baseURL", "http://localhost.evil.example.com"))),
		Entry("PlatformConfig: baseURL missing", rejectCreate(validPlatformConfig,
			"spec.baseURL: Required value", del("spec.baseURL"))),
		Entry("PlatformConfig: both auth methods", rejectCreate(validPlatformConfig,
			"exactly one of auth.oauth2 or auth.bearerToken must be set", set("spec.auth.oauth2", oauth2))),
		Entry("PlatformConfig: no auth method", rejectCreate(validPlatformConfig,
			"exactly one of auth.oauth2 or auth.bearerToken must be set", set("spec.auth", map[string]any{}))),
		Entry("PlatformConfig: auth missing", rejectCreate(validPlatformConfig,
			"spec.auth: Required value", del("spec.auth"))),
		Entry("PlatformConfig: switching to both auth methods on update", rejectUpdate(validPlatformConfigOAuth2,
			"exactly one of auth.oauth2 or auth.bearerToken must be set", set("spec.auth.bearerToken", bearer))),
		Entry("PlatformConfig: oauth2 tokenURL over plain http", rejectCreate(validPlatformConfigOAuth2,
			"tokenURL must be an https URL", set("spec.auth.oauth2.tokenURL", "http://auth.platform.example.com/token"))),
		Entry("PlatformConfig: oauth2 credentialsSecretRef without namespace", rejectCreate(validPlatformConfigOAuth2,
			"spec.auth.oauth2.credentialsSecretRef.namespace: Required value", del("spec.auth.oauth2.credentialsSecretRef.namespace"))),
		Entry("PlatformConfig: oauth2 empty scope", rejectCreate(validPlatformConfigOAuth2,
			"spec.auth.oauth2.scopes[0]", set("spec.auth.oauth2.scopes", strs("")))),
		Entry("PlatformConfig: bearer tokenSecretRef without key", rejectCreate(validPlatformConfig,
			"spec.auth.bearerToken.tokenSecretRef.key: Required value", del("spec.auth.bearerToken.tokenSecretRef.key"))),
		Entry("PlatformConfig: companyIDHeader that is no header name", rejectCreate(validPlatformConfig,
			"companyIDHeader must be a valid HTTP header name", set("spec.companyIDHeader", "X Company Id"))),
		Entry("PlatformConfig: companyID with a space", rejectCreate(validPlatformConfig,
			"companyID must be printable ASCII without spaces", set("spec.companyID", "acme corp"))),
		Entry("PlatformConfig: requestsPerSecond below 1", rejectCreate(validPlatformConfig,
			"spec.rateLimit.requestsPerSecond in body should be greater than or equal to 1", set("spec.rateLimit.requestsPerSecond", int64(0)))),
		Entry("PlatformConfig: requestsPerSecond above 1000", rejectCreate(validPlatformConfig,
			"spec.rateLimit.requestsPerSecond in body should be less than or equal to 1000", set("spec.rateLimit.requestsPerSecond", int64(1001)))),
		Entry("PlatformConfig: burst below 1", rejectCreate(validPlatformConfig,
			"spec.rateLimit.burst in body should be greater than or equal to 1", set("spec.rateLimit.burst", int64(0)))),

		Entry("PlatformConfig: adoption by namespace selector without the selector", rejectCreate(validPlatformConfig,
			"adoption.namespaceSelector is required when adoption.policy is NamespaceSelector",
			set("spec.adoption", map[string]any{"policy": "NamespaceSelector"}))),
		Entry("PlatformConfig: adoption None with a selector", rejectCreate(validPlatformConfig,
			"adoption.namespaceSelector is used only with adoption.policy NamespaceSelector",
			set("spec.adoption", map[string]any{"policy": "None", "namespaceSelector": map[string]any{}}))),
		Entry("PlatformConfig: adoption selector without a policy (defaults to None)", rejectCreate(validPlatformConfig,
			"adoption.namespaceSelector is used only with adoption.policy NamespaceSelector",
			set("spec.adoption", map[string]any{"namespaceSelector": map[string]any{}}))),
		Entry("PlatformConfig: unknown adoption policy", rejectCreate(validPlatformConfig,
			`Unsupported value: "Anyone"`, set("spec.adoption", map[string]any{"policy": "Anyone"}))),

		// Enterprise
		Entry("Enterprise: third-party identifier with the operator's reserved owner label", rejectCreate(validEnterprise,
			"the label platform.enterprise-operator.dev/owner is reserved", set("spec.thirdPartyIdentifiers", []any{
				map[string]any{"id": "team-a/acme", "label": "Platform.Enterprise-Operator.dev/Owner"}}))),
		Entry("Enterprise: organizationID in upper case", rejectCreate(validEnterprise,
			"organizationID must be 32 lower-case hex characters", set("spec.organizationID", "59CD72485007A239FB00282ED480DA1F"))),
		Entry("Enterprise: organizationID too short", rejectCreate(validEnterprise,
			"organizationID must be 32 lower-case hex characters", set("spec.organizationID", "59cd7248"))),
		Entry("Enterprise: organizationID missing", rejectCreate(validEnterprise,
			"spec.organizationID: Required value", del("spec.organizationID"))),
		Entry("Enterprise: adminEmail missing", rejectCreate(validEnterprise,
			"spec.adminEmail: Required value", del("spec.adminEmail"))),
		Entry("Enterprise: adminEmail without @", rejectCreate(validEnterprise,
			"adminEmail must be an email address", set("spec.adminEmail", "admin.acme.example.com"))),
		Entry("Enterprise: adminEmail longer than 320", rejectCreate(validEnterprise,
			"spec.adminEmail: Too long", set("spec.adminEmail", strings.Repeat("a", 310)+"@example.com"))),
		Entry("Enterprise: platformConfigRef missing", rejectCreate(validEnterprise,
			"spec.platformConfigRef: Required value", del("spec.platformConfigRef"))),
		Entry("Enterprise: empty additional admin", rejectCreate(validEnterprise,
			"spec.additionalAdmins[0]", set("spec.additionalAdmins", strs("")))),
		Entry("Enterprise: duplicate additional admin", rejectCreate(validEnterprise,
			"Duplicate value", set("spec.additionalAdmins", strs("ops@acme.example.com", "ops@acme.example.com")))),
		Entry("Enterprise: third-party identifier without label", rejectCreate(validEnterprise,
			"spec.thirdPartyIdentifiers[0].label: Required value",
			set("spec.thirdPartyIdentifiers", []any{map[string]any{"id": "x"}}))),
		Entry("Enterprise: third-party identifier with empty id", rejectCreate(validEnterprise,
			"spec.thirdPartyIdentifiers[0].id", set("spec.thirdPartyIdentifiers", []any{map[string]any{"id": "", "label": "crm"}}))),
		Entry("Enterprise: duplicate third-party identifier id", rejectCreate(validEnterprise,
			"Duplicate value", set("spec.thirdPartyIdentifiers", []any{
				map[string]any{"id": "x", "label": "crm"}, map[string]any{"id": "x", "label": "billing"}}))),
		Entry("Enterprise: unknown deletionPolicy", rejectCreate(validEnterprise,
			`Unsupported value: "Keep"`, set("spec.deletionPolicy", "Keep"))),
		Entry("Enterprise: unknown managementPolicy", rejectCreate(validEnterprise,
			`Unsupported value: "ReadOnly"`, set("spec.managementPolicy", "ReadOnly"))),
		Entry("Enterprise: changing organizationID", rejectUpdate(validEnterprise,
			"organizationID is immutable", set("spec.organizationID", "0123456789abcdef0123456789abcdef"))),
		Entry("Enterprise: changing adminEmail", rejectUpdate(validEnterprise,
			"adminEmail is immutable", set("spec.adminEmail", "other@acme.example.com"))),
		Entry("Enterprise: changing platformConfigRef", rejectUpdate(validEnterprise,
			"platformConfigRef is immutable", set("spec.platformConfigRef.name", "other-platform"))),
		Entry("Enterprise: changing companyID", rejectUpdate(validEnterprise,
			"companyID is immutable once set", set("spec.companyID", "otherCompany1"))),
		Entry("Enterprise: removing companyID", rejectUpdate(validEnterprise,
			"companyID is immutable once set", del("spec.companyID"))),

		// EnterpriseUser
		Entry("EnterpriseUser: neither email nor phone numbers", rejectCreate(validEnterpriseUser,
			"one of email, mobile or phone must be set", del("spec.email"))),
		Entry("EnterpriseUser: username missing", rejectCreate(validEnterpriseUser,
			"spec.username: Required value", del("spec.username"))),
		Entry("EnterpriseUser: username longer than 256", rejectCreate(validEnterpriseUser,
			"spec.username: Too long", set("spec.username", strings.Repeat("u", 257)))),
		Entry("EnterpriseUser: email without @", rejectCreate(validEnterpriseUser,
			"email must be an email address", set("spec.email", "carol"))),
		Entry("EnterpriseUser: mobile with letters", rejectCreate(validEnterpriseUser,
			"mobile must be a phone number", set("spec.mobile", "call me maybe"))),
		Entry("EnterpriseUser: phone too short", rejectCreate(validEnterpriseUser,
			"phone must be a phone number", set("spec.phone", "12"))),
		Entry("EnterpriseUser: firstName longer than 256", rejectCreate(validEnterpriseUser,
			"spec.firstName: Too long", set("spec.firstName", strings.Repeat("c", 257)))),
		Entry("EnterpriseUser: department longer than 256", rejectCreate(validEnterpriseUser,
			"spec.department: Too long", set("spec.department", strings.Repeat("d", 257)))),
		Entry("EnterpriseUser: duplicate roleRefs", rejectCreate(validEnterpriseUser,
			"Duplicate value", set("spec.roleRefs", names("acme-admins", "acme-admins")))),
		Entry("EnterpriseUser: passwordSecretRef with empty name", rejectCreate(validEnterpriseUser,
			"spec.passwordSecretRef.name", set("spec.passwordSecretRef", map[string]any{"name": ""}))),
		Entry("EnterpriseUser: enterpriseRef missing", rejectCreate(validEnterpriseUser,
			"spec.enterpriseRef: Required value", del("spec.enterpriseRef"))),
		Entry("EnterpriseUser: changing username", rejectUpdate(validEnterpriseUser,
			"username is immutable", set("spec.username", "carol2@acme.example.com"))),
		Entry("EnterpriseUser: changing enterpriseRef", rejectUpdate(validEnterpriseUser,
			"enterpriseRef is immutable", set("spec.enterpriseRef.name", "globex"))),
		Entry("EnterpriseUser: removing the only contact on update", rejectUpdate(validEnterpriseUser,
			"one of email, mobile or phone must be set", del("spec.email"))),

		// UserGroup
		Entry("UserGroup: name missing", rejectCreate(validUserGroup,
			"spec.name: Required value", del("spec.name"))),
		Entry("UserGroup: empty name", rejectCreate(validUserGroup,
			"spec.name in body should be at least 1 chars long", set("spec.name", ""))),
		Entry("UserGroup: description longer than 1024", rejectCreate(validUserGroup,
			"spec.description: Too long", set("spec.description", strings.Repeat("d", 1025)))),
		Entry("UserGroup: externalReference longer than 256", rejectCreate(validUserGroup,
			"spec.externalReference: Too long", set("spec.externalReference", strings.Repeat("e", 257)))),
		Entry("UserGroup: duplicate member", rejectCreate(validUserGroup,
			"Duplicate value", set("spec.members", names("alice", "alice")))),
		Entry("UserGroup: member without a name", rejectCreate(validUserGroup,
			"spec.members[0].name", set("spec.members", []any{map[string]any{}}))),
		Entry("UserGroup: changing enterpriseRef", rejectUpdate(validUserGroup,
			"enterpriseRef is immutable", set("spec.enterpriseRef.name", "globex"))),

		// Domain
		Entry("Domain: domainName in upper case", rejectCreate(validDomain,
			"domainName must be a lower-case fully qualified domain name", set("spec.domainName", "ACME.example.com"))),
		Entry("Domain: domainName that is a single label", rejectCreate(validDomain,
			"domainName must be a lower-case fully qualified domain name", set("spec.domainName", "localhost"))),
		Entry("Domain: domainName with a trailing dot", rejectCreate(validDomain,
			"domainName must be a lower-case fully qualified domain name", set("spec.domainName", "acme.example.com."))),
		Entry("Domain: domainName with a scheme", rejectCreate(validDomain,
			"domainName must be a lower-case fully qualified domain name", set("spec.domainName", "https://acme.example.com"))),
		Entry("Domain: domainName longer than 253", rejectCreate(validDomain,
			"spec.domainName: Too long", set("spec.domainName", strings.Repeat("a.", 126)+"io"))),
		Entry("Domain: domainName missing", rejectCreate(validDomain,
			"spec.domainName: Required value", del("spec.domainName"))),
		Entry("Domain: changing domainName", rejectUpdate(validDomain,
			"domainName is immutable", set("spec.domainName", "www.acme.example.com"))),
		Entry("Domain: changing enterpriseRef", rejectUpdate(validDomain,
			"enterpriseRef is immutable", set("spec.enterpriseRef.name", "globex"))),
		Entry("Domain: unknown verificationState in status", rejectStatusUpdate(validDomain,
			`Unsupported value: "Unknown"`, set("status.verificationState", "Unknown"))),

		// Webhook
		Entry("Webhook: url over plain http", rejectCreate(validWebhook,
			"url must be an https URL", set("spec.url", "http://hooks.acme.example.com/platform"))),
		Entry("Webhook: url that is not a URL", rejectCreate(validWebhook,
			"url must be an https URL", set("spec.url", "hooks.acme.example.com"))),
		Entry("Webhook: url longer than 2048", rejectCreate(validWebhook,
			"spec.url: Too long", set("spec.url", "https://hooks.acme.example.com/"+strings.Repeat("p", 2048)))),
		Entry("Webhook: url missing", rejectCreate(validWebhook,
			"spec.url: Required value", del("spec.url"))),
		Entry("Webhook: no events", rejectCreate(validWebhook,
			"spec.events in body should have at least 1 items", set("spec.events", []any{}))),
		Entry("Webhook: events missing", rejectCreate(validWebhook,
			"spec.events: Required value", del("spec.events"))),
		Entry("Webhook: event in CamelCase", rejectCreate(validWebhook,
			"each event must be a dotted lower-case name such as user.created", set("spec.events", strs("UserCreated")))),
		Entry("Webhook: event without a dot", rejectCreate(validWebhook,
			"each event must be a dotted lower-case name such as user.created", set("spec.events", strs("user")))),
		Entry("Webhook: duplicate event", rejectCreate(validWebhook,
			"Duplicate value", set("spec.events", strs("user.created", "user.created")))),
		Entry("Webhook: signingSecretRef missing", rejectCreate(validWebhook,
			"spec.signingSecretRef: Required value", del("spec.signingSecretRef"))),
		Entry("Webhook: changing to a plain http url", rejectUpdate(validWebhook,
			"url must be an https URL", set("spec.url", "http://hooks.acme.example.com/platform"))),
		Entry("Webhook: changing enterpriseRef", rejectUpdate(validWebhook,
			"enterpriseRef is immutable", set("spec.enterpriseRef.name", "globex"))),

		// EnterpriseRole
		Entry("EnterpriseRole: name missing", rejectCreate(validEnterpriseRole,
			"spec.name: Required value", del("spec.name"))),
		Entry("EnterpriseRole: name longer than 128", rejectCreate(validEnterpriseRole,
			"spec.name: Too long", set("spec.name", strings.Repeat("r", 129)))),
		Entry("EnterpriseRole: description longer than 1024", rejectCreate(validEnterpriseRole,
			"spec.description: Too long", set("spec.description", strings.Repeat("d", 1025)))),
		Entry("EnterpriseRole: permission in upper case", rejectCreate(validEnterpriseRole,
			"each permission must start with a lower-case letter", set("spec.permissions", strs("Users:Read")))),
		Entry("EnterpriseRole: permission starting with a digit", rejectCreate(validEnterpriseRole,
			"each permission must start with a lower-case letter", set("spec.permissions", strs("1users")))),
		Entry("EnterpriseRole: duplicate permission", rejectCreate(validEnterpriseRole,
			"Duplicate value", set("spec.permissions", strs("users:read", "users:read")))),
		Entry("EnterpriseRole: enterpriseRef missing", rejectCreate(validEnterpriseRole,
			"spec.enterpriseRef: Required value", del("spec.enterpriseRef"))),
		Entry("EnterpriseRole: changing enterpriseRef", rejectUpdate(validEnterpriseRole,
			"enterpriseRef is immutable", set("spec.enterpriseRef.name", "globex"))),
	)

	DescribeTable("accepts valid manifests",
		func(manifest string, m ...mutation) {
			u := mustOne(manifest)
			intoNamespace(u)
			for _, f := range m {
				f(u)
			}
			Expect(k8sClient.Create(ctx, u)).To(Succeed())
			DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
		},
		Entry("PlatformConfig with a bearer token", validPlatformConfig),
		Entry("PlatformConfig with oauth2", validPlatformConfigOAuth2),
		Entry("PlatformConfig over http to localhost", validPlatformConfig, set("spec.baseURL", "http://localhost:8089")),
		Entry("PlatformConfig over http to 127.0.0.1", validPlatformConfig, set("spec.baseURL", "http://127.0.0.1:8089/v1")),
		Entry("PlatformConfig over http to [::1]", validPlatformConfig, set("spec.baseURL", "http://[::1]:8089")),
		Entry("PlatformConfig with an oauth2 token URL on loopback", validPlatformConfigOAuth2,
			set("spec.auth.oauth2.tokenURL", "http://127.0.0.1:8089/connect/token")),
		Entry("PlatformConfig with a namespaceSelector", validPlatformConfig,
			set("spec.namespaceSelector", map[string]any{"matchLabels": map[string]any{"tenant": "true"}})),
		Entry("PlatformConfig granting adoption to selected namespaces", validPlatformConfig,
			set("spec.adoption", map[string]any{"policy": "NamespaceSelector",
				"namespaceSelector": map[string]any{"matchLabels": map[string]any{"adopt": "true"}}})),
		Entry("PlatformConfig granting no adoption", validPlatformConfig, set("spec.adoption", map[string]any{"policy": "None"})),
		Entry("Enterprise", validEnterprise),
		Entry("Enterprise without companyID", validEnterprise, del("spec.companyID")),
		Entry("EnterpriseUser", validEnterpriseUser),
		Entry("EnterpriseUser with only a mobile number", validEnterpriseUser, del("spec.email"), set("spec.mobile", "+44 (20) 7946-0958")),
		Entry("EnterpriseUser with only a phone number", validEnterpriseUser, del("spec.email"), set("spec.phone", "030/1234.5678")),
		Entry("UserGroup", validUserGroup),
		Entry("UserGroup with neither members nor selector", validUserGroup, del("spec.members"), del("spec.memberSelector")),
		Entry("Domain", validDomain),
		Entry("Domain with hyphens and digits", validDomain, set("spec.domainName", "mail-01.acme-corp.co.uk")),
		Entry("Webhook", validWebhook),
		Entry("Webhook paused", validWebhook, set("spec.active", false)),
		Entry("EnterpriseRole", validEnterpriseRole),
		Entry("EnterpriseRole without permissions", validEnterpriseRole, del("spec.permissions")),
	)

	It("lets companyID be set on an Enterprise that had none", func() {
		u := mustOne(validEnterprise)
		intoNamespace(u)
		unstructured.RemoveNestedField(u.Object, "spec", "companyID")
		Expect(k8sClient.Create(ctx, u)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
		Expect(unstructured.SetNestedField(u.Object, "xC5kfGz7w2Nz", "spec", "companyID")).To(Succeed())
		Expect(k8sClient.Update(ctx, u)).To(Succeed())
	})

	It("lets mutable fields change", func() {
		u := mustOne(validEnterpriseUser)
		intoNamespace(u)
		Expect(k8sClient.Create(ctx, u)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
		Expect(unstructured.SetNestedField(u.Object, "Carla", "spec", "firstName")).To(Succeed())
		Expect(unstructured.SetNestedField(u.Object, true, "spec", "suspended")).To(Succeed())
		Expect(k8sClient.Update(ctx, u)).To(Succeed())
	})
})

// urlField is a PlatformConfig URL field that admission checks for link-local and
// cloud metadata addresses, and a manifest that has it.
type urlField struct {
	name, path, manifest string
}

var urlFields = []urlField{
	{"baseURL", "spec.baseURL", validPlatformConfig},
	{"tokenURL", "spec.auth.oauth2.tokenURL", validPlatformConfigOAuth2},
}

// The start of each rule's message, after the field name.
const (
	msgLinkLocal    = "must not point at a link-local or cloud metadata address"
	msgOddIPv6      = "must write its host plainly"
	msgMetadataHost = "must not point at a cloud metadata host name"
)

// forbiddenURLs reach a cloud instance metadata service (or another link-local
// address); each must be refused in both fields, with the message of the rule that
// catches it.
var forbiddenURLs = []struct{ url, want string }{
	{"https://169.254.169.254/latest/meta-data/", msgLinkLocal},
	{"https://169.254.169.254:443", msgLinkLocal},
	{"http://169.254.169.254/", msgLinkLocal}, // refused by the https rule as well
	{"https://169.254.170.2/v2/credentials", msgLinkLocal},
	{"https://169.254.0.1/", msgLinkLocal},
	{"https://user@169.254.169.254/", msgLinkLocal},
	{"https://[fe80::1]/", msgLinkLocal},
	{"https://[FE80::a9fe:a9fe]:8443/", msgLinkLocal},
	{"https://[febf:ffff::1]/", msgLinkLocal},
	{"https://[fd00:ec2::254]/latest/meta-data/", msgLinkLocal},
	{"https://100.100.100.200/latest/meta-data/", msgLinkLocal},
	{"https://224.0.0.251/", msgLinkLocal},
	{"https://[ff02::1]/", msgLinkLocal},
	{"https://[::ffff:169.254.169.254]/", msgOddIPv6},
	{"https://[::ffff:a9fe:a9fe]/", msgOddIPv6},
	{"https://[0:0:0:0:0:ffff:6464:64c8]/", msgOddIPv6},
	{"https://[fe80::1%25eth0]/", msgOddIPv6},
	{"https://metadata.google.internal/computeMetadata/v1/", msgMetadataHost},
	{"https://METADATA.Google.Internal./", msgMetadataHost},
	{"https://metadata.goog/", msgMetadataHost},
	{"https://metadata:8080/", msgMetadataHost},
	{"https://metadata./", msgMetadataHost},
	{"http://metadata/", msgMetadataHost},
}

// allowedURLs look like the forbidden ones but are ordinary hosts.
var allowedURLs = []string{
	"https://api.platform.example.com/v1",
	"https://API.Platform.Example.com:8443/v1?x=1#top",
	"https://203.0.113.10:8443/v1",
	"https://10.0.0.5/",
	"https://[2001:db8::1]/v1",
	"https://[fd00:ec2::253]/",
	"https://100.100.100.201/",
	"https://169.254.example.com/",
	"https://metadata.example.com/",
	"https://my-metadata/",
	"http://127.0.0.1:8089/v1",
	"http://[::1]:8089",
	"http://localhost:8089",
}

func forbiddenURLEntries() []TableEntry {
	var out []TableEntry
	for _, f := range urlFields {
		for _, c := range forbiddenURLs {
			out = append(out, Entry(f.name+" "+c.url, f, c.url, f.name+" "+c.want))
		}
	}
	return out
}

func allowedURLEntries() []TableEntry {
	var out []TableEntry
	for _, f := range urlFields {
		for _, u := range allowedURLs {
			out = append(out, Entry(f.name+" "+u, f, u))
		}
	}
	return out
}

var _ = Describe("PlatformConfig URLs and cloud metadata addresses", func() {
	DescribeTable("are refused at admission in baseURL and tokenURL",
		func(f urlField, url, want string) {
			u := mustOne(f.manifest)
			set(f.path, url)(u)
			err := k8sClient.Create(ctx, u)
			if err == nil {
				DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
			}
			Expect(err).To(HaveOccurred(), "the API server accepted %s %q", f.name, url)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected 422 Invalid, got: %v", err)
			Expect(err.Error()).To(ContainSubstring(want))
		},
		forbiddenURLEntries(),
	)

	DescribeTable("do not catch ordinary hosts",
		func(f urlField, url string) {
			u := mustOne(f.manifest)
			set(f.path, url)(u)
			Expect(k8sClient.Create(ctx, u)).To(Succeed())
			DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
		},
		allowedURLEntries(),
	)
})
