package crd_test

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
