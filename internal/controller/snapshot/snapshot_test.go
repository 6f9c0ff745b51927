package snapshot

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type item struct {
	ID, Name, Value string
}

// platform is a fake Source: a map of items and counts of each call.
type platform struct {
	mu                    sync.Mutex
	items                 map[string]item
	lists, gets, searches atomic.Int32
	listErr               error
	// during runs inside List, before it answers (a write racing the read).
	during func()
	// gate, when set, holds List until closed; entered is closed when the first List
	// reaches it (see holdLists).
	gate, entered chan struct{}
	enter         sync.Once
}

// holdLists makes List wait until the returned function is called; it returns once
// a List is waiting.
func (p *platform) holdLists(t *testing.T) (waitEntered func(), release func()) {
	p.gate, p.entered = make(chan struct{}), make(chan struct{})
	return func() {
			select {
			case <-p.entered:
			case <-time.After(5 * time.Second):
				t.Fatal("no List was sent")
			}
		}, func() {
			close(p.gate)
		}
}

func newPlatform(items ...item) *platform {
	p := &platform{items: map[string]item{}}
	for _, it := range items {
		p.items[it.ID] = it
	}
	return p
}

func (p *platform) source() Source[item] {
	return Source[item]{
		List: func(context.Context) ([]item, error) {
			p.lists.Add(1)
			if p.gate != nil {
				p.enter.Do(func() { close(p.entered) })
				<-p.gate
			}
			p.mu.Lock()
			out := make([]item, 0, len(p.items))
			for _, it := range p.items {
				out = append(out, it)
			}
			err := p.listErr
			p.mu.Unlock()
			if p.during != nil {
				p.during()
			}
			return out, err
		},
		Get: func(_ context.Context, id string) (*item, error) {
			p.gets.Add(1)
			p.mu.Lock()
			defer p.mu.Unlock()
			if it, ok := p.items[id]; ok {
				return &it, nil
			}
			return nil, nil
		},
		Search: func(context.Context) ([]item, error) {
			p.searches.Add(1)
			p.mu.Lock()
			defer p.mu.Unlock()
			out := []item{}
			for _, it := range p.items {
				out = append(out, it)
			}
			return out, nil
		},
	}
}

func (p *platform) set(it item) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.items[it.ID] = it
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newSet(c *clock) *Set[item] {
	return &Set[item]{
		ID:   func(it item) string { return it.ID },
		Keys: func(it item) []string { return []string{it.Name} },
		Now:  c.now,
	}
}

var key = Key{Scope: "pc", Enterprise: "e1"}

type calls struct{ Lists, Gets, Searches int32 }

func (p *platform) calls() calls {
	return calls{Lists: p.lists.Load(), Gets: p.gets.Load(), Searches: p.searches.Load()}
}

