// Package v1alpha1 holds the custom resource API of enterprise-operator: the kinds a
// platform team writes in its GitOps repository to declare enterprise tenants on the
// SaaS platform, and PlatformConfig, which says how to reach that platform.
//
// Field comments here become `kubectl explain` text and the CRD schema descriptions,
// so they are written for the platform engineer who reads them, not for Go readers.
//
// +kubebuilder:object:generate=true
// +groupName=platform.enterprise-operator.dev
package v1alpha1
