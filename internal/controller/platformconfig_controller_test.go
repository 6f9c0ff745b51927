package controller

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// TestPlatformConfigSkeleton covers the steps PlatformConfig takes from package
// managed: its finalizer is written under the optimistic lock, so a reconcile of a
// stale cached copy conflicts and is looked at again soon instead of failing, and its
// deletion waits for its Enterprises.
func TestPlatformConfigSkeleton(t *testing.T) {
	deleting := metav1.Now()
	type result struct {
		Requeue    time.Duration
		Err        string
		Gone       bool
		Finalizers []string
		Synced     string // the Synced condition's reason, if any
	}
	for _, tc := range []struct {
		name        string
		finalizers  []string
		deleting    bool
		stale       bool // the reconcile reads a copy older than the stored object
		enterprises []client.Object
		want        result
	}{
		{name: "new: the finalizer added, the check's outcome written to status",
			want: result{Requeue: DefaultCredentialCheckInterval, Finalizers: []string{v1alpha1.Finalizer}, Synced: v1alpha1.ReasonCredentialsInvalid}},
		{name: "a stale copy: adding the finalizer conflicts, retried soon",
			stale: true, want: result{Requeue: time.Second}},
		{name: "deleting, unused: the finalizer released, the object gone",
			finalizers: []string{v1alpha1.Finalizer}, deleting: true, want: result{Gone: true}},
		{name: "deleting, unused, a stale copy: releasing conflicts, retried soon",
			finalizers: []string{v1alpha1.Finalizer}, deleting: true, stale: true,
			want: result{Requeue: time.Second, Finalizers: []string{v1alpha1.Finalizer}}},
		{name: "deleting while an Enterprise uses it: blocked, the finalizer kept",
			finalizers: []string{v1alpha1.Finalizer}, deleting: true,
			enterprises: []client.Object{&v1alpha1.Enterprise{ObjectMeta: metav1.ObjectMeta{Namespace: "t", Name: "acme"},
				Spec: v1alpha1.EnterpriseSpec{PlatformConfigRef: v1alpha1.PlatformConfigReference{Name: "pc"}}}},
			want: result{Requeue: managed.DefaultWait, Finalizers: []string{v1alpha1.Finalizer}, Synced: v1alpha1.ReasonDeletionBlocked}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pc := &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: "pc", Finalizers: tc.finalizers}}
			if tc.deleting {
				pc.DeletionTimestamp = &deleting
			}
			scheme := runtime.NewScheme()
			if err := v1alpha1.AddToScheme(scheme); err != nil {
				t.Fatal(err)
			}
			var stale *v1alpha1.PlatformConfig // when set, what every read of the PlatformConfig returns
			b := fake.NewClientBuilder().WithScheme(scheme).WithStatusSubresource(&v1alpha1.PlatformConfig{}).
				WithObjects(append(tc.enterprises, pc)...).
				WithInterceptorFuncs(interceptor.Funcs{
					Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
						if p, ok := obj.(*v1alpha1.PlatformConfig); ok && stale != nil {
							stale.DeepCopyInto(p)
							return nil
						}
						return c.Get(ctx, key, obj, opts...)
					},
				})
			for _, f := range fieldIndexes() {
				b = b.WithIndex(f.obj, f.field, f.fn)
			}
			kube := b.Build()
			if tc.stale {
				// Read the stored copy, then move the stored object on without it.
				old := &v1alpha1.PlatformConfig{}
				if err := kube.Get(context.Background(), client.ObjectKey{Name: "pc"}, old); err != nil {
					t.Fatal(err)
				}
				newer := old.DeepCopy()
				newer.Labels = map[string]string{"moved": "on"}
				if err := kube.Update(context.Background(), newer); err != nil {
					t.Fatal(err)
				}
				stale = old
			}

			// A credential check, should one be made, fails and says so in status.
			noPlatform := func(platform.Config) (platform.Client, error) { return nil, errors.New("no platform in this test") }
			r := &PlatformConfigReconciler{Client: kube, Clients: &ClientRegistry{Kube: kube, Secrets: kube, New: noPlatform}}
			res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKey{Name: "pc"}})

			got := result{Requeue: res.RequeueAfter}
			if err != nil {
				got.Err = err.Error()
			}
			stale = nil
			stored := &v1alpha1.PlatformConfig{}
			if err := kube.Get(context.Background(), client.ObjectKey{Name: "pc"}, stored); err != nil {
				got.Gone = true
			} else {
				got.Finalizers = stored.Finalizers
				if c := meta.FindStatusCondition(stored.Status.Conditions, v1alpha1.ConditionSynced); c != nil {
					got.Synced = c.Reason
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
