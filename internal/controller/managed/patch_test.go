package managed

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"enterprise-operator/api/v1alpha1"
)

func TestStatusPatch(t *testing.T) {
	base := func() *v1alpha1.EnterpriseUser {
		u := &v1alpha1.EnterpriseUser{ObjectMeta: metav1.ObjectMeta{Name: "u", ResourceVersion: "7", Finalizers: []string{"x"}}}
		u.Status.ExternalID = "usr_1"
		u.Status.State = "active"
		u.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Available", Message: "ok"}}
		return u
	}
	for _, tc := range []struct {
		name   string
		change func(u *v1alpha1.EnterpriseUser)
		want   string // "" for no patch
	}{
		{name: "nothing changed", change: func(*v1alpha1.EnterpriseUser) {}},
		{name: "metadata only: not a status write", change: func(u *v1alpha1.EnterpriseUser) {
			u.ResourceVersion = "8"
			u.Finalizers = nil
			u.Annotations = map[string]string{"a": "b"}
			u.Spec.Email = "x@example.com"
		}},
		{name: "a field", change: func(u *v1alpha1.EnterpriseUser) { u.Status.State = "suspended" },
			want: `{"status":{"state":"suspended"}}`},
		{name: "a field cleared", change: func(u *v1alpha1.EnterpriseUser) { u.Status.ExternalID = "" },
			want: `{"status":{"externalID":null}}`},
		{name: "conditions are replaced whole", change: func(u *v1alpha1.EnterpriseUser) { u.Status.Conditions[0].Message = "changed" },
			want: `{"status":{"conditions":[{"lastTransitionTime":null,"message":"changed","reason":"Available","status":"True","type":"Ready"}]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := base()
			after := before.DeepCopy()
			tc.change(after)
			got, err := statusPatch(before, after)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFinalizerPatch(t *testing.T) {
	obj := &v1alpha1.EnterpriseUser{ObjectMeta: metav1.ObjectMeta{Name: "u", ResourceVersion: "42", Finalizers: []string{"other"}}}
	for _, tc := range []struct {
		name        string
		finalizers  []string
		annotations map[string]string
		want        string
	}{
		{name: "add, with the create-pending mark", finalizers: []string{"other", v1alpha1.Finalizer},
			annotations: map[string]string{v1alpha1.AnnotationCreatePending: "2026-01-01T00:00:00Z"},
			want:        `{"metadata":{"resourceVersion":"42","finalizers":["other","` + v1alpha1.Finalizer + `"],"annotations":{"` + v1alpha1.AnnotationCreatePending + `":"2026-01-01T00:00:00Z"}}}`},
		{name: "keep others", finalizers: []string{"other"},
			want: `{"metadata":{"resourceVersion":"42","finalizers":["other"]}}`},
		{name: "remove the last: null clears the field", finalizers: nil,
			want: `{"metadata":{"resourceVersion":"42","finalizers":null}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := finalizerPatch(obj, tc.finalizers, tc.annotations)
			if err != nil {
				t.Fatal(err)
			}
			data, err := p.Data(obj)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(data)); diff != "" {
				t.Errorf("patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendFinalizer(t *testing.T) {
	in := []string{"a"}
	got, added := appendFinalizer(in, "b")
	if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" || !added {
		t.Errorf("adding (-want +got):\n%s added=%v", diff, added)
	}
	if diff := cmp.Diff([]string{"a"}, in); diff != "" {
		t.Errorf("the input changed (-want +got):\n%s", diff)
	}
	got, added = appendFinalizer(got, "b")
	if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" || added {
		t.Errorf("adding again (-want +got):\n%s added=%v", diff, added)
	}
}

// kubeWith is a fake API server holding obj, whose writes are counted in writes and
// whose status patches answer statusErr when it is set.
func kubeWith(t *testing.T, obj client.Object, writes *int, statusErr error) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithStatusSubresource(&v1alpha1.PlatformConfig{}).
		WithInterceptorFuncs(interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				*writes++
				return c.Patch(ctx, obj, patch, opts...)
			},
			SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
				*writes++
				if statusErr != nil {
					return statusErr
				}
				return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
			},
		})
	if obj != nil {
		b = b.WithObjects(obj)
	}
	return b.Build()
}

