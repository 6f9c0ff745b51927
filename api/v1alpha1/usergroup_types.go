package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// UserGroupSpec declares a group of users of an enterprise.
type UserGroupSpec struct {
	ManagedResourceSpec `json:",inline"`

	// enterpriseRef names the Enterprise, in this namespace, the group belongs to.
	// Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="enterpriseRef is immutable"
	// +required
	EnterpriseRef LocalObjectReference `json:"enterpriseRef"`

	// name is the group's display name on the platform, for example "Sales Team".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +required
	Name string `json:"name"`

	// description says what the group is for.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description string `json:"description,omitempty"`

	// externalReference is a free-form reference to the group in another system,
	// for example an HR department code.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	ExternalReference string `json:"externalReference,omitempty"`

	// members name EnterpriseUsers, in this namespace, that belong to the group.
	// The group's members are these plus the users memberSelector matches.
	// +kubebuilder:validation:MaxItems=1000
	// +listType=map
	// +listMapKey=name
	// +optional
	Members []LocalObjectReference `json:"members,omitempty"`

	// memberSelector adds every EnterpriseUser in this namespace whose labels match.
	// Omit it to list members explicitly only; an empty selector ({}) selects every
	// EnterpriseUser in the namespace.
	// +optional
	MemberSelector *LabelSelector `json:"memberSelector,omitempty"`
}

// UserGroupStatus is the observed state of a UserGroup.
type UserGroupStatus struct {
	ManagedResourceStatus `json:",inline"`

	// memberCount is the number of users currently in the group on the platform.
	// +optional
	MemberCount int32 `json:"memberCount,omitempty"`

	// members are the names of the EnterpriseUsers currently in the group.
	// +listType=atomic
	// +optional
	Members []string `json:"members,omitempty"`
}

// UserGroup is a team of users of an Enterprise (a department, function or
// permission set), with members listed by name and/or selected by label.
//
// Annotations: platform.enterprise-operator.dev/paused,
// platform.enterprise-operator.dev/external-id and
// platform.enterprise-operator.dev/resync-interval work as on every platform-backed kind.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=enterprise-operator,shortName=ugroup
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="DISPLAY-NAME",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="MEMBERS",type=integer,JSONPath=`.status.memberCount`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="ENTERPRISE",type=string,priority=1,JSONPath=`.spec.enterpriseRef.name`
// +kubebuilder:printcolumn:name="REASON",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
type UserGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec declares the group and its members.
	// +required
	Spec UserGroupSpec `json:"spec"`

	// status is the group's observed state on the platform.
	// +optional
	Status UserGroupStatus `json:"status,omitempty"`
}

// UserGroupList is a list of UserGroups.
// +kubebuilder:object:root=true
type UserGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []UserGroup `json:"items"`
}

func init() { register(&UserGroup{}, &UserGroupList{}) }
