package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EnterpriseRoleSpec declares a role of an enterprise.
type EnterpriseRoleSpec struct {
	ManagedResourceSpec `json:",inline"`

	// enterpriseRef names the Enterprise, in this namespace, the role belongs to.
	// Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="enterpriseRef is immutable"
	// +required
	EnterpriseRef LocalObjectReference `json:"enterpriseRef"`

	// name is the role's name on the platform, for example "Platform Admins".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +required
	Name string `json:"name"`

	// description says what the role grants.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description string `json:"description,omitempty"`

	// permissions granted by the role, as the platform names them, for example
	// users:read or domains.manage: lower-case letters, digits and _ . : - starting
	// with a letter.
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.all(p, p.matches('^[a-z][a-z0-9_.:-]*$'))",message="each permission must start with a lower-case letter and contain only lower-case letters, digits and _ . : - (for example users:read)"
	// +listType=set
	// +optional
	Permissions []string `json:"permissions,omitempty"`
}

// EnterpriseRoleStatus is the observed state of an EnterpriseRole.
type EnterpriseRoleStatus struct {
	ManagedResourceStatus `json:",inline"`
}

// EnterpriseRole is a named set of permissions of an Enterprise; EnterpriseUsers
// reference it in spec.roleRefs.
//
// Annotations: platform.enterprise-operator.dev/paused,
// platform.enterprise-operator.dev/external-id and
// platform.enterprise-operator.dev/resync-interval work as on every platform-backed kind.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=enterprise-operator,shortName=erole
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="DISPLAY-NAME",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="ENTERPRISE",type=string,priority=1,JSONPath=`.spec.enterpriseRef.name`
// +kubebuilder:printcolumn:name="REASON",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
type EnterpriseRole struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec declares the role.
	// +required
	Spec EnterpriseRoleSpec `json:"spec"`

	// status is the role's observed state on the platform.
	// +optional
	Status EnterpriseRoleStatus `json:"status,omitempty"`
}

// EnterpriseRoleList is a list of EnterpriseRoles.
// +kubebuilder:object:root=true
type EnterpriseRoleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []EnterpriseRole `json:"items"`
}

func init() { register(&EnterpriseRole{}, &EnterpriseRoleList{}) }
