package managed

import (
	"context"
	"strings"
)

// Claims keeps exactly one object in the cluster managing each platform object.
//
// The platform id an object is bound to (status.externalID or the external-id
// annotation) and the natural key it would adopt by (a user's email, a group's name)
// are claims, not facts: a tenant writes them. Two objects claiming the same platform
// object would each revert the other's fields on every resync, and deleting either
// would delete what the other still holds. So before binding, adopting or deleting,
// the reconciler asks for the other objects claiming the same thing and lets only one
// of them, the holder, act on it.
type Claims[T Object] interface {
	// Competitors returns the objects other than obj, in obj's scope (for a child
	// kind: its Enterprise; for an Enterprise: the cluster), that claim the platform
	// object with id, or, when id is "", obj's natural key. Objects being deleted
	// still count: they hold what they claim until they are gone.
	Competitors(ctx context.Context, obj T, id string) ([]T, error)
	// Conflict is the condition reason and message telling obj that holder manages
	// what obj claims (id, or obj's natural key when id is ""). It must not reveal
	// anything about an object outside obj's namespace.
	Conflict(obj, holder T, id string) (reason, message string)
}

// LostClaimError is a StallingError for an object whose claim another object holds.
type LostClaimError struct {
	*StallingError
}

func (e *LostClaimError) Unwrap() error { return e.StallingError }

// Holder returns which of obj and its competitors manages the platform object claimed
// (id, or a natural key when id is ""). Every object computes the same answer from the
// same state, so a race (two objects created at once, both adopting) resolves the same
// way wherever it is looked at: an object already bound to the claimed object first
// (for a natural key, one bound to anything), then the oldest, then by namespace and
// name. Preferring the bound object means a newcomer never takes over what another
// object created or adopted, however old the newcomer is.
func Holder[T Object](obj T, competitors []T, id string) T {
	holder := obj
	for _, c := range competitors {
		if ranksBefore(c, holder, id) {
			holder = c
		}
	}
	return holder
}

func ranksBefore(a, b Object, id string) bool {
	if ab, bb := boundTo(a, id), boundTo(b, id); ab != bb {
		return ab
	}
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	if c := strings.Compare(a.GetNamespace(), b.GetNamespace()); c != 0 {
		return c < 0
	}
	return a.GetName() < b.GetName()
}

// boundTo reports whether obj's status records the claimed platform object (for a
// natural-key claim, any platform object).
func boundTo(obj Object, id string) bool {
	bound := obj.GetManagedStatus().ExternalID
	return bound != "" && (id == "" || bound == id)
}
