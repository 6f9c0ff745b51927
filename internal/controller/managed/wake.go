package managed

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"enterprise-operator/internal/platform"
)

// Wakeup asks for a reconcile of one object after a delay.
type Wakeup struct {
	Key   types.NamespacedName
	After time.Duration
}

// Waker wakes objects of one controller from outside its watches: the objects a
// credential's circuit breaker refused are woken, spread out, when it closes, instead
// of each polling the platform on its own backoff during an outage.
type Waker chan event.TypedGenericEvent[Wakeup]

// wakeTimeout bounds how long a wakeup waits for a controller that is not consuming
// (one that has not started or has stopped); the object's own requeue is the fallback.
const wakeTimeout = time.Minute

// NewWaker returns a Waker with room for a burst of wakeups.
func NewWaker() Waker { return make(Waker, 1024) }

// Source is the controller source that turns wakeups into delayed requests.
func (w Waker) Source() source.TypedSource[reconcile.Request] {
	return source.Channel(w, handler.TypedFuncs[Wakeup, reconcile.Request]{
		GenericFunc: func(_ context.Context, e event.TypedGenericEvent[Wakeup], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			q.AddAfter(reconcile.Request{NamespacedName: e.Object.Key}, e.Object.After)
		},
	})
}

// Now requeues the object at once (it waited for something that is done).
func (w Waker) Now(key types.NamespacedName) {
	if w == nil {
		return
	}
	t := time.NewTimer(wakeTimeout)
	defer t.Stop()
	select {
	case w <- event.TypedGenericEvent[Wakeup]{Object: Wakeup{Key: key}}:
	case <-t.C:
	}
}

// WhenAvailable registers the object under id to be woken once the circuit that
// refused err closes; it reports false when err is no such refusal.
func (w Waker) WhenAvailable(err error, id string, key types.NamespacedName) bool {
	if w == nil {
		return false
	}
	return platform.WhenAvailable(err, id, func(after time.Duration) {
		t := time.NewTimer(wakeTimeout)
		defer t.Stop()
		select {
		case w <- event.TypedGenericEvent[Wakeup]{Object: Wakeup{Key: key, After: after}}:
		case <-t.C:
		}
	})
}
