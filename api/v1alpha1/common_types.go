package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DeletionPolicy says what happens on the platform when the Kubernetes object is deleted.
// +kubebuilder:validation:Enum=Delete;Orphan
type DeletionPolicy string

const (
	// DeletionPolicyDelete deletes the platform object, then lets the Kubernetes object go.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyOrphan leaves the platform object in place.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
)

// ManagementPolicy says whether the operator may write to the platform.
// +kubebuilder:validation:Enum=Full;ObserveOnly
type ManagementPolicy string

const (
	// ManagementPolicyFull creates, updates and deletes the platform object.
	ManagementPolicyFull ManagementPolicy = "Full"
	// ManagementPolicyObserveOnly only reads the platform object and reports drift.
	ManagementPolicyObserveOnly ManagementPolicy = "ObserveOnly"
)

// ManagedResourceSpec holds the fields every platform-backed kind shares.
type ManagedResourceSpec struct {
	// deletionPolicy says what happens to the platform object when this Kubernetes
	// object is deleted. Delete (the default) deletes it on the platform first;
	// Orphan leaves it on the platform, untouched.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy says whether the operator may write to the platform. Full (the
	// default) creates, updates and deletes; ObserveOnly never writes: it finds the
	// platform object (by the external-id annotation or by its natural key), reports
	// its state and any drift from this spec in status, and leaves it alone on delete.
	// +kubebuilder:default=Full
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}

// ManagedResourceStatus holds the status every platform-backed kind shares.
type ManagedResourceStatus struct {
	// observedGeneration is the metadata.generation the operator last reached a verdict
	// on: its spec was fully applied to (or, with ObserveOnly, found matching on) the
	// platform, or it stalled (Stalled=True says so). It lags behind
	// metadata.generation while a change is being applied, retried or waits for a
	// dependency, so kstatus (Flux) reads InProgress then, and Failed once it stalls.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions tell whether the object is Ready (usable on the platform) and Synced
	// (the last reconcile succeeded), with a reason and a message a person can act on.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// externalID is the platform's id of the object this resource manages. It is
	// written as soon as the platform returns it, so a restart never creates a second one.
	// +optional
	ExternalID string `json:"externalID,omitempty"`

	// lastAppliedTime is when the operator last wrote this object's spec to the platform
	// (create, update) or adopted an existing platform object. Periodic checks that find
	// nothing to change do not move it: the operator writes status only when it changes.
	// +optional
	LastAppliedTime *metav1.Time `json:"lastAppliedTime,omitempty"`

	// drift lists the fields whose platform value differs from the spec, as found by the
	// last observation. With ObserveOnly it is how differences are reported; with Full
	// it is empty once the operator has written the spec back.
	// +listType=atomic
	// +optional
	Drift []string `json:"drift,omitempty"`
}

// LocalObjectReference names another object in the same namespace.
type LocalObjectReference struct {
	// name of the referenced object, in this object's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// SecretKeyReference points at one key of a Secret in the same namespace as the object.
type SecretKeyReference struct {
	// name of the Secret, in this object's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// key within the Secret's data.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:default=password
	// +optional
	Key string `json:"key,omitempty"`
}

// NamespacedSecretKeyReference points at one key of a Secret in a given namespace; it is
// used by the cluster-scoped PlatformConfig.
type NamespacedSecretKeyReference struct {
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

	// key within the Secret's data.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Key string `json:"key"`
}
