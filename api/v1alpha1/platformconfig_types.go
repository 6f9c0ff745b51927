package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultCompanyIDHeader is the HTTP header that scopes a reseller's request to one
// customer company (seed 003) when spec.companyIDHeader is not set.
const DefaultCompanyIDHeader = "X-KEEPNET-Company-Id"

// Secret keys read from the Secret named by spec.auth.oauth2.credentialsSecretRef.
const (
	// OAuth2ClientIDKey is the Secret key holding the OAuth2 client ID.
	OAuth2ClientIDKey = "clientID"
	// OAuth2ClientSecretKey is the Secret key holding the OAuth2 client secret.
	OAuth2ClientSecretKey = "clientSecret"
)

// PlatformConfigSpec says where the SaaS platform is and how to authenticate to it.
type PlatformConfigSpec struct {
	// baseURL is the root URL of the platform's API, for example
	// https://business.apis.example.com/v1. It must be https; plain http is accepted
	// only for a loopback host (localhost, 127.0.0.1 or [::1]), which is where the
	// local platform simulator listens. It must not point at a link-local or cloud
	// instance metadata address: 169.254.0.0/16 (which holds 169.254.169.254),
	// fe80::/10, link-local multicast, fd00:ec2::254 or 100.100.100.200, nor at the host
	// names metadata.google.internal, metadata.goog or metadata (in any case, with or
	// without a trailing dot); an IPv6 host must be written plainly (no IPv4-mapped
	// form such as [::ffff:169.254.169.254], no zone). Those services hand out the
	// node's cloud credentials. A host name can still resolve to such an address, or
	// the platform can redirect there, so the operator also refuses to connect to one
	// after DNS resolution: the PlatformConfig then becomes Stalled with reason
	// ForbiddenAddress.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getHostname() != '' && (url(self).getScheme() == 'https' || (url(self).getScheme() == 'http' && url(self).getHostname() in ['localhost', '127.0.0.1', '::1']))",message="baseURL must be an https URL (plain http is allowed only for localhost, 127.0.0.1 or [::1], the local simulator)"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || [self.substring(size(self.find('^[^:/?#]+://([^/?#]*@)?[[]?')), size(self.find('^[^:/?#]+://([^/?#]*@)?([[][^]]*|[^:/?#]*)')))].all(h, !isIP(h) || !(ip(h).isLinkLocalUnicast() || ip(h).isLinkLocalMulticast() || ip(h) in [ip('fd00:ec2::254'), ip('100.100.100.200')]))",message="baseURL must not point at a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, link-local multicast, fd00:ec2::254, 100.100.100.200): cloud instance metadata services there hand out the node's credentials"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || [self.substring(size(self.find('^[^:/?#]+://([^/?#]*@)?[[]?')), size(self.find('^[^:/?#]+://([^/?#]*@)?([[][^]]*|[^:/?#]*)')))].all(h, h == url(self).getHostname() && (!url(self).getHost().startsWith('[') || isIP(h)))",message="baseURL must write its host plainly, without an IPv4-mapped IPv6 address (such as [::ffff:169.254.169.254]) or an IPv6 zone, so that it can be checked against link-local and cloud metadata addresses"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || !self.substring(size(self.find('^[^:/?#]+://([^/?#]*@)?[[]?')), size(self.find('^[^:/?#]+://([^/?#]*@)?([[][^]]*|[^:/?#]*)'))).matches('^(?i)metadata([.]google[.]internal|[.]goog)?[.]?$')",message="baseURL must not point at a cloud metadata host name (metadata.google.internal, metadata.goog, metadata): cloud instance metadata services hand out the node's credentials"
	// +required
	BaseURL string `json:"baseURL"`

	// auth says how the operator authenticates to the platform. Set exactly one of
	// oauth2 (client credentials, e.g. a reseller credential) or bearerToken (a
	// long-lived API token).
	// +required
	Auth PlatformAuth `json:"auth"`

	// companyID scopes every request made through this PlatformConfig to one customer
	// company of a reseller: it is sent in the companyIDHeader header. It is the
	// company's resourceId from the platform's company list. Leave it empty for a
	// credential that belongs to the company itself. An Enterprise may override it
	// with its own spec.companyID.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.matches('^[!-~]+$')",message="companyID must be printable ASCII without spaces (it is sent in an HTTP header)"
	// +optional
	CompanyID string `json:"companyID,omitempty"`

	// companyIDHeader is the name of the HTTP header that carries companyID.
	// Defaults to X-KEEPNET-Company-Id. It must be a valid HTTP header name.
	// +kubebuilder:default="X-KEEPNET-Company-Id"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.matches('^[A-Za-z0-9!#$%&*+.^_|~-]+$')",message="companyIDHeader must be a valid HTTP header name (letters, digits and !#$%&*+.^_|~-)"
	// +optional
	CompanyIDHeader string `json:"companyIDHeader,omitempty"`

	// rateLimit caps the rate of requests the operator sends to the platform through
	// this PlatformConfig, shared by every object that uses it.
	// +kubebuilder:default={}
	// +optional
	RateLimit RateLimit `json:"rateLimit,omitempty"`

	// namespaceSelector selects the namespaces whose Enterprises may reference this
	// PlatformConfig. When omitted, Enterprises in every namespace may use it; an empty
	// selector ({}) also matches every namespace. An Enterprise in a namespace that
	// does not match is not reconciled and reports why in its Ready condition.
	// +optional
	NamespaceSelector *LabelSelector `json:"namespaceSelector,omitempty"`

	// adoption says which namespaces' Enterprises may adopt, by the external-id
	// annotation, a platform enterprise that carries no ownership record (one made
	// outside the operator, or by a release before the record existed). An enterprise
	// whose record names an Enterprise object is adoptable only by that object
	// (same namespace and name), whatever this says, so a cluster rebuilt from Git
	// adopts its own enterprises and no other tenant can. Defaults to policy None.
	// +kubebuilder:default={policy: None}
	// +optional
	Adoption AdoptionPolicy `json:"adoption,omitempty"`
}

