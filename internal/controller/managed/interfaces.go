package managed

import (
	"context"
	"errors"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
)

// Object is a platform-backed custom resource.
type Object interface {
	client.Object
	GetManagedSpec() *v1alpha1.ManagedResourceSpec
	GetManagedStatus() *v1alpha1.ManagedResourceStatus
}

// Observation is what Observe found on the platform. Kinds write their own status
// fields (a Domain's DNS record, a user's state) into the object directly; the
// Observation carries only what the shared machinery decides on.
type Observation struct {
	// Exists is false when the platform has no such object (or, before the first
	// create, none matching the natural key).
	Exists bool
	// ExternalID is the platform id of what was found. When status.externalID is empty
	// and this is set, the object was adopted (found by natural key or annotation).
	ExternalID string
	// UpToDate is true when the platform object matches the spec.
	UpToDate bool
	// Drift names the fields that differ, for status and events.
	Drift []string
	// NotReady, when set, keeps Ready=False although the object is in sync (a Domain
	// waiting for its DNS record).
	NotReady *NotReady
	// RequeueAfter, when set, replaces the resync interval for this round (a Domain
	// re-checking verification with backoff).
	RequeueAfter time.Duration
	// Acted, when Act sets it, is what the action did, recorded as a Normal event. An
	// action that did nothing this round leaves it nil, so a value runs and tells once.
	Acted *Action
}

// Action is what a one-shot action did, for its event. Anyone who may read the
// object's events reads Note: it names no secret and nothing of another tenant.
type Action struct {
	// Reason is the event reason, one of the kind's named constants.
	Reason string
	// Action is the verb, such as ResetPassword.
	Action string
	Note   string
}

// NotReady explains why an in-sync object is not usable yet.
type NotReady struct {
	Reason  string
	Message string
}

// External is one kind's view of the platform, bound to a client and to the object's
// resolved dependencies (its Enterprise's platform id). Observe never writes. Create
// returns the observation of what it made, with ExternalID set. Delete treats "already
// gone" as success.
type External[T Object] interface {
	Observe(ctx context.Context, obj T) (Observation, error)
	Create(ctx context.Context, obj T) (Observation, error)
	Update(ctx context.Context, obj T, current Observation) (Observation, error)
	Delete(ctx context.Context, obj T) error
}

// Actor is implemented by Externals that run one-shot actions requested by annotation
// (reset a password, test a webhook, re-check a domain). Act runs only with
// managementPolicy Full, after the object is in sync; it must record in status which
// annotation value it handled so each value runs once, and sets Acted on the
// observation it returns when it did something, so people see it in the events.
type Actor[T Object] interface {
	Act(ctx context.Context, obj T, current Observation) (Observation, error)
}

// CreatePreparer is implemented by Externals whose create needs inputs from outside the
// platform (a password or signing Secret). PrepareCreate runs before the create is
// marked pending: an object whose inputs are missing or refused has not reached the
// platform, and its deletion must not depend on anything.
type CreatePreparer[T Object] interface {
	PrepareCreate(ctx context.Context, obj T) error
}

// Connector resolves an object's dependencies and returns an External bound to them.
// It returns a WaitingError naming a dependency that is missing or not Ready, a
// StallingError for a dependency that can never work as specified, and ErrParentGone
// when deleting an object whose Enterprise no longer exists on the platform.
type Connector[T Object] interface {
	Connect(ctx context.Context, obj T) (External[T], error)
}

// DeletionGate is implemented by Connectors whose objects must wait before their own
// platform delete (an Enterprise waits for its child objects). BeforeDelete returns a
// WaitingError naming what it waits for, or nil when deletion may proceed.
type DeletionGate[T Object] interface {
	BeforeDelete(ctx context.Context, obj T) error
}

// ErrParentGone tells the deletion path that the platform object cannot exist any
// more because its parent is gone (the Enterprise was deleted on the platform, which
// deletes everything in it), so the finalizer can go without a platform call.
var ErrParentGone = errors.New("parent enterprise is gone")

// ExternalIDOf returns the platform id an object is bound to: status.externalID, or,
// before the first successful observation, the external-id annotation that asks to
// adopt a named platform object.
func ExternalIDOf(obj Object) string {
	if id := obj.GetManagedStatus().ExternalID; id != "" {
		return id
	}
	return obj.GetAnnotations()[v1alpha1.AnnotationExternalID]
}
