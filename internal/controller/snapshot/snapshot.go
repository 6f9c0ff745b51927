package snapshot

import (
	"context"
	"sync"
	"time"
)

// Key names one list: the platform scope it was read through (a PlatformConfig's
// credential, base URL and company, so a changed PlatformConfig starts afresh) and the
// enterprise whose objects it holds.
type Key struct {
	Scope      string
	Enterprise string
}

// Need says how fresh a reading must be for one object.
type Need struct {
	// MaxAge bounds the age of a list the object may read itself from (half its resync
	// interval). Zero means every reading is a fresh list.
	MaxAge time.Duration
	// Since is when the operator last wrote the object on the platform, as recorded in
	// its status: a reading from before it is not used.
	Since time.Time
	// Direct asks for a direct lookup by natural key instead of the list: an earlier
	// create of this object may have succeeded with its answer lost after the list was
	// read.
	Direct bool
	// NoWait returns a *LoadingError instead of waiting when the list this reader
	// needs is being read by another: a reconcile worker is not held while another
	// one reads a hundred pages, and an edit elsewhere is not kept waiting for a worker.
	NoWait bool
}

// LoadingError says the list is being read by another reader; OnDone runs a function
// when that read ends.
type LoadingError struct{ ld *load }

func (e *LoadingError) Error() string { return "the list is being read" }

// OnDone runs fn (in a goroutine of its own) once the read ends, at once if it has.
func (e *LoadingError) OnDone(fn func()) {
	e.ld.mu.Lock()
	defer e.ld.mu.Unlock()
	if e.ld.ended {
		go fn()
		return
	}
	e.ld.waiters = append(e.ld.waiters, fn)
}

// Source reads one kind in one enterprise from the platform.
type Source[T any] struct {
	// List returns every object of the kind in the enterprise (every page).
	List func(ctx context.Context) ([]T, error)
	// Get returns one object, or nil when the platform has none with that id.
	Get func(ctx context.Context, id string) (*T, error)
	// Search returns candidates for a natural-key lookup, read directly (a filtered
	// list); the caller's match picks among them.
	Search func(ctx context.Context) ([]T, error)
}

// Set holds the lists of one kind. The zero value is not usable: set ID and Keys.
type Set[T any] struct {
	// ID returns an object's platform id.
	ID func(T) string
	// Keys returns the natural keys an object can be found by (normalised, and
	// prefixed by field when there are several).
	Keys func(T) []string
	// Idle drops a list nobody read for this long (DefaultIdle when zero).
	Idle time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time

	mu    sync.Mutex
	lists map[Key]*list[T]
	swept time.Time
}

// DefaultIdle is how long an unread list is kept: longer than half the default resync
// interval would keep lists nobody may read any more.
const DefaultIdle = 15 * time.Minute

type entry[T any] struct {
	v    T
	asOf time.Time
	// gone: the operator deleted it at asOf.
	gone bool
	// stale: the operator wrote it without learning its new state; read it again.
	stale bool
}

type list[T any] struct {
	takenAt time.Time
	items   map[string]*entry[T]
	// byKey maps a natural key to an id (the first listed wins).
	byKey map[string]string
	used  time.Time
	// loading is the read in flight, if any; its waiters share its outcome.
	loading *load
}

type load struct {
	done chan struct{}
	err  error

	mu      sync.Mutex
	ended   bool
	waiters []func()
}

// end records the read's outcome and tells everyone waiting for it.
func (ld *load) end(err error) {
	ld.err = err
	close(ld.done)
	ld.mu.Lock()
	ld.ended = true
	waiters := ld.waiters
	ld.waiters = nil
	ld.mu.Unlock()
	if len(waiters) > 0 {
		go func() {
			for _, fn := range waiters {
				fn()
			}
		}()
	}
}

func (s *Set[T]) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Get returns the object with platform id, or nil when the platform has none. It reads
// from a list fresh enough for need, and with a GET when the list lacks the object,
// holds it from before need.Since, or holds a write whose outcome is unknown. The
// result shares its slices with the list: read them, never modify them.
func (s *Set[T]) Get(ctx context.Context, key Key, id string, need Need, src Source[T]) (*T, error) {
	l, err := s.current(ctx, key, need, src)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	e := l.items[id]
	var hit *T
	if e != nil && !e.gone && !e.stale && !e.asOf.Before(need.Since) {
		v := e.v
		hit = &v
	}
	s.mu.Unlock()
	if hit != nil {
		return hit, nil
	}
	got, err := src.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if got != nil {
		s.Put(key, *got)
	}
	return got, nil
}

// Find returns the object whose natural key is naturalKey, or nil when there is none.
// match confirms a candidate of a direct lookup (need.Direct), which the platform's
// search may return loosely.
func (s *Set[T]) Find(ctx context.Context, key Key, naturalKey string, match func(T) bool, need Need, src Source[T]) (*T, error) {
	if need.Direct {
		items, err := src.Search(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if match(it) {
				s.Put(key, it)
				return &it, nil
			}
		}
		return nil, nil
	}
	l, err := s.current(ctx, key, need, src)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := l.byKey[naturalKey]; ok {
		if e := l.items[id]; e != nil && !e.gone {
			v := e.v
			return &v, nil
		}
	}
	return nil, nil
}