// storedConfig is what the fake API server holds now, or nil when the object is gone.
func storedConfig(t *testing.T, kube client.Client, name string) *v1alpha1.PlatformConfig {
	t.Helper()
	got := &v1alpha1.PlatformConfig{}
	if err := kube.Get(context.Background(), client.ObjectKey{Name: name}, got); apierrors.IsNotFound(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return got
}

// staleCopy returns the object as kube holds it, then moves the stored object on (a
// label), so the copy is behind it as a lagging cache's would be.
func staleCopy(t *testing.T, kube client.Client, name string) *v1alpha1.PlatformConfig {
	t.Helper()
	stale := storedConfig(t, kube, name)
	newer := stale.DeepCopy()
	newer.Labels = map[string]string{"moved": "on"}
	if err := kube.Update(context.Background(), newer); err != nil {
		t.Fatal(err)
	}
	return stale
}

func TestEnsureFinalizer(t *testing.T) {
	const mark, earlier, later = v1alpha1.AnnotationCreatePending, "2026-01-01T00:00:00Z", "2026-02-02T00:00:00Z"
	type result struct {
		Writes      int
		Conflict    bool
		Finalizers  []string
		Annotations map[string]string
		// Observed is the in-memory status afterwards: the patch's answer must not
		// replace what the reconcile has observed so far.
		Observed string
	}
	for _, tc := range []struct {
		name        string
		finalizers  []string
		annotations map[string]string
		marks       map[string]string
		stale       bool
		want        result
	}{
		{name: "added after the others", finalizers: []string{"other"},
			want: result{Writes: 1, Finalizers: []string{"other", v1alpha1.Finalizer}, Observed: "observed"}},
		{name: "already there: no write", finalizers: []string{v1alpha1.Finalizer},
			want: result{Finalizers: []string{v1alpha1.Finalizer}, Observed: "observed"}},
		{name: "with a mark", marks: map[string]string{mark: later},
			want: result{Writes: 1, Finalizers: []string{v1alpha1.Finalizer}, Annotations: map[string]string{mark: later}, Observed: "observed"}},
		{name: "a mark only", finalizers: []string{v1alpha1.Finalizer}, marks: map[string]string{mark: later},
			want: result{Writes: 1, Finalizers: []string{v1alpha1.Finalizer}, Annotations: map[string]string{mark: later}, Observed: "observed"}},
		{name: "both there: no write, the mark keeps its first time", finalizers: []string{v1alpha1.Finalizer},
			annotations: map[string]string{mark: earlier}, marks: map[string]string{mark: later},
			want: result{Finalizers: []string{v1alpha1.Finalizer}, Annotations: map[string]string{mark: earlier}, Observed: "observed"}},
		{name: "the finalizer only: the mark keeps its first time", annotations: map[string]string{mark: earlier}, marks: map[string]string{mark: later},
			want: result{Writes: 1, Finalizers: []string{v1alpha1.Finalizer}, Annotations: map[string]string{mark: earlier}, Observed: "observed"}},
		{name: "a stale copy conflicts and writes nothing", stale: true, marks: map[string]string{mark: later},
			want: result{Writes: 1, Conflict: true, Observed: "observed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writes := 0
			kube := kubeWith(t, &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{
				Name: "pc", Finalizers: tc.finalizers, Annotations: tc.annotations}}, &writes, nil)
			obj := storedConfig(t, kube, "pc")
			if tc.stale {
				obj = staleCopy(t, kube, "pc")
			}
			obj.Status.AuthenticatedAs = "observed"

			err := EnsureFinalizer(context.Background(), kube, obj, tc.marks)
			if err != nil && !apierrors.IsConflict(err) {
				t.Fatal(err)
			}
			stored := storedConfig(t, kube, "pc")
			got := result{Writes: writes, Conflict: apierrors.IsConflict(err), Finalizers: stored.Finalizers,
				Annotations: stored.Annotations, Observed: obj.Status.AuthenticatedAs}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err == nil {
				// The in-memory copy is current: a later conditional write does not conflict.
				if diff := cmp.Diff([]string{stored.ResourceVersion}, []string{obj.ResourceVersion}); diff != "" {
					t.Errorf("resourceVersion (-stored +in memory):\n%s", diff)
				}
			}
		})
	}
}

