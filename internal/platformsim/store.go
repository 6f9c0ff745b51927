package platformsim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Kinds, as errors and Server.Delete name them.
const (
	kindEnterprise = "enterprise"
	kindUser       = "user"
	kindRole       = "role"
	kindGroup      = "group"
	kindDomain     = "domain"
	kindWebhook    = "webhook"
	kindCompany    = "company"
	kindTargetUser = "target user"
)

type idemKey struct{ company, org, key string }

// store is the one state of the simulator. Every access holds mu. Each kind is a
// table over a map; the state_*.go files hold what differs between kinds.
type store struct {
	mu          sync.Mutex
	enterprises map[string]*Enterprise // handed out live by MutateEnterprises
	ents        table[Enterprise, *Enterprise]
	idem        map[idemKey]string
	companies   map[string]*companyRow
	comps       table[companyRow, *companyRow]
	targetUsers map[string]*TargetUser
	targets     table[TargetUser, *TargetUser]
	seq         uint64

	now func() time.Time
	rnd *mrand.Rand // guarded by mu; nil → crypto/rand
}

func newStore(now func() time.Time, seed int64) *store {
	s := &store{
		enterprises: map[string]*Enterprise{},
		idem:        map[idemKey]string{},
		companies:   map[string]*companyRow{},
		targetUsers: map[string]*TargetUser{},
		now:         now,
	}
	s.ents.reset(kindEnterprise, &s.enterprises)
	s.comps.reset(kindCompany, &s.companies)
	s.targets.reset(kindTargetUser, &s.targetUsers)
	if seed != 0 {
		s.rnd = mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)) //nolint:gosec // a seed's bits, not a quantity
	}
	return s
}

// reindex rebuilds the enterprises' tables from their maps: a Mutate* callback may
// have changed the maps, or natural keys, behind the tables' back.
func (s *store) reindex() {
	s.ents.reset(kindEnterprise, &s.enterprises)
	for _, e := range s.enterprises {
		e.kids = newChildren(e)
	}
}

// ---- ids and secrets ----

// cryptoBytes returns n bytes from crypto/rand (which never fails on the supported
// platforms).
func cryptoBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// randHex is n random bytes in hex, for ids that no seed makes reproducible.
func randHex(n int) string { return hex.EncodeToString(cryptoBytes(n)) }

// randomBytes fills n random bytes; callers hold mu when the store is seeded.
func (s *store) randomBytes(n int) []byte {
	if s.rnd == nil {
		return cryptoBytes(n)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.rnd.UintN(256)) //nolint:gosec // UintN(256) < 256
	}
	return b
}

// newID returns a 32-hex id (the seeds' id pattern ^[0-9a-f]{32}$). Callers hold mu.
func (s *store) newID() string { return hex.EncodeToString(s.randomBytes(16)) }

func (s *store) nextSeq() uint64 { s.seq++; return s.seq }

// fresh is what every new object takes first: an id, then its place in creation
// order and the creation time. Callers hold mu.
func (s *store) fresh() (id string, seq uint64, now time.Time) {
	return s.newID(), s.nextSeq(), s.now().UTC()
}

