package managed

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/types"
)

func TestWarningGate(t *testing.T) {
	const window = time.Minute
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	type warn struct {
		uid    types.UID
		gen    int64
		reason string
		at     time.Duration
	}
	steps := []struct {
		name string
		warn warn
		want bool
	}{
		{"first warning of an object", warn{"a", 1, "Stalled", 0}, true},
		{"the same again within the window", warn{"a", 1, "Stalled", 30 * time.Second}, false},
		{"another reason", warn{"a", 1, "ReconcileError", 31 * time.Second}, true},
		{"another object", warn{"b", 1, "Stalled", 32 * time.Second}, true},
		{"a new generation warns at once", warn{"a", 2, "Stalled", 33 * time.Second}, true},
		{"the first one after its window", warn{"a", 1, "Stalled", window}, true},
		{"and not again right after", warn{"a", 1, "Stalled", window + time.Second}, false},
	}
	var g warningGate
	var got, want []bool
	for _, s := range steps {
		got = append(got, g.allow(s.warn.uid, s.warn.gen, s.warn.reason, t0.Add(s.warn.at), window))
		want = append(want, s.want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("allowed (-want +got):\n%s", diff)
	}
}

// The gate forgets what is older than a window, so it holds only recent warners.
func TestWarningGatePrunes(t *testing.T) {
	var g warningGate
	t0 := time.Now()
	for i := range pruneEvery - 1 {
		g.allow(types.UID(rune('a'+i%26))+types.UID(rune(i)), 1, "r", t0, time.Second)
	}
	g.allow("last", 1, "r", t0.Add(time.Hour), time.Second)
	if len(g.last) != 1 {
		t.Errorf("%d entries after a sweep, want 1 (the fresh one)", len(g.last))
	}
}
