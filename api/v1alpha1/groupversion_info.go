package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the API group and version of every kind in this package.
var GroupVersion = schema.GroupVersion{Group: "platform.enterprise-operator.dev", Version: "v1alpha1"}

var (
	// SchemeBuilder registers this package's types. apimachinery's builder is used
	// rather than controller-runtime's pkg/scheme, which is deprecated.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds every kind of this group-version to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme

	// objectTypes is filled by each kind's init so that adding a kind touches one file.
	objectTypes []runtime.Object
)

func register(objs ...runtime.Object) { objectTypes = append(objectTypes, objs...) }

func addKnownTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(GroupVersion, objectTypes...)
	metav1.AddToGroupVersion(scheme, GroupVersion)
	return nil
}