// AdoptionPolicyType names who may adopt enterprises without an ownership record.
// +kubebuilder:validation:Enum=None;NamespaceSelector
type AdoptionPolicyType string

const (
	// AdoptionPolicyNone: no namespace may adopt an enterprise without an ownership
	// record; only the object a record names may adopt its enterprise.
	AdoptionPolicyNone AdoptionPolicyType = "None"
	// AdoptionPolicyNamespaceSelector: Enterprises in namespaces matching
	// adoption.namespaceSelector may also adopt enterprises without a record (the
	// operator then writes one naming the adopter).
	AdoptionPolicyNamespaceSelector AdoptionPolicyType = "NamespaceSelector"
)

// AdoptionPolicy grants adoption of platform enterprises that carry no ownership record.
// +kubebuilder:validation:XValidation:rule="!has(self.policy) || self.policy != 'NamespaceSelector' || has(self.namespaceSelector)",message="adoption.namespaceSelector is required when adoption.policy is NamespaceSelector"
// +kubebuilder:validation:XValidation:rule="(has(self.policy) && self.policy == 'NamespaceSelector') || !has(self.namespaceSelector)",message="adoption.namespaceSelector is used only with adoption.policy NamespaceSelector"
type AdoptionPolicy struct {
	// policy is None (the default: nothing without an ownership record is adopted)
	// or NamespaceSelector (namespaces matching namespaceSelector may adopt enterprises
	// without a record).
	// +kubebuilder:default=None
	// +optional
	Policy AdoptionPolicyType `json:"policy,omitempty"`

	// namespaceSelector selects the namespaces granted adoption with policy
	// NamespaceSelector. An empty selector ({}) grants every namespace that may use
	// this PlatformConfig. The namespace must also match spec.namespaceSelector.
	// +optional
	NamespaceSelector *LabelSelector `json:"namespaceSelector,omitempty"`
}

// PlatformAuth holds the credentials for the platform; exactly one method is set.
// +kubebuilder:validation:XValidation:rule="has(self.oauth2) != has(self.bearerToken)",message="exactly one of auth.oauth2 or auth.bearerToken must be set"
type PlatformAuth struct {
	// oauth2 authenticates with the OAuth2 client-credentials flow: the operator
	// exchanges a client ID and secret for short-lived access tokens at tokenURL.
	// +optional
	OAuth2 *OAuth2Auth `json:"oauth2,omitempty"`

	// bearerToken authenticates with a static API token (a JWT) sent as
	// "Authorization: Bearer <token>".
	// +optional
	BearerToken *BearerTokenAuth `json:"bearerToken,omitempty"`
}