// TakenAt is when key's list was read (zero when there is none).
func (s *Set[T]) TakenAt(key Key) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.lists[key]; l != nil {
		return l.takenAt
	}
	return time.Time{}
}

// current returns key's list, reading it first when it is older than need.MaxAge.
// Concurrent readers share one read, and its error. The object's last write
// (need.Since) is not asked of the whole list: what the operator wrote went into it
// (Put), and Get reads a single object older than that with a GET.
func (s *Set[T]) current(ctx context.Context, key Key, need Need, src Source[T]) (*list[T], error) {
	for {
		now := s.now()
		s.mu.Lock()
		s.sweep(now)
		l := s.lists[key]
		if l == nil {
			l = &list[T]{}
			s.lists[key] = l
		}
		l.used = now
		if !l.takenAt.IsZero() && now.Sub(l.takenAt) <= need.MaxAge {
			s.mu.Unlock()
			return l, nil
		}
		if ld := l.loading; ld != nil {
			s.mu.Unlock()
			if need.NoWait {
				return nil, &LoadingError{ld: ld}
			}
			select {
			case <-ld.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if ld.err != nil {
				return nil, ld.err
			}
			continue // fresh now, unless this reader's MaxAge is shorter than the read took
		}
		ld := &load{done: make(chan struct{})}
		l.loading = ld
		s.mu.Unlock()
		if err := s.read(ctx, l, ld, now, src); err != nil {
			return nil, err
		}
		return l, nil
	}
}

// read lists l afresh; ld is the read's handle, start when it began.
func (s *Set[T]) read(ctx context.Context, l *list[T], ld *load, start time.Time, src Source[T]) error {
	items, err := src.List(ctx)

	s.mu.Lock()
	defer s.mu.Unlock()
	l.loading = nil
	ld.end(err)
	if err != nil {
		return err
	}
	fresh := make(map[string]*entry[T], len(items))
	for _, it := range items {
		fresh[s.ID(it)] = &entry[T]{v: it, asOf: start}
	}
	// A write the operator made while the list was being read may or may not show in
	// it; what the write returned is newer.
	for id, e := range l.items {
		if e.asOf.After(start) {
			fresh[id] = e
		}
	}
	l.items = fresh
	l.takenAt = start
	l.byKey = make(map[string]string, len(fresh))
	for id, e := range fresh {
		l.index(s.Keys, id, e)
	}
	return nil
}

// index makes e findable by its natural keys (the first object holding a key keeps it).
func (l *list[T]) index(keys func(T) []string, id string, e *entry[T]) {
	if e.gone {
		return
	}
	for _, k := range keys(e.v) {
		if _, taken := l.byKey[k]; !taken {
			l.byKey[k] = id
		}
	}
}

// unindex drops id's natural keys.
func (l *list[T]) unindex(keys func(T) []string, id string, e *entry[T]) {
	for _, k := range keys(e.v) {
		if l.byKey[k] == id {
			delete(l.byKey, k)
		}
	}
}

// sweep drops lists nobody read for Idle; s.mu is held.
func (s *Set[T]) sweep(now time.Time) {
	idle := s.Idle
	if idle <= 0 {
		idle = DefaultIdle
	}
	if s.lists == nil {
		s.lists = map[Key]*list[T]{}
	}
	if now.Sub(s.swept) < idle/2 {
		return
	}
	s.swept = now
	for k, l := range s.lists {
		if l.loading == nil && now.Sub(l.used) > idle {
			delete(s.lists, k)
		}
	}
}

// Put records what a write (or a direct read) returned for one object.
func (s *Set[T]) Put(key Key, v T) {
	s.write(key, s.ID(v), func(e *entry[T]) { e.v = v })
}

// Remove records that the operator deleted the object with id.
func (s *Set[T]) Remove(key Key, id string) {
	s.write(key, id, func(e *entry[T]) { e.gone = true })
}

// Stale records a write to the object with id whose outcome is not known (it failed,
// or its answer did not carry the object): its next reading is a GET.
func (s *Set[T]) Stale(key Key, id string) {
	s.write(key, id, func(e *entry[T]) { e.stale = true })
}

func (s *Set[T]) write(key Key, id string, set func(*entry[T])) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lists[key]
	if l == nil || l.items == nil {
		// Nobody reads this enterprise from a list yet; the first list read will be
		// newer than this write.
		return
	}
	e := &entry[T]{asOf: s.now()}
	if old := l.items[id]; old != nil {
		e.v = old.v
		l.unindex(s.Keys, id, old)
	}
	set(e)
	l.items[id] = e
	l.index(s.Keys, id, e)
}

// Invalidate makes key's next reader list it again: the platform refused a create as a
// duplicate of something the list did not show.
func (s *Set[T]) Invalidate(key Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.lists[key]; l != nil {
		l.takenAt = time.Time{}
	}
}
