package testenv

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReceiverRecordsDeliveries(t *testing.T) {
	r := StartReceiver()
	defer r.Close()
	for _, body := range []string{"one", "two"} {
		req, err := http.NewRequest(http.MethodPost, r.Server.URL+"/hook", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Test", body)
		resp, err := r.Server.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d, want 204", resp.StatusCode)
		}
	}
	var got []string
	for _, d := range r.Received() {
		got = append(got, d.Header.Get("X-Test")+"="+string(d.Body))
	}
	if diff := cmp.Diff([]string{"one=one", "two=two"}, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

func TestBeforeDeadline(t *testing.T) {
	fired := make(chan struct{})
	BeforeDeadline(time.Now().Add(50*time.Millisecond), 40*time.Millisecond, func() { close(fired) })
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not run before the deadline")
	}

	cancel := BeforeDeadline(time.Now().Add(time.Hour), time.Minute, func() { t.Error("cancelled stop ran") })
	cancel()
	BeforeDeadline(time.Time{}, time.Minute, func() { t.Error("stop ran without a deadline") })()
}
