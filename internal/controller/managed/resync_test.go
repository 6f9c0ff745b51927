package managed

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
)

func TestResyncInterval(t *testing.T) {
	for _, tc := range []struct {
		name       string
		annotation *string
		def        time.Duration
		want       time.Duration
	}{
		{name: "no annotation: the manager's default", def: 10 * time.Minute, want: 10 * time.Minute},
		{name: "no default: the package default", want: DefaultResyncInterval},
		{name: "annotation overrides", annotation: ptr("90s"), def: 10 * time.Minute, want: 90 * time.Second},
		{name: "the minimum is accepted", annotation: ptr(MinResyncInterval.String()), def: time.Hour, want: MinResyncInterval},
		{name: "below the minimum: ignored, no poller", annotation: ptr("1s"), def: time.Hour, want: time.Hour},
		{name: "not a duration: ignored", annotation: ptr("often"), def: time.Hour, want: time.Hour},
		{name: "negative: ignored", annotation: ptr("-5m"), def: time.Hour, want: time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := &v1alpha1.EnterpriseRole{ObjectMeta: metav1.ObjectMeta{Name: "r"}}
			if tc.annotation != nil {
				obj.Annotations = map[string]string{v1alpha1.AnnotationResyncInterval: *tc.annotation}
			}
			if diff := cmp.Diff(tc.want, ResyncInterval(obj, tc.def)); diff != "" {
				t.Errorf("ResyncInterval (-want +got):\n%s", diff)
			}
		})
	}
}

// The jitter spreads objects created together, and never past its bound.
func TestResyncJitterStaysInBounds(t *testing.T) {
	r := &Reconciler[*v1alpha1.EnterpriseRole]{ResyncInterval: time.Minute}
	obj := &v1alpha1.EnterpriseRole{}
	seen := map[time.Duration]bool{}
	for range 200 {
		d := r.resync(obj, Observation{})
		if d < time.Minute || d > time.Minute+time.Duration(resyncJitter*float64(time.Minute)) {
			t.Fatalf("resync %v outside [1m, 1m12s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 2 {
		t.Errorf("200 resyncs all got the same delay: no jitter")
	}
	if got := r.resync(obj, Observation{RequeueAfter: 5 * time.Second}); got != 5*time.Second {
		t.Errorf("an observation's RequeueAfter wins: got %v, want 5s", got)
	}
}

func ptr[T any](v T) *T { return &v }
