package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EnterpriseUserSpec declares a user account of an enterprise.
// +kubebuilder:validation:XValidation:rule="has(self.email) || has(self.mobile) || has(self.phone)",message="one of email, mobile or phone must be set (the platform requires an email address when the user has no cell phone)"
type EnterpriseUserSpec struct {
	ManagedResourceSpec `json:",inline"`

	// enterpriseRef names the Enterprise, in this namespace, the user belongs to.
	// Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="enterpriseRef is immutable"
	// +required
	EnterpriseRef LocalObjectReference `json:"enterpriseRef"`

	// username is the login name on the platform, often the email address.
	// Immutable: the platform cannot rename a user.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="username is immutable"
	// +required
	Username string `json:"username"`

	// email is the user's email address. Required unless mobile (or phone) is set.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=320
	// +kubebuilder:validation:XValidation:rule="self.matches('^[^@ ]+@[^@ ]+$')",message="email must be an email address"
	// +optional
	Email string `json:"email,omitempty"`

	// firstName is the user's given name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +optional
	FirstName string `json:"firstName,omitempty"`

	// lastName is the user's family name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +optional
	LastName string `json:"lastName,omitempty"`

	// phone is the user's office phone number, for example "+1 (555) 010-0100":
	// digits, spaces and ( ) . / - with an optional leading +, 3 to 32 characters.
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self.matches('^[+]?[0-9 ()./-]{3,32}$')",message="phone must be a phone number such as +1 555 010 0100 (digits, spaces and ( ) . / - with an optional leading +)"
	// +optional
	Phone string `json:"phone,omitempty"`

	// mobile is the user's cell phone number, in the same format as phone. Required
	// unless email is set.
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self.matches('^[+]?[0-9 ()./-]{3,32}$')",message="mobile must be a phone number such as +1 555 010 0100 (digits, spaces and ( ) . / - with an optional leading +)"
	// +optional
	Mobile string `json:"mobile,omitempty"`

	// title is the user's job title.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Title string `json:"title,omitempty"`

	// department is the user's department.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Department string `json:"department,omitempty"`

	// roleRefs name the EnterpriseRoles, in this namespace, assigned to the user.
	// +kubebuilder:validation:MaxItems=64
	// +listType=map
	// +listMapKey=name
	// +optional
	RoleRefs []LocalObjectReference `json:"roleRefs,omitempty"`

	// suspended, when true, suspends the user on the platform (the account is kept
	// but cannot sign in); setting it back to false re-activates the user.
	// +optional
	Suspended bool `json:"suspended,omitempty"`

	// passwordSecretRef points at a Secret key, in this namespace, holding the user's
	// initial password. If the Secret does not exist, the operator creates it with a
	// generated password (owned by this EnterpriseUser, labelled
	// platform.enterprise-operator.dev/secret=generated). An existing Secret is read
	// only if the operator created it for this EnterpriseUser or it carries the label
	// platform.enterprise-operator.dev/secret=true; otherwise the user stalls with
	// reason SecretNotAllowed and nothing is sent to the platform. When the
	// reset-password annotation is handled, the platform's temporary password is
	// written to the same key, which the operator does only in a Secret it created
	// (so leave the name of a Secret that does not exist yet if you want resets).
	// Omit it and the user is created with a random password that is kept nowhere;
	// the user then sets their own through the platform's password reset.
	// +optional
	PasswordSecretRef *SecretKeyReference `json:"passwordSecretRef,omitempty"`
}

// EnterpriseUserStatus is the observed state of an EnterpriseUser.
type EnterpriseUserStatus struct {
	ManagedResourceStatus `json:",inline"`

	// state is the user's state on the platform, for example active or suspended.
	// +optional
	State string `json:"state,omitempty"`

	// lastPasswordReset is the value of the reset-password annotation that was last
	// handled; a reset happens once per distinct value.
	// +optional
	LastPasswordReset string `json:"lastPasswordReset,omitempty"`
}

// EnterpriseUser is a user account of an Enterprise on the platform.
//
// Annotations: platform.enterprise-operator.dev/reset-password resets the password
// once per distinct value (use a timestamp) and writes the temporary password to
// spec.passwordSecretRef; platform.enterprise-operator.dev/paused,
// platform.enterprise-operator.dev/external-id and
// platform.enterprise-operator.dev/resync-interval work as on every platform-backed kind.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=enterprise-operator,shortName=euser
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="USERNAME",type=string,JSONPath=`.spec.username`
// +kubebuilder:printcolumn:name="STATE",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="ENTERPRISE",type=string,priority=1,JSONPath=`.spec.enterpriseRef.name`
// +kubebuilder:printcolumn:name="REASON",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
type EnterpriseUser struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec declares the user.
	// +required
	Spec EnterpriseUserSpec `json:"spec"`

	// status is the user's observed state on the platform.
	// +optional
	Status EnterpriseUserStatus `json:"status,omitempty"`
}

// EnterpriseUserList is a list of EnterpriseUsers.
// +kubebuilder:object:root=true
type EnterpriseUserList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []EnterpriseUser `json:"items"`
}

func init() { register(&EnterpriseUser{}, &EnterpriseUserList{}) }