// OAuth2Auth configures the OAuth2 client-credentials flow.
type OAuth2Auth struct {
	// tokenURL is the OAuth2 token endpoint, for example
	// https://auth.example.com/connect/token. It must be https; plain http is accepted
	// only for a loopback host (localhost, 127.0.0.1 or [::1]). The token request
	// carries the client secret, so the address rules of baseURL apply here too: no
	// link-local or cloud metadata address or host name, and no connection to one after
	// DNS resolution or a redirect either.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getHostname() != '' && (url(self).getScheme() == 'https' || (url(self).getScheme() == 'http' && url(self).getHostname() in ['localhost', '127.0.0.1', '::1']))",message="tokenURL must be an https URL (plain http is allowed only for localhost, 127.0.0.1 or [::1], the local simulator)"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || [self.substring(size(self.find('^[^:/?#]+://([^/?#]*@)?[[]?')), size(self.find('^[^:/?#]+://([^/?#]*@)?([[][^]]*|[^:/?#]*)')))].all(h, !isIP(h) || !(ip(h).isLinkLocalUnicast() || ip(h).isLinkLocalMulticast() || ip(h) in [ip('fd00:ec2::254'), ip('100.100.100.200')]))",message="tokenURL must not point at a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, link-local multicast, fd00:ec2::254, 100.100.100.200): cloud instance metadata services there hand out the node's credentials"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || [self.substring(size(self.find('^[^:/?#]+://([^/?#]*@)?[[]?')), size(self.find('^[^:/?#]+://([^/?#]*@)?([[][^]]*|[^:/?#]*)')))].all(h, h == url(self).getHostname() && (!url(self).getHost().startsWith('[') || isIP(h)))",message="tokenURL must write its host plainly, without an IPv4-mapped IPv6 address (such as [::ffff:169.254.169.254]) or an IPv6 zone, so that it can be checked against link-local and cloud metadata addresses"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || !self.substring(size(self.find('^[^:/?#]+://([^/?#]*@)?[[]?')), size(self.find('^[^:/?#]+://([^/?#]*@)?([[][^]]*|[^:/?#]*)'))).matches('^(?i)metadata([.]google[.]internal|[.]goog)?[.]?$')",message="tokenURL must not point at a cloud metadata host name (metadata.google.internal, metadata.goog, metadata): cloud instance metadata services hand out the node's credentials"
	// +required
	TokenURL string `json:"tokenURL"`

	// credentialsSecretRef names the Secret holding the client credentials. The
	// Secret must have two keys: clientID (the OAuth2 client ID) and clientSecret
	// (the OAuth2 client secret). The operator re-reads it when it changes.
	// +required
	CredentialsSecretRef NamespacedSecretReference `json:"credentialsSecretRef"`

	// scopes to request with the token, for example ["API"]. Omit to request the
	// client's default scopes.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=256
	// +listType=atomic
	// +optional
	Scopes []string `json:"scopes,omitempty"`
}

// BearerTokenAuth configures a static bearer token.
type BearerTokenAuth struct {
	// tokenSecretRef points at the Secret key holding the API token. The operator
	// re-reads it when it changes, so rotating the token is a Secret update.
	// +required
	TokenSecretRef NamespacedSecretKeyReference `json:"tokenSecretRef"`
}

// NamespacedSecretReference names a whole Secret in a given namespace.
type NamespacedSecretReference struct {
	// namespace of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +required
	Namespace string `json:"namespace"`

	// name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// RateLimit is a token-bucket limit on requests to the platform.
type RateLimit struct {
	// requestsPerSecond is the sustained number of requests per second the operator
	// may send. Defaults to 10.
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +optional
	RequestsPerSecond int32 `json:"requestsPerSecond,omitempty"`

	// burst is how many requests may be sent at once above the sustained rate.
	// Defaults to 20.
	// +kubebuilder:default=20
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	// +optional
	Burst int32 `json:"burst,omitempty"`
}

// PlatformConfigStatus reports whether the platform is reachable with the credentials.
type PlatformConfigStatus struct {
	// observedGeneration is the metadata.generation whose credentials a check last
	// accepted or refused (Stalled=True); a check the platform could not answer leaves it.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions, each with a reason and a message a person can act on. Ready: the
	// platform accepted these credentials, and objects use them only while it is True.
	// Synced: whether the last check succeeded; a platform outage or rate limit during
	// a check turns Synced False but leaves Ready as the last check proved it. Stalled:
	// the credentials were refused or their Secret is missing.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// lastCheckTime is when the credentials were last checked against the platform.
	// +optional
	LastCheckTime *metav1.Time `json:"lastCheckTime,omitempty"`

	// authenticatedAs is the platform user id the credentials authenticate as
	// (never a secret), as reported by the platform's current-user endpoint.
	// +optional
	AuthenticatedAs string `json:"authenticatedAs,omitempty"`
}

// PlatformConfig says how to reach the SaaS platform: its API URL, the credentials
// (from Secrets), an optional reseller company scope and a rate limit. It is
// cluster-scoped; Enterprises reference it by name through spec.platformConfigRef,
// and spec.namespaceSelector limits which namespaces may do so.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=enterprise-operator,shortName=pcfg
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="BASE-URL",type=string,JSONPath=`.spec.baseURL`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="REASON",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
type PlatformConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec says where the platform is and how to authenticate to it.
	// +required
	Spec PlatformConfigSpec `json:"spec"`

	// status reports the last credential check.
	// +optional
	Status PlatformConfigStatus `json:"status,omitempty"`
}

// PlatformConfigList is a list of PlatformConfigs.
// +kubebuilder:object:root=true
type PlatformConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PlatformConfig `json:"items"`
}

func init() { register(&PlatformConfig{}, &PlatformConfigList{}) }