func TestReleaseFinalizer(t *testing.T) {
	deleting := metav1.Now()
	type result struct {
		Conflict   bool
		Gone       bool
		Finalizers []string
	}
	for _, tc := range []struct {
		name       string
		finalizers []string
		stale      bool
		want       result
	}{
		{name: "the last: the object goes", finalizers: []string{v1alpha1.Finalizer},
			want: result{Gone: true}},
		{name: "others stay", finalizers: []string{"other", v1alpha1.Finalizer},
			want: result{Finalizers: []string{"other"}}},
		{name: "a stale copy conflicts and releases nothing", finalizers: []string{v1alpha1.Finalizer}, stale: true,
			want: result{Conflict: true, Finalizers: []string{v1alpha1.Finalizer}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writes := 0
			kube := kubeWith(t, &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{
				Name: "pc", Finalizers: tc.finalizers, DeletionTimestamp: &deleting}}, &writes, nil)
			obj := storedConfig(t, kube, "pc")
			if tc.stale {
				obj = staleCopy(t, kube, "pc")
			}

			err := ReleaseFinalizer(context.Background(), kube, obj)
			if err != nil && !apierrors.IsConflict(err) {
				t.Fatal(err)
			}
			got := result{Conflict: apierrors.IsConflict(err)}
			if stored := storedConfig(t, kube, "pc"); stored == nil {
				got.Gone = true
			} else {
				got.Finalizers = stored.Finalizers
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatchStatus(t *testing.T) {
	deleting := metav1.Now()
	boom := errors.New("boom")
	type result struct {
		Writes int
		Err    string
		// Stored is the stored status' authenticatedAs ("-" when the object is gone).
		Stored string
	}
	for _, tc := range []struct {
		name      string
		change    func(pc *v1alpha1.PlatformConfig)
		absent    bool // the object is not stored (deleted meanwhile)
		statusErr error
		want      result
	}{
		{name: "unchanged: no write", change: func(*v1alpha1.PlatformConfig) {},
			want: result{Stored: "before"}},
		{name: "metadata only: no write", change: func(pc *v1alpha1.PlatformConfig) { pc.Finalizers = []string{"other"} },
			want: result{Stored: "before"}},
		{name: "changed: written", change: func(pc *v1alpha1.PlatformConfig) { pc.Status.AuthenticatedAs = "after" },
			want: result{Writes: 1, Stored: "after"}},
		{name: "its last finalizer released: no write", absent: true, change: func(pc *v1alpha1.PlatformConfig) {
			pc.DeletionTimestamp, pc.Finalizers = &deleting, nil
			pc.Status.AuthenticatedAs = "after"
		}, want: result{Stored: "-"}},
		{name: "deleted meanwhile: no error", absent: true, change: func(pc *v1alpha1.PlatformConfig) { pc.Status.AuthenticatedAs = "after" },
			want: result{Writes: 1, Stored: "-"}},
		{name: "a conflict: no error", statusErr: apierrors.NewConflict(schema.GroupResource{}, "pc", boom),
			change: func(pc *v1alpha1.PlatformConfig) { pc.Status.AuthenticatedAs = "after" },
			want:   result{Writes: 1, Stored: "before"}},
		{name: "any other error is returned", statusErr: boom,
			change: func(pc *v1alpha1.PlatformConfig) { pc.Status.AuthenticatedAs = "after" },
			want:   result{Writes: 1, Err: "boom", Stored: "before"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: "pc", Finalizers: []string{v1alpha1.Finalizer}}}
			before.Status.AuthenticatedAs = "before"
			var stored client.Object = before
			if tc.absent {
				stored = nil
			}
			writes := 0
			kube := kubeWith(t, stored, &writes, tc.statusErr)
			if !tc.absent {
				before = storedConfig(t, kube, "pc")
			}
			after := before.DeepCopy()
			tc.change(after)

			err := PatchStatus(context.Background(), kube, before, after)
			got := result{Writes: writes, Stored: "-"}
			if err != nil {
				got.Err = err.Error()
			}
			if s := storedConfig(t, kube, "pc"); s != nil {
				got.Stored = s.Status.AuthenticatedAs
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequeueConflict(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name        string
		err         error
		wantRequeue time.Duration
		wantErr     error
	}{
		{name: "no error", err: nil},
		{name: "a conflict is looked at again soon, not an error",
			err: apierrors.NewConflict(schema.GroupResource{}, "x", boom), wantRequeue: conflictRetry},
		{name: "a conflict wrapped", err: fmt.Errorf("adding the finalizer: %w", apierrors.NewConflict(schema.GroupResource{}, "x", boom)),
			wantRequeue: conflictRetry},
		{name: "any other error is returned", err: boom, wantErr: boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := RequeueConflict(tc.err)
			if diff := cmp.Diff(ctrl.Result{RequeueAfter: tc.wantRequeue}, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}
