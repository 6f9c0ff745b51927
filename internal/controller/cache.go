package controller

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
)

// CacheOptions is the informer cache every manager of the operator uses. Cached
// objects lose their managedFields: the operator never reads them, and at 10,000
// objects they are a large share of the cache's memory (updates from a cached copy
// keep the server's managedFields, since an absent list means "unchanged").
// Non-empty namespaces restrict namespaced kinds (and the Secret metadata watches)
// to those namespaces; PlatformConfig is cluster-scoped and always watched.
//
// Secrets are cached metadata-only and only those labelled
// platform.enterprise-operator.dev/secret=true (secretCacheSelector): the cache would
// otherwise hold the name and version of every Secret of the cluster, most of which the
// operator may not use anyway (secretUse), and wake objects on changes to any of them.
func CacheOptions(namespaces []string) cache.Options {
	opts := cache.Options{
		DefaultTransform: cacheTransform(),
		// The cache keys ByObject by GVK, so this selects every Secret informer of the
		// manager: the metadata-only one the watches share, and a full one should
		// anything ever read Secrets through the cached client. Without per-object
		// Namespaces it inherits DefaultNamespaces below.
		ByObject: map[client.Object]cache.ByObject{
			secretMetadata(): {Label: secretCacheSelector()},
		},
	}
	for _, ns := range namespaces {
		if opts.DefaultNamespaces == nil {
			opts.DefaultNamespaces = map[string]cache.Config{}
		}
		opts.DefaultNamespaces[ns] = cache.Config{}
	}
	return opts
}

// secretCacheSelector selects the Secrets that opted in to being read by the operator.
// A label-selected watch reports a Secret that gains the label as added and one that
// loses it as deleted, so labelling a Secret wakes the objects waiting for it.
func secretCacheSelector() labels.Selector {
	return labels.SelectorFromSet(labels.Set{v1alpha1.LabelSecret: v1alpha1.LabelSecretOptIn})
}

// secretMetadata is the metadata-only Secret type every Secret watch shares, so the
// cache holds one informer of Secret metadata and never Secret data.
func secretMetadata() *metav1.PartialObjectMetadata {
	secret := &metav1.PartialObjectMetadata{}
	secret.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	return secret
}
