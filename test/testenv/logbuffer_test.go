package testenv

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLogBuffer(t *testing.T) {
	for _, tc := range []struct {
		name      string
		writes    []string
		reset     bool // between the writes and after
		after     []string
		n         int
		wantAll   string
		wantTails string
	}{
		{name: "tail of more lines", writes: []string{"a\n", "b\nc\n"}, n: 2, wantAll: "a\nb\nc\n", wantTails: "b\nc"},
		{name: "tail of fewer lines", writes: []string{"a\n"}, n: 5, wantAll: "a\n", wantTails: "a"},
		{name: "reset", writes: []string{"old\n"}, reset: true, after: []string{"new\n"}, n: 5, wantAll: "new\n", wantTails: "new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b LogBuffer
			for _, w := range tc.writes {
				fmt.Fprint(&b, w)
			}
			if tc.reset {
				b.Reset()
			}
			for _, w := range tc.after {
				fmt.Fprint(&b, w)
			}
			if diff := cmp.Diff([]string{tc.wantAll, tc.wantTails}, []string{b.String(), b.Tail(tc.n)}); diff != "" {
				t.Errorf("String, Tail (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogBufferConcurrentWrites(t *testing.T) {
	var b LogBuffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				fmt.Fprint(&b, "0123456789\n")
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(8*100*11, len(b.String())); diff != "" {
		t.Errorf("bytes logged (-want +got):\n%s", diff)
	}
}
