package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DomainVerificationState is the platform's DNS verification state of a Domain.
// +kubebuilder:validation:Enum=Pending;Verified;Failed
type DomainVerificationState string

const (
	// DomainVerificationPending: the verification record has not been found yet.
	DomainVerificationPending DomainVerificationState = "Pending"
	// DomainVerificationVerified: the platform found the record; the domain is verified.
	DomainVerificationVerified DomainVerificationState = "Verified"
	// DomainVerificationFailed: the platform gave up verifying the domain.
	DomainVerificationFailed DomainVerificationState = "Failed"
)

// DomainSpec declares a domain an enterprise claims.
type DomainSpec struct {
	ManagedResourceSpec `json:",inline"`

	// enterpriseRef names the Enterprise, in this namespace, that claims the domain.
	// Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="enterpriseRef is immutable"
	// +required
	EnterpriseRef LocalObjectReference `json:"enterpriseRef"`

	// domainName is the fully qualified domain name to verify, in lower case and
	// without a trailing dot, for example acme.example.com. Immutable: create a new
	// Domain to claim another name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$')",message="domainName must be a lower-case fully qualified domain name such as acme.example.com"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="domainName is immutable"
	// +required
	DomainName string `json:"domainName"`
}

// DNSRecord is the DNS record the platform looks for to verify a domain.
type DNSRecord struct {
	// type of the record, for example TXT.
	// +optional
	Type string `json:"type,omitempty"`

	// name is the fully qualified name the record must be published at.
	// +optional
	Name string `json:"name,omitempty"`

	// value the record must hold.
	// +optional
	Value string `json:"value,omitempty"`
}

// DomainStatus is the observed state of a Domain.
type DomainStatus struct {
	ManagedResourceStatus `json:",inline"`

	// verificationState is the platform's verification state: Pending, Verified or Failed.
	// +optional
	VerificationState DomainVerificationState `json:"verificationState,omitempty"`

	// record is the DNS record to publish so the platform can verify the domain.
	// +optional
	Record *DNSRecord `json:"record,omitempty"`

	// lastCheckTime is when the verification state was last read from the platform.
	// +optional
	LastCheckTime *metav1.Time `json:"lastCheckTime,omitempty"`

	// nextCheckTime is when the operator will next read the verification state.
	// +optional
	NextCheckTime *metav1.Time `json:"nextCheckTime,omitempty"`

	// lastRecheck is the value of the recheck annotation that was last handled; a
	// re-check is requested once per distinct value.
	// +optional
	LastRecheck string `json:"lastRecheck,omitempty"`
}

// Domain is a DNS domain an Enterprise claims on the platform. The platform
// verifies ownership through a DNS record, shown in status.record; the Domain is
// Ready once verified.
//
// Annotations: platform.enterprise-operator.dev/recheck asks the platform to
// re-check the DNS record once per distinct value (use a timestamp);
// platform.enterprise-operator.dev/paused, platform.enterprise-operator.dev/external-id
// and platform.enterprise-operator.dev/resync-interval work as on every
// platform-backed kind.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=enterprise-operator,shortName=edomain
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="DOMAIN",type=string,JSONPath=`.spec.domainName`
// +kubebuilder:printcolumn:name="VERIFIED",type=string,JSONPath=`.status.verificationState`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="ENTERPRISE",type=string,priority=1,JSONPath=`.spec.enterpriseRef.name`
// +kubebuilder:printcolumn:name="REASON",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
type Domain struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec declares the domain.
	// +required
	Spec DomainSpec `json:"spec"`

	// status is the domain's observed state and verification progress.
	// +optional
	Status DomainStatus `json:"status,omitempty"`
}

// DomainList is a list of Domains.
// +kubebuilder:object:root=true
type DomainList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Domain `json:"items"`
}

func init() { register(&Domain{}, &DomainList{}) }
