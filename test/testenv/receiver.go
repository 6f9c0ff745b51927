package testenv

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Delivery is one request a Receiver got.
type Delivery struct {
	Header http.Header
	Body   []byte
}

// Receiver is an https endpoint that records what the platform delivers to a webhook
// (its test events), answering 204. Server.Certificate() is its CA for the simulator,
// Server.Client() a client that trusts it.
type Receiver struct {
	Server     *httptest.Server
	mu         sync.Mutex
	deliveries []Delivery
}

// StartReceiver starts a Receiver; Close stops it.
func StartReceiver() *Receiver {
	r := &Receiver{}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.deliveries = append(r.deliveries, Delivery{Header: req.Header.Clone(), Body: body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	return r
}

// Received returns a copy of the deliveries so far, oldest first.
func (r *Receiver) Received() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.deliveries...)
}

// Close stops the server.
func (r *Receiver) Close() { r.Server.Close() }

// BeforeDeadline runs stop margin before deadline, unless the returned cancel runs
// first. A go test -timeout panic runs no cleanup, and etcd and kube-apiserver (unlike
// processes started with StartProc) do not die with the test binary: suites stop
// their control plane this way shortly before the deadline. A zero deadline arms nothing.
func BeforeDeadline(deadline time.Time, margin time.Duration, stop func()) (cancel func()) {
	if deadline.IsZero() {
		return func() {}
	}
	t := time.AfterFunc(time.Until(deadline)-margin, stop)
	return func() { t.Stop() }
}
