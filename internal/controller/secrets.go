package controller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
)

// Which Secrets the operator may use for a namespaced object. Whoever may write an
// EnterpriseUser or a Webhook may name any Secret of the namespace in it, including
// ones they may not read themselves; the operator, which may read every Secret, would
// then send that Secret's value to the platform (as a password or a signing secret) or
// overwrite one of its keys. So a password or signing Secret is read only if the
// operator created it for this very object or the Secret opts in with the
// v1alpha1.LabelSecret label, and only Secrets the operator created are written.
// PlatformConfig credential Secrets are not subject to this: see ClientRegistry.configFor.

// Kinds that own or name Secrets, as they appear in ownerReferences.
const (
	kindEnterpriseUser = "EnterpriseUser"
	kindWebhook        = "Webhook"
)

// Messages of refused Secrets. They name the Secret and what to do, never its data.
const (
	msgSecretReadNotAllowed = "Secret %[1]s/%[2]s is not used: the operator reads the Secret named in %[3]s only if it " +
		"created the Secret for this %[4]s or the Secret has the label " + v1alpha1.LabelSecret + "=" + v1alpha1.LabelSecretOptIn +
		"; if its value is meant to be sent to the platform, add the label (kubectl label secret -n %[1]s %[2]s " +
		v1alpha1.LabelSecret + "=" + v1alpha1.LabelSecretOptIn + ")"
	msgSecretWriteNotAllowed = "Secret %[1]s/%[2]s was not created by the operator for this %[3]s, and the operator " +
		"writes only Secrets it created (%[4]s): point %[5]s at a Secret name that does not exist yet so the operator creates it"
	msgSecretOfEarlierOwner = "Secret %s/%s was created for an earlier %s %s that is gone; waiting for Kubernetes to garbage-collect it"
)

// secretUse is an object's use of the Secret one of its fields names.
type secretUse struct {
	obj   client.Object
	kind  string // kindEnterpriseUser or kindWebhook
	field string // the spec field naming the Secret, for messages
}

func passwordSecretUse(u *v1alpha1.EnterpriseUser) secretUse {
	return secretUse{obj: u, kind: kindEnterpriseUser, field: "spec.passwordSecretRef"}
}

func signingSecretUse(w *v1alpha1.Webhook) secretUse {
	return secretUse{obj: w, kind: kindWebhook, field: "spec.signingSecretRef"}
}

// ownerRefs returns the Secret's ownerReferences to objects of this use's kind in the
// operator's API group (any version: a later API version names the same objects).
func (u secretUse) ownerRefs(s metav1.Object) []metav1.OwnerReference {
	var out []metav1.OwnerReference
	for _, ref := range s.GetOwnerReferences() {
		gv, err := schema.ParseGroupVersion(ref.APIVersion)
		if err == nil && gv.Group == v1alpha1.GroupVersion.Group && ref.Kind == u.kind {
			out = append(out, ref)
		}
	}
	return out
}

// createdFor reports whether the operator created the Secret for this very object: an
// ownerReference carrying its UID. A name is not enough, since another object (or an
// earlier one of the same name) may name the Secret.
func (u secretUse) createdFor(s metav1.Object) bool {
	for _, ref := range u.ownerRefs(s) {
		if ref.UID == u.obj.GetUID() {
			return true
		}
	}
	return false
}

// ofEarlierOwner reports a Secret created for an earlier object of the same name: it
// was deleted (names are unique) and its Secret is waiting for garbage collection.
// The new object neither reads nor writes it, but waits for it to go rather than
// stall: its deletion would wake nothing, since only labelled Secrets are watched.
func (u secretUse) ofEarlierOwner(s metav1.Object) bool {
	for _, ref := range u.ownerRefs(s) {
		if ref.Name == u.obj.GetName() && ref.UID != u.obj.GetUID() {
			return true
		}
	}
	return false
}

// mayRead returns nil if the operator may read the Secret for this object (and send its
// value to the platform), and otherwise the error to stall (or wait) with. It looks at
// metadata only, so it is decided before the Secret's data is used at all.
func (u secretUse) mayRead(s metav1.Object) error {
	if u.createdFor(s) || s.GetLabels()[v1alpha1.LabelSecret] == v1alpha1.LabelSecretOptIn {
		return nil
	}
	if u.ofEarlierOwner(s) {
		return u.waitForEarlier(s)
	}
	return managed.Stalling(v1alpha1.ReasonSecretNotAllowed, msgSecretReadNotAllowed, s.GetNamespace(), s.GetName(), u.field, u.kind)
}

// mayWrite returns nil if the operator may write the Secret for this object, which is
// only if it created it: the label opts a Secret in for reading, never for being
// overwritten. why says what the write was for.
func (u secretUse) mayWrite(s metav1.Object, why string) error {
	if u.createdFor(s) {
		return nil
	}
	if u.ofEarlierOwner(s) {
		return u.waitForEarlier(s)
	}
	return managed.Stalling(v1alpha1.ReasonSecretNotAllowed, msgSecretWriteNotAllowed, s.GetNamespace(), s.GetName(), u.kind, why, u.field)
}

func (u secretUse) waitForEarlier(s metav1.Object) error {
	return managed.Waiting(v1alpha1.ReasonWaitingForDependency, managed.DefaultWait, msgSecretOfEarlierOwner,
		s.GetNamespace(), s.GetName(), u.kind, u.obj.GetName())
}

// getSecret reads a Secret straight from the API server (Secret data is never cached);
// nil without an error when there is none.
func getSecret(ctx context.Context, reader client.Reader, ns, name string) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	if err := reader.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return s, nil
}
