package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

// setupWorkers is the parallelism of the untimed set-up and clean-up writes.
const setupWorkers = 16

// forEach runs fn(i) for i in [0, n) on workers goroutines and returns the first
// error; after an error no new index is started.
func forEach(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// createUsers creates n EnterpriseUsers named <prefix>-00000... in ns (untimed) and
// returns them as created (with their resourceVersions).
func (e *scaleEnv) createUsers(ns, enterprise, prefix string, n int) ([]*v1alpha1.EnterpriseUser, error) {
	users := make([]*v1alpha1.EnterpriseUser, n)
	err := forEach(e.ctx, setupWorkers, n, func(ctx context.Context, i int) error {
		u := newUser(ns, enterprise, fmt.Sprintf("%s-%05d", prefix, i), fmt.Sprintf("%s-user-%05d", prefix, i))
		if err := e.k8s.Create(ctx, u); err != nil {
			return fmt.Errorf("creating %s/%s: %w", ns, u.Name, err)
		}
		users[i] = u
		return nil
	})
	return users, err
}

// ceilingResult is what the bare client achieved.
type ceilingResult struct {
	elapsed time.Duration
	samples []sample
	// cpu is each process's CPU time during the timed writes.
	cpu map[string]time.Duration
}

// runCeiling measures the bare-client ceiling: with as many workers as the manager has
// reconcilers, it makes for each of n users only the writes a finalizer-based operator
// cannot avoid (a metadata merge patch with optimistic lock adding the finalizer and
// the create-pending mark, then a status merge patch like the operator's), timed from
// the first write to the last. The users are created before and deleted after, untimed.
// The manager must not be running. The bench's tracker follows the namespace while the
// writes run, as it follows the operator's namespace in the create phase: the
// watcher the measurement adds then loads both runs alike.
func (e *scaleEnv) runCeiling(n int) (ceilingResult, error) {
	if e.manager != nil && !e.stopped {
		return ceilingResult{}, errors.New("the ceiling runs with the manager stopped")
	}
	users, err := e.createUsers(scaleCeilingNS, "none", "ceil", n)
	if err != nil {
		return ceilingResult{}, err
	}
	// A client of its own, configured like the manager's (unthrottled, JSON).
	bare, err := client.New(e.restCfg, client.Options{Scheme: e.k8s.Scheme()})
	if err != nil {
		return ceilingResult{}, err
	}
	tr, err := startTracker(e.ctx, e.k8s, scaleCeilingNS)
	if err != nil {
		return ceilingResult{}, err
	}
	defer tr.stop()
	meter, err := e.startCPU()
	if err != nil {
		return ceilingResult{}, err
	}
	var done atomic.Int64
	start := time.Now()
	s := startSampler(start, 250*time.Millisecond, func() int { return int(done.Load()) })
	err = forEach(e.ctx, e.cfg.concurrency, n, func(ctx context.Context, i int) error {
		if err := unavoidableWrites(ctx, bare, users[i]); err != nil {
			return err
		}
		done.Add(1)
		return nil
	})
	elapsed := time.Since(start)
	samples := s.stop(elapsed, int(done.Load()))
	if err != nil {
		return ceilingResult{}, fmt.Errorf("ceiling writes: %w", err)
	}
	cpu, _, err := meter.stop(e)
	if err != nil {
		return ceilingResult{}, err
	}
	if err := e.deleteCeilingUsers(users); err != nil {
		return ceilingResult{}, err
	}
	return ceilingResult{elapsed: elapsed, samples: samples, cpu: cpu}, nil
}

// unavoidableWrites is what the operator must write for one created user: the
// finalizer and create-pending mark (optimistic lock, as ensureFinalizer does), and a
// status with the external id, state, conditions and observed generation (a merge
// patch of the same fields patchStatus writes).
func unavoidableWrites(ctx context.Context, c client.Client, u *v1alpha1.EnterpriseUser) error {
	orig := u.DeepCopy()
	controllerutil.AddFinalizer(u, v1alpha1.Finalizer)
	a := u.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	a[v1alpha1.AnnotationCreatePending] = time.Now().UTC().Format(time.RFC3339)
	u.SetAnnotations(a)
	if err := c.Patch(ctx, u, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("metadata patch of %s: %w", u.Name, err)
	}
	before := u.DeepCopy()
	now := metav1.Now()
	st := &u.Status
	st.ExternalID = "usr_" + testenv.RandHex(12)
	st.State = "active"
	st.LastAppliedTime = &now
	st.ObservedGeneration = u.Generation
	for _, c := range []metav1.Condition{
		{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonAvailable, Message: "the platform object matches the spec"},
		{Type: v1alpha1.ConditionSynced, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonReconcileSuccess, Message: "the platform object matches the spec"},
		{Type: v1alpha1.ConditionSuspended, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonUserActive, Message: "the user is active on the platform"},
	} {
		c.ObservedGeneration = u.Generation
		meta.SetStatusCondition(&st.Conditions, c)
	}
	if err := c.Status().Patch(ctx, u, client.MergeFrom(before)); err != nil {
		return fmt.Errorf("status patch of %s: %w", u.Name, err)
	}
	return nil
}

// deleteCeilingUsers removes the finalizers, deletes the users and waits until the
// namespace has none left (envtest runs no namespace controller, so deleting the
// namespace would delete nothing).
func (e *scaleEnv) deleteCeilingUsers(users []*v1alpha1.EnterpriseUser) error {
	unfinalize := client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`))
	err := forEach(e.ctx, setupWorkers, len(users), func(ctx context.Context, i int) error {
		u := users[i]
		if err := e.k8s.Patch(ctx, u, unfinalize); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("removing the finalizer of %s: %w", u.Name, err)
		}
		if err := e.k8s.Delete(ctx, u); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("deleting %s: %w", u.Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return e.waitFor(5*time.Minute, 250*time.Millisecond, func() (bool, error) {
		var list v1alpha1.EnterpriseUserList
		if err := e.k8s.List(e.ctx, &list, client.InNamespace(scaleCeilingNS), client.Limit(1)); err != nil {
			return false, err
		}
		return len(list.Items) == 0, nil
	})
}
