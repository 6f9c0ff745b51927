package managed

import (
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"enterprise-operator/api/v1alpha1"
)

// resyncJitter spreads resyncs of objects created together (a GitOps sync applies
// thousands at once) so they do not hit the platform in one burst every interval.
const resyncJitter = 0.2

// MinResyncInterval keeps an annotation from turning an object into a poller.
const MinResyncInterval = 5 * time.Second

// ResyncInterval is the object's resync interval: the annotation when it is a valid
// duration (at least MinResyncInterval), else the default.
func ResyncInterval(obj Object, def time.Duration) time.Duration {
	if def <= 0 {
		def = DefaultResyncInterval
	}
	v, ok := obj.GetAnnotations()[v1alpha1.AnnotationResyncInterval]
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < MinResyncInterval {
		return def
	}
	return d
}

func (r *Reconciler[T]) resync(obj T, obs Observation) time.Duration {
	if obs.RequeueAfter > 0 {
		return obs.RequeueAfter
	}
	return wait.Jitter(ResyncInterval(obj, r.ResyncInterval), resyncJitter)
}
