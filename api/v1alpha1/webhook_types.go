package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WebhookSpec declares an endpoint the platform sends enterprise events to.
type WebhookSpec struct {
	ManagedResourceSpec `json:",inline"`

	// enterpriseRef names the Enterprise, in this namespace, whose events are sent.
	// Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="enterpriseRef is immutable"
	// +required
	EnterpriseRef LocalObjectReference `json:"enterpriseRef"`

	// url is the https endpoint the platform POSTs events to.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https' && url(self).getHostname() != ''",message="url must be an https URL"
	// +required
	URL string `json:"url"`

	// events are the event types to send, each a dotted lower-case name such as
	// user.created or domain.verified.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.all(e, e.matches('^[a-z][a-z0-9_]*([.][a-z][a-z0-9_]*)+$'))",message="each event must be a dotted lower-case name such as user.created"
	// +listType=set
	// +required
	Events []string `json:"events"`

	// signingSecretRef points at the Secret key, in this namespace, holding the
	// secret the platform signs deliveries with, so the receiver can verify them.
	// The Secret must carry the label platform.enterprise-operator.dev/secret=true
	// (the opt-in to having its value sent to the platform) or an ownerReference to
	// this Webhook; otherwise the webhook stalls with reason SecretNotAllowed and
	// nothing is sent. Rotations of a labelled Secret are sent to the platform at once.
	// The key defaults to "password"; set key explicitly (for example "secret") if
	// the Secret uses another key.
	// +required
	SigningSecretRef SecretKeyReference `json:"signingSecretRef"`

	// active says whether the platform delivers events; false keeps the webhook
	// but pauses deliveries. Defaults to true.
	// +kubebuilder:default=true
	// +optional
	Active *bool `json:"active,omitempty"`
}

// WebhookTestStatus is the outcome of the last webhook test.
type WebhookTestStatus struct {
	// requestedBy is the value of the test annotation that triggered the test.
	// +optional
	RequestedBy string `json:"requestedBy,omitempty"`

	// time is when the test ran.
	// +optional
	Time metav1.Time `json:"time,omitempty"`

	// success is true when the endpoint answered the test delivery with a 2xx status.
	// +optional
	Success bool `json:"success"`

	// statusCode is the HTTP status the endpoint answered with, 0 if it could not be reached.
	// +optional
	StatusCode int32 `json:"statusCode,omitempty"`

	// message is the platform's description of the outcome.
	// +optional
	Message string `json:"message,omitempty"`
}

// WebhookStatus is the observed state of a Webhook.
type WebhookStatus struct {
	ManagedResourceStatus `json:",inline"`

	// lastTest is the outcome of the last test requested with the test annotation.
	// +optional
	LastTest *WebhookTestStatus `json:"lastTest,omitempty"`

	// signingSecretVersion is the resourceVersion of the signing Secret whose value was
	// last sent to the platform. The platform never returns the signing secret, so this
	// is how a rotated Secret is noticed: when the Secret changes, the operator sends the
	// new value. It is a version number, never the secret or a hash of it.
	// +optional
	SigningSecretVersion string `json:"signingSecretVersion,omitempty"`
}

// Webhook is an endpoint the platform sends an Enterprise's events to.
//
// Annotations: platform.enterprise-operator.dev/test runs the platform's webhook
// test once per distinct value (use a timestamp) and records the outcome in
// status.lastTest; platform.enterprise-operator.dev/paused,
// platform.enterprise-operator.dev/external-id and
// platform.enterprise-operator.dev/resync-interval work as on every platform-backed kind.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=enterprise-operator,shortName=ewebhook
// +kubebuilder:printcolumn:name="READY",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="SYNCED",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="ACTIVE",type=boolean,JSONPath=`.spec.active`
// +kubebuilder:printcolumn:name="TEST",type=boolean,JSONPath=`.status.lastTest.success`
// +kubebuilder:printcolumn:name="EXTERNAL-ID",type=string,JSONPath=`.status.externalID`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="ENTERPRISE",type=string,priority=1,JSONPath=`.spec.enterpriseRef.name`
// +kubebuilder:printcolumn:name="REASON",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
type Webhook struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec declares the webhook.
	// +required
	Spec WebhookSpec `json:"spec"`

	// status is the webhook's observed state and last test outcome.
	// +optional
	Status WebhookStatus `json:"status,omitempty"`
}

// WebhookList is a list of Webhooks.
// +kubebuilder:object:root=true
type WebhookList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Webhook `json:"items"`
}

func init() { register(&Webhook{}, &WebhookList{}) }