func TestReadings(t *testing.T) {
	const maxAge = time.Minute
	a := item{ID: "1", Name: "a", Value: "v1"}
	b := item{ID: "2", Name: "b", Value: "v1"}
	tests := []struct {
		name string
		// steps run against a Set and a platform holding a and b; the last one's
		// result is compared.
		steps func(ctx context.Context, s *Set[item], p *platform, c *clock) (*item, error)
		want  *item
		calls calls
	}{{
		name: "many objects read one list",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			return s.Get(ctx, key, "2", Need{MaxAge: maxAge}, p.source())
		},
		want: &b, calls: calls{Lists: 1},
	}, {
		name: "a list older than MaxAge is read again",
		steps: func(ctx context.Context, s *Set[item], p *platform, c *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			p.set(item{ID: "1", Name: "a", Value: "drifted"})
			c.advance(maxAge + time.Second)
			return s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source())
		},
		want: &item{ID: "1", Name: "a", Value: "drifted"}, calls: calls{Lists: 2},
	}, {
		name: "a shorter MaxAge reads again where a longer one would not",
		steps: func(ctx context.Context, s *Set[item], p *platform, c *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			c.advance(10 * time.Second)
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			return s.Get(ctx, key, "1", Need{MaxAge: 5 * time.Second}, p.source())
		},
		want: &a, calls: calls{Lists: 2},
	}, {
		name: "an id the list lacks is confirmed with a GET",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			return s.Get(ctx, key, "3", Need{MaxAge: maxAge}, p.source())
		},
		want: nil, calls: calls{Lists: 1, Gets: 1},
	}, {
		name: "an object created after the list is found by its GET",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			p.set(item{ID: "3", Name: "c"})
			return s.Get(ctx, key, "3", Need{MaxAge: maxAge}, p.source())
		},
		want: &item{ID: "3", Name: "c"}, calls: calls{Lists: 1, Gets: 1},
	}, {
		name: "a reading older than the object's last write is not used",
		steps: func(ctx context.Context, s *Set[item], p *platform, c *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			c.advance(time.Second)
			return s.Get(ctx, key, "1", Need{MaxAge: maxAge, Since: c.now()}, p.source())
		},
		want: &a, calls: calls{Lists: 1, Gets: 1},
	}, {
		name: "what a write returned is read back without a GET",
		steps: func(ctx context.Context, s *Set[item], p *platform, c *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			c.advance(time.Second)
			s.Put(key, item{ID: "1", Name: "a", Value: "written"})
			return s.Get(ctx, key, "1", Need{MaxAge: maxAge, Since: c.now()}, p.source())
		},
		want: &item{ID: "1", Name: "a", Value: "written"}, calls: calls{Lists: 1},
	}, {
		name: "a write with an unknown outcome is read with a GET",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			s.Stale(key, "1")
			return s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source())
		},
		want: &a, calls: calls{Lists: 1, Gets: 1},
	}, {
		name: "a deleted object is not found by its natural key",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			s.Remove(key, "1")
			return s.Find(ctx, key, "a", nil, Need{MaxAge: maxAge}, p.source())
		},
		want: nil, calls: calls{Lists: 1},
	}, {
		name: "a natural key is found in the list",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			return s.Find(ctx, key, "b", nil, Need{MaxAge: maxAge}, p.source())
		},
		want: &b, calls: calls{Lists: 1},
	}, {
		name: "a natural key absent from the list costs nothing more",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			return s.Find(ctx, key, "c", nil, Need{MaxAge: maxAge}, p.source())
		},
		want: nil, calls: calls{Lists: 1},
	}, {
		name: "a created object is found by its natural key",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			if _, err := s.Find(ctx, key, "c", nil, Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			s.Put(key, item{ID: "3", Name: "c"})
			return s.Find(ctx, key, "c", nil, Need{MaxAge: maxAge}, p.source())
		},
		want: &item{ID: "3", Name: "c"}, calls: calls{Lists: 1},
	}, {
		name: "a direct lookup searches the platform, not the list",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			if _, err := s.Find(ctx, key, "c", nil, Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			p.set(item{ID: "3", Name: "c"}) // created, its answer lost
			return s.Find(ctx, key, "c", func(it item) bool { return it.Name == "c" }, Need{MaxAge: maxAge, Direct: true}, p.source())
		},
		want: &item{ID: "3", Name: "c"}, calls: calls{Lists: 1, Searches: 1},
	}, {
		name: "Invalidate makes the next reader list again",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			if _, err := s.Find(ctx, key, "c", nil, Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			p.set(item{ID: "3", Name: "c"}) // created outside the operator
			s.Invalidate(key)
			return s.Find(ctx, key, "c", nil, Need{MaxAge: maxAge}, p.source())
		},
		want: &item{ID: "3", Name: "c"}, calls: calls{Lists: 2},
	}, {
		name: "enterprises have their own lists",
		steps: func(ctx context.Context, s *Set[item], p *platform, _ *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			other := newPlatform()
			return s.Find(ctx, Key{Scope: "pc", Enterprise: "e2"}, "a", nil, Need{MaxAge: maxAge}, other.source())
		},
		want: nil, calls: calls{Lists: 1},
	}, {
		name: "a write during a read outlives the read",
		steps: func(ctx context.Context, s *Set[item], p *platform, c *clock) (*item, error) {
			if _, err := s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			c.advance(maxAge + time.Second)
			p.during = func() {
				c.advance(time.Millisecond)
				s.Put(key, item{ID: "1", Name: "a", Value: "written during the read"})
			}
			if _, err := s.Get(ctx, key, "2", Need{MaxAge: maxAge}, p.source()); err != nil {
				return nil, err
			}
			p.during = nil
			return s.Get(ctx, key, "1", Need{MaxAge: maxAge}, p.source())
		},
		want: &item{ID: "1", Name: "a", Value: "written during the read"}, calls: calls{Lists: 2},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Unix(1_000_000, 0)}
			p := newPlatform(a, b)
			got, err := tt.steps(t.Context(), newSet(c), p, c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reading (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.calls, p.calls()); diff != "" {
				t.Errorf("platform calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConcurrentReadersShareOneList: a restart reconciles thousands of objects at
// once; they must wait for one list, not each send their own.
func TestConcurrentReadersShareOneList(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := newSet(c)
	p := newPlatform(item{ID: "1", Name: "a"}, item{ID: "2", Name: "b"})
	waitEntered, release := p.holdLists(t)
	var wg, started sync.WaitGroup
	errs := make(chan error, 20)
	read := func() {
		started.Done()
		got, err := s.Get(t.Context(), key, "2", Need{MaxAge: time.Minute}, p.source())
		if err == nil && (got == nil || got.Name != "b") {
			err = errors.New("wrong reading")
		}
		errs <- err
	}
	// One reader's List is in flight; the other 19 arrive while it is.
	started.Add(20)
	wg.Go(read)
	waitEntered()
	for range 19 {
		wg.Go(read)
	}
	started.Wait()
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(calls{Lists: 1}, p.calls()); diff != "" {
		t.Errorf("platform calls (-want +got):\n%s", diff)
	}
}

// TestFailedListIsShared: readers waiting for a list that fails get its error (no
// retry storm against a failing platform); the next reader tries again.
func TestFailedListIsShared(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := newSet(c)
	p := newPlatform(item{ID: "1", Name: "a"})
	boom := errors.New("503")
	p.listErr = boom
	if _, err := s.Get(t.Context(), key, "1", Need{MaxAge: time.Minute}, p.source()); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the list's error", err)
	}
	p.listErr = nil
	got, err := s.Get(t.Context(), key, "1", Need{MaxAge: time.Minute}, p.source())
	if err != nil || got == nil {
		t.Fatalf("got %v, %v after the platform recovered", got, err)
	}
	if diff := cmp.Diff(calls{Lists: 2}, p.calls()); diff != "" {
		t.Errorf("platform calls (-want +got):\n%s", diff)
	}
}

// TestIdleListsAreDropped keeps memory bounded by what is in use.
func TestIdleListsAreDropped(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := newSet(c)
	s.Idle = time.Minute
	p := newPlatform(item{ID: "1", Name: "a"})
	for _, ent := range []string{"e1", "e2", "e3"} {
		if _, err := s.Get(t.Context(), Key{Scope: "pc", Enterprise: ent}, "1", Need{MaxAge: time.Hour}, p.source()); err != nil {
			t.Fatal(err)
		}
	}
	c.advance(2 * time.Minute)
	if _, err := s.Get(t.Context(), key, "1", Need{MaxAge: time.Hour}, p.source()); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	n := len(s.lists)
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("%d lists kept, want only the one read in the last minute", n)
	}
}

// TestNoWaitDefersToTheReadInFlight: a reader that may not wait is told the list is
// being read, and is called back when that read ends.
func TestNoWaitDefersToTheReadInFlight(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := newSet(c)
	p := newPlatform(item{ID: "1", Name: "a"})
	waitEntered, release := p.holdLists(t)
	first := make(chan error, 1)
	go func() {
		_, err := s.Get(t.Context(), key, "1", Need{MaxAge: time.Minute}, p.source())
		first <- err
	}()
	waitEntered()
	_, err := s.Get(t.Context(), key, "1", Need{MaxAge: time.Minute, NoWait: true}, p.source())
	var loading *LoadingError
	if !errors.As(err, &loading) {
		t.Fatalf("got %v, want a LoadingError", err)
	}
	called := make(chan struct{})
	loading.OnDone(func() { close(called) })
	select {
	case <-called:
		t.Fatal("called back before the read ended")
	default:
	}
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	select {
	case <-called:
	case <-time.After(5 * time.Second):
		t.Fatal("not called back after the read ended")
	}
	got, err := s.Get(t.Context(), key, "1", Need{MaxAge: time.Minute, NoWait: true}, p.source())
	if err != nil || got == nil {
		t.Fatalf("after the read: %v, %v", got, err)
	}
	if diff := cmp.Diff(calls{Lists: 1}, p.calls()); diff != "" {
		t.Errorf("platform calls (-want +got):\n%s", diff)
	}
}
