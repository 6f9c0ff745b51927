package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PlatformConfigReference names a cluster-scoped PlatformConfig.
type PlatformConfigReference struct {
	// name of the PlatformConfig (PlatformConfigs are cluster-scoped).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// ThirdPartyIdentifier links the enterprise to an identifier in another system.
type ThirdPartyIdentifier struct {
	// id is the identifier in the third-party system, for example a CRM account id.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +required
	ID string `json:"id"`

	// label names the third-party system or what the id means, for example "salesforce".
	// The label platform.enterprise-operator.dev/owner is reserved: the operator keeps
	// its own ownership record under it (see docs/security.md).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:XValidation:rule="self.lowerAscii() != 'platform.enterprise-operator.dev/owner'",message="the label platform.enterprise-operator.dev/owner is reserved for the operator's ownership record"
	// +required
	Label string `json:"label"`
}

// EnterpriseSpec declares an enterprise (tenant) on the platform.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.companyID) || (has(self.companyID) && self.companyID == oldSelf.companyID)",message="companyID is immutable once set",fieldPath=".companyID"
type EnterpriseSpec struct {
	ManagedResourceSpec `json:",inline"`

	// platformConfigRef names the cluster-scoped PlatformConfig that says how to reach
	// the platform. The PlatformConfig's namespaceSelector must match this namespace.
	// Immutable: an enterprise cannot move to another platform.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="platformConfigRef is immutable"
	// +required
	PlatformConfigRef PlatformConfigReference `json:"platformConfigRef"`

	// organizationID is the platform organization the enterprise is created in:
	// 32 lower-case hex characters, for example 59cd72485007a239fb00282ed480da1f.
	// Immutable.
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9a-f]{32}$')",message="organizationID must be 32 lower-case hex characters"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="organizationID is immutable"
	// +required
	OrganizationID string `json:"organizationID"`

	// adminEmail is the email address of the enterprise's first administrator; the
	// platform creates that user if it does not exist yet (its id is reported in
	// status.adminUserID). Immutable: the platform offers no way to change it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=320
	// +kubebuilder:validation:XValidation:rule="self.matches('^[^@ ]+@[^@ ]+$')",message="adminEmail must be an email address"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="adminEmail is immutable"
	// +required
	AdminEmail string `json:"adminEmail"`

	// additionalAdmins are further administrators of the enterprise, as platform user
	// ids or email addresses.
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=320
	// +listType=set
	// +optional
	AdditionalAdmins []string `json:"additionalAdmins,omitempty"`

	// thirdPartyIdentifiers link the enterprise to records in other systems (CRM,
	// billing). Each id appears once.
	// +kubebuilder:validation:MaxItems=32
	// +listType=map
	// +listMapKey=id
	// +optional
	ThirdPartyIdentifiers []ThirdPartyIdentifier `json:"thirdPartyIdentifiers,omitempty"`

	// companyID scopes every platform request for this enterprise and the objects that
	// reference it to one reseller customer company; it overrides the PlatformConfig's
	// spec.companyID. Leave it empty to use the PlatformConfig's. Once set it cannot be
	// changed or removed.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.matches('^[!-~]+$')",message="companyID must be printable ASCII without spaces (it is sent in an HTTP header)"
	// +optional
	CompanyID string `json:"companyID,omitempty"`
}

// EnterpriseStatus is the observed state of an Enterprise.
type EnterpriseStatus struct {
	ManagedResourceStatus `json:",inline"`

	// adminUserID is the platform user id of the administrator named by
	// spec.adminEmail, as returned when the enterprise was created.
	// +optional
	AdminUserID string `json:"adminUserID,omitempty"`
}

// Enterprise is a tenant on the SaaS platform. Users, groups, roles, domains and
// webhooks in the same namespace reference it through spec.enterpriseRef.
//
// Annotations: platform.enterprise-operator.dev/paused ("true" stops all platform
// calls), platform.enterprise-operator.dev/external-id (adopt an existing enterprise
// by its platform id instead of creating one) and
// platform.enterprise-operator.dev/resync-interval (a Go duration overriding how
// often the platform is re-read).
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=enterprise-operator,shortName=ent
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="ORGANIZATION",type=string,JSONPath=`.spec.organizationID`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="PLATFORMCONFIG",type=string,priority=1,JSONPath=`.spec.platformConfigRef.name`
// +kubebuilder:printcolumn:name="REASON",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
type Enterprise struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec declares the enterprise.
	// +required
	Spec EnterpriseSpec `json:"spec"`

	// status is the enterprise's observed state on the platform.
	// +optional
	Status EnterpriseStatus `json:"status,omitempty"`
}

// EnterpriseList is a list of Enterprises.
// +kubebuilder:object:root=true
type EnterpriseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Enterprise `json:"items"`
}

func init() { register(&Enterprise{}, &EnterpriseList{}) }
