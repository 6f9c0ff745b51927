package platformsim

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// foldPairs are pairs strings.EqualFold holds equal or not in the ways that differ
// from a plain lower-casing: orbits of three runes, runes whose lower case is
// longer, invalid UTF-8, and lengths.
var foldPairs = [][2]string{
	{"", ""},
	{"alice", "ALICE"},
	{"alice", "alicE "},
	{"k", "\u212a"}, // KELVIN SIGN folds with k and K
	{"K", "\u212a"},
	{"s", "\u017f"},      // LATIN SMALL LETTER LONG S folds with s and S
	{"\u03c3", "\u03c2"}, // σ and ς (final sigma) fold with Σ
	{"\u03a3", "\u03c2"},
	{"\u0130", "i"},  // İ does not fold with i
	{"\u0131", "I"},  // ı does not fold with I
	{"\xff", "\xfe"}, // invalid bytes are each U+FFFD
	{"\xff", "\ufffd"},
	{"\xff\xff", "\ufffd"}, // but two of them are two runes
	{"ß", "ss"},            // no full case folding
	{"Straße", "STRASSE"},
	{"ǅ", "ǆ"}, // title case folds with upper and lower
	{"ǅ", "Ǆ"},
	{"a@acme.test", "A@ACME.TEST"},
}

func TestFoldKeyMatchesEqualFold(t *testing.T) {
	for _, p := range foldPairs {
		want, got := strings.EqualFold(p[0], p[1]), foldKey(p[0]) == foldKey(p[1])
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q ~ %q: EqualFold (-) and foldKey (+) disagree:\n%s", p[0], p[1], diff)
		}
	}
}

// FuzzFoldKey: two strings have the same key exactly when EqualFold holds them equal,
// so one map lookup finds what comparing with every value would.
func FuzzFoldKey(f *testing.F) {
	for _, p := range foldPairs {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if want, got := strings.EqualFold(a, b), foldKey(a) == foldKey(b); want != got {
			t.Fatalf("%q ~ %q: EqualFold %v, foldKey %v", a, b, want, got)
		}
	})
}

// roleTable is a table of roles over its own map, with roles whose sequence is
// their place in name (the test's creation order).
func roleTable(names ...string) (*table[Role, *Role], map[string]*Role) {
	m := map[string]*Role{}
	t := &table[Role, *Role]{}
	t.reset(kindRole, &m)
	for i, n := range names {
		t.add(&Role{ID: "id-" + n, Name: n, seq: uint64(i + 1)})
	}
	return t, m
}

func names(roles []*Role) []string {
	out := []string{}
	for _, r := range roles {
		out = append(out, r.Name)
	}
	return out
}

