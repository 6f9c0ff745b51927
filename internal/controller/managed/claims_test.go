package managed

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"enterprise-operator/api/v1alpha1"
)

func TestHolder(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	role := func(ns, name string, created time.Time, bound string) *v1alpha1.EnterpriseRole {
		r := &v1alpha1.EnterpriseRole{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
			UID: types.UID(ns + "/" + name), CreationTimestamp: metav1.NewTime(created)}}
		r.Status.ExternalID = bound
		return r
	}
	for _, tc := range []struct {
		name        string
		obj         *v1alpha1.EnterpriseRole
		competitors []*v1alpha1.EnterpriseRole
		id          string
		want        string
	}{
		{name: "no competitor: the object itself",
			obj: role("a", "new", t0, ""), id: "42", want: "a/new"},
		{name: "an object bound to the id beats an older one that only claims it",
			obj:         role("a", "old", t0, ""),
			competitors: []*v1alpha1.EnterpriseRole{role("a", "bound", t0.Add(time.Hour), "42")},
			id:          "42", want: "a/bound"},
		{name: "bound to another id counts as not bound to this one: the oldest",
			obj:         role("a", "old", t0, ""),
			competitors: []*v1alpha1.EnterpriseRole{role("a", "elsewhere", t0.Add(-time.Hour), "7")},
			id:          "42", want: "a/elsewhere"},
		{name: "both bound (a race): the oldest",
			obj:         role("a", "young", t0.Add(time.Second), "42"),
			competitors: []*v1alpha1.EnterpriseRole{role("a", "old", t0, "42")},
			id:          "42", want: "a/old"},
		{name: "same second: by name",
			obj:         role("a", "zeta", t0, ""),
			competitors: []*v1alpha1.EnterpriseRole{role("a", "alpha", t0, ""), role("a", "mid", t0, "")},
			id:          "", want: "a/alpha"},
		{name: "same second and name: by namespace",
			obj:         role("team-b", "acme", t0, ""),
			competitors: []*v1alpha1.EnterpriseRole{role("team-a", "acme", t0, "")},
			id:          "42", want: "team-a/acme"},
		{name: "natural key: an object bound to anything holds it",
			obj:         role("a", "old", t0, ""),
			competitors: []*v1alpha1.EnterpriseRole{role("a", "bound", t0.Add(time.Hour), "9")},
			id:          "", want: "a/bound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Holder(tc.obj, tc.competitors, tc.id)
			if diff := cmp.Diff(tc.want, h.Namespace+"/"+h.Name); diff != "" {
				t.Errorf("Holder (-want +got):\n%s", diff)
			}
			// Every claimant computes the same holder.
			all := append([]*v1alpha1.EnterpriseRole{tc.obj}, tc.competitors...)
			for i, c := range all {
				others := append(append([]*v1alpha1.EnterpriseRole{}, all[:i]...), all[i+1:]...)
				if got := Holder(c, others, tc.id); got.UID != h.UID {
					t.Errorf("from %s/%s the holder is %s/%s, want %s/%s", c.Namespace, c.Name, got.Namespace, got.Name, h.Namespace, h.Name)
				}
			}
		})
	}
}
