package controller

import (
	"context"
	"errors"
	"strings"
	"time"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/controller/snapshot"
	"enterprise-operator/internal/platform"
)

// views are the list snapshots the child kinds read themselves from (package
// snapshot). Domains are not among them: a pending domain re-checks its verification
// every few seconds, far more often than a list of all domains would be read.
type views struct {
	users  *snapshot.Set[platform.User]
	roles  *snapshot.Set[platform.Role]
	groups *snapshot.Set[platform.Group]
	hooks  *snapshot.Set[platform.Webhook]
}

// Natural-key prefixes of a user: either field finds it (see sameUser).
const (
	userKeyEmail    = "email:"
	userKeyUsername = "username:"
)

func newViews() *views {
	return &views{
		users: &snapshot.Set[platform.User]{
			ID: func(u platform.User) string { return u.ID },
			Keys: func(u platform.User) []string {
				keys := []string{userKeyUsername + u.Username}
				if u.Email != "" {
					keys = append(keys, userKeyEmail+strings.ToLower(u.Email))
				}
				return keys
			},
		},
		roles: &snapshot.Set[platform.Role]{
			ID:   func(r platform.Role) string { return r.ID },
			Keys: func(r platform.Role) []string { return []string{r.Name} },
		},
		groups: &snapshot.Set[platform.Group]{
			ID:   func(g platform.Group) string { return g.ID },
			Keys: func(g platform.Group) []string { return []string{g.Name} },
		},
		hooks: &snapshot.Set[platform.Webhook]{
			ID:   func(w platform.Webhook) string { return w.ID },
			Keys: func(w platform.Webhook) []string { return []string{w.URL} },
		},
	}
}

// view is one kind's snapshot set bound to an object: its enterprise and how fresh
// its readings must be.
type view[T any] struct {
	set  *snapshot.Set[T]
	key  snapshot.Key
	need snapshot.Need
	src  snapshot.Source[T]
	// p remembers, for this reconcile, whether the object was found absent in a list.
	p *parent
}

// newView binds set to obj. A reading may be half obj's resync interval old, so drift
// made on the platform is still seen within about one interval; it may not be older
// than obj's last platform write (lastAppliedTime has whole seconds, hence the second
// added); and an object whose create may have succeeded unanswered looks itself up
// directly.
func newView[T any](d *deps, p *parent, set *snapshot.Set[T], obj managed.Object, src snapshot.Source[T]) view[T] {
	st := obj.GetManagedStatus()
	need := snapshot.Need{
		NoWait: true,
		MaxAge: managed.ResyncInterval(obj, d.resync) / 2,
		Direct: st.ExternalID == "" && obj.GetAnnotations()[v1alpha1.AnnotationCreatePending] != "",
	}
	if st.LastAppliedTime != nil {
		need.Since = st.LastAppliedTime.Add(time.Second)
	}
	return view[T]{set: set, key: snapshot.Key{Scope: p.scope, Enterprise: p.enterpriseID}, need: need, src: src, p: p}
}

// observe reads obj's platform object: by its id when it has one, else by natural key.
// It returns nil when there is none.
func (v view[T]) observe(ctx context.Context, obj managed.Object, naturalKey string, match func(T) bool) (*T, error) {
	if id := managed.ExternalIDOf(obj); id != "" {
		got, err := v.set.Get(ctx, v.key, id, v.need, v.src)
		return got, deferOnLoading(err)
	}
	got, err := v.set.Find(ctx, v.key, naturalKey, match, v.need, v.src)
	err = deferOnLoading(err)
	v.p.absentFromList = err == nil && got == nil && !v.need.Direct
	if v.p.absentFromList {
		v.p.listTakenAt = v.set.TakenAt(v.key)
	}
	return got, err
}

// deferOnLoading turns "another reconcile is reading the list" into a deferral: the
// object is requeued when that read ends instead of holding a worker meanwhile.
func deferOnLoading(err error) error {
	var le *snapshot.LoadingError
	if errors.As(err, &le) {
		return &managed.DeferredError{OnDone: le.OnDone}
	}
	return err
}

// msgLookAgain: an object about to stall on something only a create needs looks once
// more, in a list read after it was created, for a platform object to adopt.
const msgLookAgain = "%s; looking for an existing platform object to adopt once more first"

// confirmAbsence keeps an object from stalling on what only a create needs (its
// password Secret) because a list read before the object was created did not show the
// platform object it would adopt, made just before it. Such an object reads a fresh list
// once (a second later) before it stalls; one created after the list stalls at once.
func (v view[T]) confirmAbsence(obj managed.Object, err error) error {
	var stall *managed.StallingError
	if !errors.As(err, &stall) || !v.p.absentFromList {
		return err
	}
	// creationTimestamp has whole seconds: a list from the same second may be older.
	if !v.p.listTakenAt.Before(obj.GetCreationTimestamp().Add(time.Second)) {
		return err
	}
	v.set.Invalidate(v.key)
	return managed.WaitingWrap(stall.Reason, time.Second, err, msgLookAgain, stall.Message)
}

// wrote records a write to the platform object id: what it returned, or, when it
// failed, that the object's state is unknown until it is read again.
func (v view[T]) wrote(id string, got *T, err error) {
	switch {
	case err != nil:
		v.set.Stale(v.key, id)
	case got != nil:
		v.set.Put(v.key, *got)
	}
}

// deleted records a delete of id; a failed one leaves its state unknown.
func (v view[T]) deleted(id string, err error) {
	if err != nil && !platform.IsNotFound(err) {
		v.set.Stale(v.key, id)
		return
	}
	v.set.Remove(v.key, id)
}

// msgDuplicate: the platform refused a create as a duplicate of an object the list
// read before it did not show (created meanwhile, outside the operator); the next
// attempt looks the object up directly and adopts it, or stalls on the conflict.
const msgDuplicate = "the platform already has a %s with this %s although its last list did not show one; looking it up again"

// created handles a create's outcome: what it made goes into the list, and a 409
// after a lookup in a list (which may be older than the duplicate) becomes a short
// wait instead of a stall.
func (v view[T]) created(got *T, err error, what, key string) error {
	if err == nil {
		if got != nil {
			v.set.Put(v.key, *got)
		}
		return nil
	}
	if platform.IsConflict(err) && v.p.absentFromList {
		v.set.Invalidate(v.key)
		return managed.Waiting(v1alpha1.ReasonCreating, time.Second, msgDuplicate, what, key)
	}
	return err
}

// notFoundIsNil turns a platform 404 into "no such object" for snapshot.Source.Get.
func notFoundIsNil[T any](got *T, err error) (*T, error) {
	if platform.IsNotFound(err) {
		return nil, nil
	}
	return got, err
}
