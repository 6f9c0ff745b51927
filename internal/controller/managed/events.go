package managed

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"enterprise-operator/api/v1alpha1"
)

// DefaultWarningWindow is how long a Warning event of one reason is not repeated for
// the same object and generation. It matches the longest retry backoff, so an object
// failing the same way records about one event per retry cycle at its slowest.
const DefaultWarningWindow = 5 * time.Minute

// warningGate keeps Warning events at a human rate: one per object, generation and
// reason per window. A new generation is new input and may warn again at once.
type warningGate struct {
	mu      sync.Mutex
	last    map[warningKey]time.Time
	inserts int
}

type warningKey struct {
	uid        types.UID
	generation int64
	reason     string
}

// pruneEvery is how many inserts pass between sweeps of expired entries, so the map
// stays bounded by the objects that warned within one window.
const pruneEvery = 1024

func (g *warningGate) allow(uid types.UID, generation int64, reason string, now time.Time, window time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.last == nil {
		g.last = map[warningKey]time.Time{}
	}
	k := warningKey{uid: uid, generation: generation, reason: reason}
	if t, ok := g.last[k]; ok && now.Sub(t) < window {
		return false
	}
	g.last[k] = now
	if g.inserts++; g.inserts%pruneEvery == 0 {
		for k, t := range g.last {
			if now.Sub(t) >= window {
				delete(g.last, k)
			}
		}
	}
	return true
}

// failureEvent is the reason and action of the Warning event for a failure c that
// would otherwise warn as reason: a blocked deletion says so, whatever blocks it, as
// its condition does.
func failureEvent(c Classification, reason string) (string, string) {
	if c.Reason == v1alpha1.ReasonDeletionBlocked {
		return EventDeleteBlocked, "Delete"
	}
	return reason, "Reconcile"
}