func TestTableList(t *testing.T) {
	tests := []struct {
		name      string
		remove    []string
		keep      func(*Role) bool
		w         window
		want      []string
		wantTotal int
	}{
		{name: "all", w: everything, want: []string{"a", "b", "c", "d", "e"}, wantTotal: 5},
		{name: "first page", w: window{offset: 0, limit: 2}, want: []string{"a", "b"}, wantTotal: 5},
		{name: "last page, short", w: window{offset: 4, limit: 2}, want: []string{"e"}, wantTotal: 5},
		{name: "past the end", w: window{offset: 5, limit: 2}, want: []string{}, wantTotal: 5},
		{name: "far past the end", w: window{offset: math.MaxInt, limit: 100}, want: []string{}, wantTotal: 5},
		{name: "removals keep the order", remove: []string{"b", "d"}, w: everything, want: []string{"a", "c", "e"}, wantTotal: 3},
		{name: "removing the last", remove: []string{"e"}, w: window{offset: 3, limit: 10}, want: []string{"d"}, wantTotal: 4},
		{
			name: "filtered page counts what the filter keeps", w: window{offset: 1, limit: 1},
			keep: func(r *Role) bool { return r.Name != "b" }, want: []string{"c"}, wantTotal: 4,
		},
		{
			name: "filtered past the end", w: window{offset: 9, limit: 1},
			keep: func(r *Role) bool { return r.Name > "b" }, want: []string{}, wantTotal: 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab, _ := roleTable("a", "b", "c", "d", "e")
			for _, n := range tc.remove {
				if !tab.remove("id-" + n) {
					t.Fatalf("remove %s: not found", n)
				}
			}
			page, total := tab.list(tc.keep, tc.w)
			if diff := cmp.Diff(tc.want, names(page)); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantTotal, total); diff != "" {
				t.Errorf("total (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTableListCopiesOut(t *testing.T) {
	tab, m := roleTable("a")
	m["id-a"].Permissions = []string{"read"}
	page, _ := tab.list(nil, everything)
	page[0].Name, page[0].Permissions[0] = "changed", "changed"
	if diff := cmp.Diff([]string{"a", "read"}, []string{m["id-a"].Name, m["id-a"].Permissions[0]}); diff != "" {
		t.Errorf("a listed copy changed the stored role (-want +got):\n%s", diff)
	}
}

func TestTableNaturalKeys(t *testing.T) {
	type check struct {
		name string
		self string // "" for a new object
		want string // the conflicting field, "" for none
	}
	tests := []struct {
		name   string
		change func(tab *table[Role, *Role], m map[string]*Role)
		checks []check
	}{
		{
			name: "names are unique case-insensitively",
			checks: []check{
				{name: "VIEWER", want: fieldName},
				{name: "viewer", self: "id-viewer"},
				{name: "viewer", self: "id-editor", want: fieldName},
				{name: "auditor"},
				{name: ""},
			},
		},
		{
			name: "a rename frees the old name and takes the new",
			change: func(tab *table[Role, *Role], m map[string]*Role) {
				r := m["id-viewer"]
				tab.change(r, func() { r.Name = "Reader" })
			},
			checks: []check{{name: "viewer"}, {name: "READER", want: fieldName}, {name: "reader", self: "id-viewer"}},
		},
		{
			name:   "a removal frees the name",
			change: func(tab *table[Role, *Role], _ map[string]*Role) { tab.remove("id-editor") },
			checks: []check{{name: "Editor"}, {name: "viewer", want: fieldName}},
		},
		{
			name: "a duplicate made behind the table's back is seen once it is rebuilt",
			change: func(tab *table[Role, *Role], m map[string]*Role) {
				m["id-editor"].Name = "viewer"
				tab.reset(kindRole, &m)
			},
			checks: []check{
				{name: "editor"},
				{name: "viewer", self: "id-viewer", want: fieldName},
				{name: "viewer", self: "id-editor", want: fieldName},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab, m := roleTable("viewer", "editor")
			if tc.change != nil {
				tc.change(tab, m)
			}
			for _, c := range tc.checks {
				k, _ := tab.taken(nameKey(c.name), m[c.self])
				if diff := cmp.Diff(c.want, k.field); diff != "" {
					t.Errorf("taken(%q, self %q) (-want +got):\n%s", c.name, c.self, diff)
				}
			}
		})
	}
}

func TestTableRebuildOrdersBySequence(t *testing.T) {
	m := map[string]*Role{
		"z": {ID: "z", Name: "third", seq: 7},
		"y": {ID: "y", Name: "first", seq: 0}, // added behind the store's back: no sequence
		"x": {ID: "x", Name: "second", seq: 3},
	}
	tab := &table[Role, *Role]{}
	tab.reset(kindRole, &m)
	tab.add(&Role{ID: "a", Name: "fourth", seq: 9})
	page, total := tab.list(nil, everything)
	if diff := cmp.Diff([]string{"first", "second", "third", "fourth"}, names(page)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(4, total); diff != "" {
		t.Errorf("total (-want +got):\n%s", diff)
	}
}

func TestPager(t *testing.T) {
	intp := func(i int) *int { return &i }
	tests := []struct {
		name        string
		page, per   *int
		total       int
		wantWindow  window
		wantPages   int
		wantPerPage int
	}{
		{name: "defaults", total: 41, wantWindow: window{offset: 0, limit: 20}, wantPages: 3, wantPerPage: 20},
		{name: "second page", page: intp(2), per: intp(10), total: 20, wantWindow: window{offset: 10, limit: 10}, wantPages: 2, wantPerPage: 10},
		{name: "zero and negative take the defaults", page: intp(0), per: intp(-1), total: 0, wantWindow: window{offset: 0, limit: 20}, wantPages: 0, wantPerPage: 20},
		{name: "a page too far for an offset", page: intp(math.MaxInt), per: intp(100), total: 1, wantWindow: window{offset: math.MaxInt, limit: 100}, wantPages: 1, wantPerPage: 100},
		{name: "a page size too large to add to", page: intp(1), per: intp(math.MaxInt), total: 5, wantWindow: window{offset: 0, limit: math.MaxInt}, wantPages: 1, wantPerPage: math.MaxInt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pagerOf(tc.page, tc.per)
			got := struct {
				W              window
				Pages, PerPage int
			}{p.window(), p.pages(tc.total), p.perPage}
			want := struct {
				W              window
				Pages, PerPage int
			}{tc.wantWindow, tc.wantPages, tc.wantPerPage}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(window{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