// randomSecret returns a URL-safe random string of n characters. Callers hold mu.
func (s *store) randomSecret(n int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	b := s.randomBytes(n)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func sha256Hex(s string) string {
	if s == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ---- enterprises' children ----

// scope is what a request may see: enterprises created without a company header are
// visible only without one; enterprises created under a company only with that
// company's header.
type scope struct {
	companyID string
}

func (s *store) enterprise(sc scope, id string) (*Enterprise, *apiError) {
	e, ok := s.enterprises[id]
	if !ok || e.CompanyID != sc.companyID {
		return nil, errNotFound(kindEnterprise, id)
	}
	return e, nil
}

// children are an enterprise's tables, one per kind, over its exported maps.
type children struct {
	users    table[User, *User]
	roles    table[Role, *Role]
	groups   table[Group, *Group]
	domains  table[Domain, *Domain]
	webhooks table[Webhook, *Webhook]
}

func newChildren(e *Enterprise) *children {
	c := &children{}
	c.users.reset(kindUser, &e.Users)
	c.roles.reset(kindRole, &e.Roles)
	c.groups.reset(kindGroup, &e.Groups)
	c.domains.reset(kindDomain, &e.Domains)
	c.webhooks.reset(kindWebhook, &e.Webhooks)
	return c
}

// remover is the removal of one kind, for Server.Delete (nil for an unknown kind).
func (c *children) remover(kind string) func(id string) bool {
	switch kind {
	case kindUser:
		return c.users.remove
	case kindRole:
		return c.roles.remove
	case kindGroup:
		return c.groups.remove
	case kindDomain:
		return c.domains.remove
	case kindWebhook:
		return c.webhooks.remove
	}
	return nil
}

// kindIn picks one kind's table out of an enterprise's, for the operations every
// kind shares.
type kindIn[T any, P object[T]] func(*children) *table[T, P]

func usersIn(c *children) *table[User, *User]          { return &c.users }
func rolesIn(c *children) *table[Role, *Role]          { return &c.roles }
func groupsIn(c *children) *table[Group, *Group]       { return &c.groups }
func domainsIn(c *children) *table[Domain, *Domain]    { return &c.domains }
func webhooksIn(c *children) *table[Webhook, *Webhook] { return &c.webhooks }

// childIn finds an object of an enterprise visible in sc. Callers hold mu.
func childIn[T any, P object[T]](s *store, sc scope, entID, id string, kind kindIn[T, P]) (*Enterprise, *T, *apiError) {
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, nil, err
	}
	x, err := kind(e.kids).get(id)
	if err != nil {
		return nil, nil, err
	}
	return e, x, nil
}

// inChild runs fn (which may be nil) on an object of an enterprise visible in sc
// and returns a copy of the object as fn leaves it. fn changes nothing when it
// fails.
func inChild[T any, P object[T]](s *store, sc scope, entID, id string, kind kindIn[T, P], fn func(e *Enterprise, x *T) *apiError) (*T, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, x, err := childIn(s, sc, entID, id, kind)
	if err != nil {
		return nil, err
	}
	if fn != nil {
		if err := fn(e, x); err != nil {
			return nil, err
		}
	}
	return P(x).copyOut(), nil
}

// getIn returns a copy of an object of an enterprise visible in sc.
func getIn[T any, P object[T]](s *store, sc scope, entID, id string, kind kindIn[T, P]) (*T, *apiError) {
	return inChild(s, sc, entID, id, kind, nil)
}

// updateIn is inChild for an update: a change that succeeds touches the object.
func updateIn[T any, P updatable[T]](s *store, sc scope, entID, id string, kind kindIn[T, P], change func(e *Enterprise, x *T) *apiError) (*T, *apiError) {
	return inChild(s, sc, entID, id, kind, func(e *Enterprise, x *T) *apiError {
		if err := change(e, x); err != nil {
			return err
		}
		P(x).touch(s.now().UTC())
		return nil
	})
}

// createIn adds an object to an enterprise visible in sc and returns a copy of it:
// valid says why the request may not create one (nil: it may); build makes it
// with its id, place in creation order and creation time.
func createIn[T any, P object[T]](s *store, sc scope, entID string, kind kindIn[T, P],
	valid func(e *Enterprise) *apiError, build func(e *Enterprise, id string, seq uint64, now time.Time) *T,
) (*T, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	if err := valid(e); err != nil {
		return nil, err
	}
	id, seq, now := s.fresh()
	x := build(e, id, seq, now)
	kind(e.kids).add(x)
	return P(x).copyOut(), nil
}

// createNamed is createIn for a role or group, whose name must be given and no
// other's.
func createNamed[T any, P named[T]](s *store, sc scope, entID, name string, kind kindIn[T, P], build func(id string, seq uint64, now time.Time) *T) (*T, *apiError) {
	return createIn(s, sc, entID, kind, func(e *Enterprise) *apiError {
		if strings.TrimSpace(name) == "" {
			return errInvalid(fieldName, "name must not be empty")
		}
		return kind(e.kids).free(nameKey(name), nil)
	}, func(_ *Enterprise, id string, seq uint64, now time.Time) *T { return build(id, seq, now) })
}

// updateNamed is updateIn for a role or group: it takes the name, unless name is
// empty (which leaves it) or another's, then what apply sets.
func updateNamed[T any, P named[T]](s *store, sc scope, entID, id, name string, kind kindIn[T, P], apply func(*T)) (*T, *apiError) {
	return updateIn(s, sc, entID, id, kind, func(e *Enterprise, x *T) *apiError {
		if name != "" {
			t := kind(e.kids)
			if err := t.free(nameKey(name), x); err != nil {
				return err
			}
			t.change(x, func() { P(x).setName(name) })
		}
		apply(x)
		return nil
	})
}

// listIn returns copies of the objects of a kind in an enterprise visible in sc
// that keep accepts (nil: all) and fall in w, in creation order, and how many keep
// accepts in all.
func listIn[T any, P object[T]](s *store, sc scope, entID string, kind kindIn[T, P], keep func(*T) bool, w window) ([]*T, int, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, 0, err
	}
	page, total := kind(e.kids).list(keep, w)
	return page, total, nil
}

// deleteIn removes an object of an enterprise visible in sc, then runs the kind's
// side effects on the enterprise (then may be nil).
func deleteIn[T any, P object[T]](s *store, sc scope, entID, id string, kind kindIn[T, P], then func(e *Enterprise, id string)) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, _, err := childIn(s, sc, entID, id, kind)
	if err != nil {
		return err
	}
	kind(e.kids).remove(id)
	if then != nil {
		then(e, id)
	}
	return nil
}
