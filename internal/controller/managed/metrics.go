package managed

import (
	"reflect"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// reconcilesDeferred counts reconciles that ended without observing anything because
// another reconcile was reading what they need (controller-runtime counts them among
// its successful reconciles): what a reconcile count means after a restart, when most
// objects first wait for their enterprise's list.
var reconcilesDeferred = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "enterprise_operator_reconcile_deferred_total",
	Help: "Reconciles requeued without observing the object because another reconcile was reading its enterprise's list, by controller.",
}, []string{"controller"})

func init() { metrics.Registry.MustRegister(reconcilesDeferred) }

// controllerName is the name setup gives the controller of obj's kind (its lower-cased
// type name).
func controllerName(obj any) string {
	t := reflect.TypeOf(obj)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.ToLower(t.Name())
}
