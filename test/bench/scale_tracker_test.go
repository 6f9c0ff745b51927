package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
)

// tracker follows the EnterpriseUsers of one namespace through a list and watch
// (an informer: one watch connection, however many objects) and counts them and the
// Ready ones, so that progress can be sampled without listing thousands of objects
// again and again.
type tracker struct {
	mu     sync.Mutex
	ready  map[string]bool // name → Ready=True
	nReady atomic.Int64
	nTotal atomic.Int64
	cancel context.CancelFunc
	done   chan struct{}
}

func startTracker(ctx context.Context, k8s client.WithWatch, ns string) (*tracker, error) {
	t := &tracker{ready: map[string]bool{}, done: make(chan struct{})}
	lw := &toolscache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			list := &v1alpha1.EnterpriseUserList{}
			return list, k8s.List(ctx, list, client.InNamespace(ns), &client.ListOptions{Raw: &opts})
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return k8s.Watch(ctx, &v1alpha1.EnterpriseUserList{}, client.InNamespace(ns), &client.ListOptions{Raw: &opts})
		},
	}
	_, informer := toolscache.NewInformerWithOptions(toolscache.InformerOptions{
		ListerWatcher: lw,
		ObjectType:    &v1alpha1.EnterpriseUser{},
		Handler: toolscache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { t.set(obj) },
			UpdateFunc: func(_, obj any) { t.set(obj) },
			DeleteFunc: t.remove,
		},
	})
	ctx, t.cancel = context.WithCancel(ctx)
	go func() {
		defer close(t.done)
		informer.RunWithContext(ctx)
	}()
	syncCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if !toolscache.WaitForCacheSync(syncCtx.Done(), informer.HasSynced) {
		t.stop()
		return nil, fmt.Errorf("watching EnterpriseUsers in %s: not synced after 2m", ns)
	}
	return t, nil
}

func (t *tracker) set(obj any) {
	u, ok := obj.(*v1alpha1.EnterpriseUser)
	if !ok {
		return
	}
	ready := meta.IsStatusConditionTrue(u.Status.Conditions, v1alpha1.ConditionReady)
	t.mu.Lock()
	defer t.mu.Unlock()
	was, known := t.ready[u.Name]
	t.ready[u.Name] = ready
	if !known {
		t.nTotal.Add(1)
	}
	switch {
	case ready && (!known || !was):
		t.nReady.Add(1)
	case !ready && known && was:
		t.nReady.Add(-1)
	}
}

func (t *tracker) remove(obj any) {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	u, ok := obj.(*v1alpha1.EnterpriseUser)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	was, known := t.ready[u.Name]
	if !known {
		return
	}
	delete(t.ready, u.Name)
	t.nTotal.Add(-1)
	if was {
		t.nReady.Add(-1)
	}
}

// counts returns how many users exist and how many of them are Ready.
func (t *tracker) counts() (total, ready int) {
	return int(t.nTotal.Load()), int(t.nReady.Load())
}

func (t *tracker) stop() {
	t.cancel()
	<-t.done
}

// sample is a count at a time since a phase started.
type sample struct {
	at time.Duration
	n  int
}

// sampler records count() every interval from start until stopped.
type sampler struct {
	mu      sync.Mutex
	samples []sample
	stopc   chan struct{}
	done    chan struct{}
}

func startSampler(start time.Time, every time.Duration, count func() int) *sampler {
	s := &sampler{stopc: make(chan struct{}), done: make(chan struct{})}
	s.add(time.Since(start), count())
	go func() {
		defer close(s.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-s.stopc:
				return
			case <-tick.C:
				s.add(time.Since(start), count())
			}
		}
	}()
	return s
}

func (s *sampler) add(at time.Duration, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, sample{at: at, n: n})
}

// stop ends sampling, records a last sample at end, and returns the samples.
func (s *sampler) stop(end time.Duration, n int) []sample {
	close(s.stopc)
	<-s.done
	s.add(end, n)
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sample(nil), s.samples...)
}
