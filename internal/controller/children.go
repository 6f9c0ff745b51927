package controller

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// Child is a platform-backed kind that lives inside an Enterprise.
type Child interface {
	managed.Object
	GetEnterpriseRef() v1alpha1.LocalObjectReference
}

// parent is what a child's External needs from its Enterprise.
type parent struct {
	platform     platform.Client
	enterpriseID string
	// scope names the client's credential and company for list snapshots.
	scope string
	// absentFromList: this reconcile's lookup by natural key found nothing in a list
	// snapshot (which a duplicate made since may be missing from).
	absentFromList bool
	// listTakenAt is when that list was read.
	listTakenAt time.Time
}

// deps are the shared dependencies every child connector uses.
type deps struct {
	kube    client.Client
	secrets client.Reader
	clients *ClientRegistry
	// resync is the default resync interval, which bounds how old a list snapshot an
	// object reads itself from may be.
	resync time.Duration
	// views are the list snapshots of the child kinds.
	views *views
}

// resolveParent finds the child's Enterprise and a client for it. While reconciling
// normally it waits for the Enterprise to be Ready; while deleting it only needs the
// Enterprise's platform id, and reports ErrParentGone when there is none, because then
// nothing of the child can exist on the platform (or the Enterprise's own deletion has
// removed it there).
func (d *deps) resolveParent(ctx context.Context, obj Child) (parent, error) {
	ref := obj.GetEnterpriseRef()
	deleting := !obj.GetDeletionTimestamp().IsZero()
	e := &v1alpha1.Enterprise{}
	if err := d.kube.Get(ctx, enterpriseKey(obj.GetNamespace(), ref), e); err != nil {
		if apierrors.IsNotFound(err) {
			if deleting {
				return parent{}, managed.ErrParentGone
			}
			return parent{}, managed.WaitingForDependency("Enterprise", ref.Name, "to exist")
		}
		return parent{}, err
	}
	switch {
	case deleting && e.Status.ExternalID == "":
		return parent{}, managed.ErrParentGone
	case !deleting && !e.DeletionTimestamp.IsZero():
		return parent{}, managed.WaitingForDependency("Enterprise", ref.Name, "to finish deleting")
	case !deleting && (e.Status.ExternalID == "" || !meta.IsStatusConditionTrue(e.Status.Conditions, v1alpha1.ConditionReady)):
		// The Enterprise is in this object's namespace: its Ready message is this tenant's to see.
		return parent{}, managed.WaitingForReady("Enterprise", ref.Name, managed.NotReadyCause(e.Status.Conditions))
	}
	pc, err := d.clients.For(ctx, e.Spec.PlatformConfigRef.Name, e.Namespace, e.Spec.CompanyID)
	if err != nil {
		return parent{}, err
	}
	return parent{platform: pc, enterpriseID: e.Status.ExternalID, scope: d.clients.scopeOf(e.Spec.PlatformConfigRef.Name, e.Spec.CompanyID)}, nil
}

// childConnector adapts a per-kind constructor into a managed.Connector.
type childConnector[T Child] struct {
	deps
	newExternal func(d *deps, p parent) managed.External[T]
}

func (c *childConnector[T]) Connect(ctx context.Context, obj T) (managed.External[T], error) {
	p, err := c.resolveParent(ctx, obj)
	if err != nil {
		return nil, err
	}
	return c.newExternal(&c.deps, p), nil
}

// findByKey returns the id of the first item whose natural key matches, for adoption.
func findByKey[E any](items []E, match func(E) bool, id func(E) string) string {
	for _, it := range items {
		if match(it) {
			return id(it)
		}
	}
	return ""
}
