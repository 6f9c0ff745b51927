package platformsim

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// object is what a table needs of the kind it holds; the kind's own rules
// (validation, which fields change, side effects) stay with the kind.
type object[T any] interface {
	*T
	// ident is the object's id and its place in creation order (ids are random, so
	// only the sequence can order a list the same way every time).
	ident() (id string, seq uint64)
	// copyOut shares nothing mutable with the stored object, so it may be read
	// after the lock is released.
	copyOut() *T
	// naturalKeys are the values no two objects of the kind may share; nil for a
	// kind without any.
	naturalKeys() []naturalKey
}

// naturalKey is one value that must be unique among a kind's objects.
type naturalKey struct {
	field string // as the conflict error names it
	scope string // what the value is unique within beyond the table ("": the table)
	value string
	exact bool // compare the value as it is rather than case-insensitively
}

// indexKey is how a natural key is found: its value folded unless compared exactly.
type indexKey struct{ field, scope, value string }

func (k naturalKey) index() indexKey {
	v := k.value
	if !k.exact {
		v = foldKey(v)
	}
	return indexKey{k.field, k.scope, v}
}

// table is one kind's objects in one collection (an enterprise's users, all
// enterprises, all target users). The objects live in the map the simulator's
// exported types expose (Enterprise.Users, the map MutateEnterprises hands out);
// the table keeps beside it what makes reads cheap: the objects in creation order,
// so a page of a list costs the page and not a sort of every object, and the
// natural keys in use, so a create checks uniqueness with one lookup instead of a
// comparison with every object. Callers hold the store's lock; a change to a
// natural key goes through change, and whoever changes the map behind the table's
// back rebuilds it (see store.reindex).
type table[T any, P object[T]] struct {
	kind  string // as errors name it ("user")
	live  *map[string]*T
	order []*T              // ascending (seq, id)
	byKey map[indexKey][]*T // usually one holder; more only after drift made duplicates
}

// reset points the table at the map it indexes and rebuilds the index from it.
func (t *table[T, P]) reset(kind string, live *map[string]*T) {
	t.kind, t.live = kind, live
	t.order = make([]*T, 0, len(*live))
	t.byKey = map[indexKey][]*T{}
	for _, x := range *live {
		t.order = append(t.order, x)
		t.index(x)
	}
	slices.SortFunc(t.order, compareOrder[T, P])
}

func compareOrder[T any, P object[T]](a, b *T) int {
	aid, aseq := P(a).ident()
	bid, bseq := P(b).ident()
	return cmp.Or(cmp.Compare(aseq, bseq), strings.Compare(aid, bid))
}

func (t *table[T, P]) index(x *T) {
	for _, k := range P(x).naturalKeys() {
		if k.value != "" {
			ik := k.index()
			t.byKey[ik] = append(t.byKey[ik], x)
		}
	}
}

func (t *table[T, P]) get(id string) (*T, *apiError) {
	if x, ok := (*t.live)[id]; ok {
		return x, nil
	}
	return nil, errNotFound(t.kind, id)
}

// add stores a new object; its id and sequence are already set.
func (t *table[T, P]) add(x *T) {
	id, _ := P(x).ident()
	(*t.live)[id] = x
	// New objects take the store's next sequence, so this is an append.
	i, _ := slices.BinarySearchFunc(t.order, x, compareOrder[T, P])
	t.order = slices.Insert(t.order, i, x)
	t.index(x)
}

// remove deletes the object with id and reports whether there was one.
func (t *table[T, P]) remove(id string) bool {
	x, ok := (*t.live)[id]
	if !ok {
		return false
	}
	delete(*t.live, id)
	if i, found := slices.BinarySearchFunc(t.order, x, compareOrder[T, P]); found && t.order[i] == x {
		t.order = slices.Delete(t.order, i, i+1)
	} else if i := slices.Index(t.order, x); i >= 0 {
		t.order = slices.Delete(t.order, i, i+1)
	}
	t.unindex(x, P(x).naturalKeys())
	return true
}

// change runs apply, which changes x in place, and moves x's natural keys with it.
func (t *table[T, P]) change(x *T, apply func()) {
	before := P(x).naturalKeys()
	apply()
	if !slices.Equal(before, P(x).naturalKeys()) {
		t.unindex(x, before)
		t.index(x)
	}
}

// unindex forgets that x holds keys.
func (t *table[T, P]) unindex(x *T, keys []naturalKey) {
	for _, k := range keys {
		if k.value == "" {
			continue
		}
		ik := k.index()
		if rest := slices.DeleteFunc(t.byKey[ik], func(o *T) bool { return o == x }); len(rest) > 0 {
			t.byKey[ik] = rest
		} else {
			delete(t.byKey, ik)
		}
	}
}

// holders are the objects holding k (an empty value is held by none).
func (t *table[T, P]) holders(k naturalKey) []*T {
	if k.value == "" {
		return nil
	}
	return t.byKey[k.index()]
}

// taken returns the first of keys held by an object other than self (nil for a
// new object).
func (t *table[T, P]) taken(keys []naturalKey, self *T) (naturalKey, bool) {
	for _, k := range keys {
		for _, o := range t.holders(k) {
			if o != self {
				return k, true
			}
		}
	}
	return naturalKey{}, false
}

// free is taken as the API answers it: 409 naming the field and value.
func (t *table[T, P]) free(keys []naturalKey, self *T) *apiError {
	if k, dup := t.taken(keys, self); dup {
		return errConflict(t.kind, k.field, k.value)
	}
	return nil
}

// first is the earliest created of xs (nil when xs is empty).
func (t *table[T, P]) first(xs ...*T) *T {
	var first *T
	for _, x := range xs {
		if first == nil || compareOrder[T, P](x, first) < 0 {
			first = x
		}
	}
	return first
}

// list returns copies of the objects keep accepts (nil: all) that fall in w, in
// creation order, and how many keep accepts in all.
func (t *table[T, P]) list(keep func(*T) bool, w window) (page []*T, total int) {
	if keep == nil {
		for _, x := range cut(t.order, w) {
			page = append(page, P(x).copyOut())
		}
		return page, len(t.order)
	}
	for _, x := range t.order {
		if !keep(x) {
			continue
		}
		if w.has(total) {
			page = append(page, P(x).copyOut())
		}
		total++
	}
	return page, total
}

// copies returns a copy of every object in creation order.
func (t *table[T, P]) copies() []T {
	out := make([]T, 0, len(t.order))
	for _, x := range t.order {
		out = append(out, *P(x).copyOut())
	}
	return out
}

// window is the part of a list a caller wants: from offset, at most limit items.
type window struct{ offset, limit int }

// everything is the window of a list read whole.
var everything = window{offset: 0, limit: -1}

// has reports whether the i-th item (from 0) falls in the window.
func (w window) has(i int) bool {
	return i >= w.offset && (w.limit < 0 || i-w.offset < w.limit)
}

// cut returns the window of items.
func cut[T any](items []T, w window) []T {
	if w.offset >= len(items) {
		return items[:0:0]
	}
	rest := items[w.offset:]
	if w.limit >= 0 && w.limit < len(rest) {
		rest = rest[:w.limit]
	}
	return rest
}

// foldKey maps s to one representative of the strings strings.EqualFold holds
// equal to it, so that a map finds in one lookup what EqualFold finds by comparing
// with every value. EqualFold compares rune by rune (an invalid byte is the rune
// U+FFFD) and holds two runes equal when they share a case-folding orbit; foldKey
// writes each rune as the smallest rune of its orbit.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - ('a' - 'A')
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}
