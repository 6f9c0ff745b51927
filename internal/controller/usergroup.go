package controller

import (
	"context"
	"math"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/controller/snapshot"
	"enterprise-operator/internal/platform"
)

// groupExternal maps a UserGroup; its natural key is the name. Members are the
// EnterpriseUsers named in spec.members plus those matching spec.memberSelector.
type groupExternal struct {
	parent
	deps *deps
	// wanted maps platform user id -> EnterpriseUser name.
	wanted map[string]string
	// have is the platform's member list at Observe time.
	have []string
}

func newGroupExternal(d *deps, p parent) managed.External[*v1alpha1.UserGroup] {
	return &groupExternal{parent: p, deps: d}
}

// resolveMembers computes the desired member ids. Explicitly named users must exist and
// be created on the platform first (the group waits for them); users matched by the
// selector join as soon as they are created (the EnterpriseUser watch brings the group
// back then).
func (x *groupExternal) resolveMembers(ctx context.Context, g *v1alpha1.UserGroup) error {
	x.wanted = map[string]string{}
	for _, ref := range g.Spec.Members {
		u := &v1alpha1.EnterpriseUser{}
		err := x.deps.kube.Get(ctx, types.NamespacedName{Namespace: g.Namespace, Name: ref.Name}, u)
		if apierrors.IsNotFound(err) {
			return managed.WaitingForDependency("EnterpriseUser", ref.Name, "to exist")
		}
		if err != nil {
			return err
		}
		if u.Status.ExternalID == "" || !u.DeletionTimestamp.IsZero() {
			return managed.WaitingForReady("EnterpriseUser", ref.Name, managed.NotReadyCause(u.Status.Conditions))
		}
		x.wanted[u.Status.ExternalID] = u.Name
	}
	if g.Spec.MemberSelector != nil {
		sel, err := g.Spec.MemberSelector.Selector()
		if err != nil {
			return managed.StallingWrap(v1alpha1.ReasonInvalidSpec, err, "invalid memberSelector: %v", err)
		}
		users := &v1alpha1.EnterpriseUserList{}
		if err := x.deps.kube.List(ctx, users, client.InNamespace(g.Namespace), client.MatchingLabelsSelector{Selector: sel}); err != nil {
			return err
		}
		for i := range users.Items {
			u := &users.Items[i]
			if u.Status.ExternalID != "" && u.DeletionTimestamp.IsZero() && u.Spec.EnterpriseRef == g.Spec.EnterpriseRef {
				x.wanted[u.Status.ExternalID] = u.Name
			}
		}
	}
	return nil
}

func (x *groupExternal) recordMembers(g *v1alpha1.UserGroup) {
	names := make([]string, 0, len(x.wanted))
	for _, n := range x.wanted {
		names = append(names, n)
	}
	sort.Strings(names)
	g.Status.Members = names
	g.Status.MemberCount = int32(min(len(names), math.MaxInt32)) //nolint:gosec // clamped
}

func (x *groupExternal) Observe(ctx context.Context, g *v1alpha1.UserGroup) (managed.Observation, error) {
	// A deletion only looks the group up: an invalid selector or a missing member
	// must not keep it.
	if !g.DeletionTimestamp.IsZero() {
		return x.lookup(ctx, g)
	}
	if err := x.resolveMembers(ctx, g); err != nil {
		return managed.Observation{}, err
	}
	got, err := x.find(ctx, g)
	if err != nil || got == nil {
		return managed.Observation{}, err
	}
	id := got.ID
	if x.have, err = x.platform.ListGroupMembers(ctx, x.enterpriseID, id); err != nil {
		return managed.Observation{}, err
	}
	var drift []string
	if got.Name != g.Spec.Name {
		drift = append(drift, "name")
	}
	if got.Description != g.Spec.Description {
		drift = append(drift, "description")
	}
	if got.ExternalReference != g.Spec.ExternalReference {
		drift = append(drift, "externalReference")
	}
	if !sameSet(x.have, keys(x.wanted)) {
		drift = append(drift, "members")
	}
	if len(drift) == 0 {
		x.recordMembers(g)
	}
	return managed.Observation{Exists: true, ExternalID: id, UpToDate: len(drift) == 0, Drift: drift}, nil
}

// lookup finds the group's id: the bound or annotated one, else by name. A deletion
// needs no more than that.
func (x *groupExternal) lookup(ctx context.Context, g *v1alpha1.UserGroup) (managed.Observation, error) {
	if id := managed.ExternalIDOf(g); id != "" {
		return managed.Observation{Exists: true, ExternalID: id}, nil
	}
	got, err := x.find(ctx, g)
	if err != nil || got == nil {
		return managed.Observation{}, err
	}
	return managed.Observation{Exists: true, ExternalID: got.ID}, nil
}

// find reads g's platform group (its members are read separately); nil when none.
func (x *groupExternal) find(ctx context.Context, g *v1alpha1.UserGroup) (*platform.Group, error) {
	return x.view(g).observe(ctx, g, g.Spec.Name, func(p platform.Group) bool { return p.Name == g.Spec.Name })
}

// view binds the groups' list snapshot to g. The platform has no search by group
// name, so a direct lookup lists them all.
func (x *groupExternal) view(g *v1alpha1.UserGroup) view[platform.Group] {
	ent, c := x.enterpriseID, x.platform
	list := func(ctx context.Context) ([]platform.Group, error) { return c.ListGroups(ctx, ent) }
	return newView(x.deps, &x.parent, x.deps.views.groups, g, snapshot.Source[platform.Group]{
		List: list,
		Get: func(ctx context.Context, id string) (*platform.Group, error) {
			return notFoundIsNil(c.GetGroup(ctx, ent, id))
		},
		Search: list,
	})
}

func groupSpec(g *v1alpha1.UserGroup) platform.GroupSpec {
	return platform.GroupSpec{Name: g.Spec.Name, Description: g.Spec.Description, ExternalReference: g.Spec.ExternalReference}
}

func (x *groupExternal) Create(ctx context.Context, g *v1alpha1.UserGroup) (managed.Observation, error) {
	got, err := x.platform.CreateGroup(ctx, x.enterpriseID, groupSpec(g))
	if err := x.view(g).created(got, err, "group", "name"); err != nil {
		return managed.Observation{}, err
	}
	obs := managed.Observation{Exists: true, ExternalID: got.ID, UpToDate: true}
	if err := x.syncMembers(ctx, got.ID, nil); err != nil {
		return obs, err
	}
	x.recordMembers(g)
	return obs, nil
}

func (x *groupExternal) Update(ctx context.Context, g *v1alpha1.UserGroup, cur managed.Observation) (managed.Observation, error) {
	for _, d := range cur.Drift {
		if d != "members" {
			got, err := x.platform.UpdateGroup(ctx, x.enterpriseID, cur.ExternalID, groupSpec(g))
			x.view(g).wrote(cur.ExternalID, got, err)
			if err != nil {
				return managed.Observation{}, err
			}
			break
		}
	}
	if err := x.syncMembers(ctx, cur.ExternalID, x.have); err != nil {
		return managed.Observation{}, err
	}
	x.recordMembers(g)
	return managed.Observation{Exists: true, ExternalID: cur.ExternalID, UpToDate: true}, nil
}

// syncMembers adds and removes members so the platform holds exactly the wanted set.
func (x *groupExternal) syncMembers(ctx context.Context, groupID string, have []string) error {
	current := map[string]bool{}
	for _, id := range have {
		current[id] = true
		if _, ok := x.wanted[id]; !ok {
			if err := ignorePlatformNotFound(x.platform.RemoveGroupMember(ctx, x.enterpriseID, groupID, id)); err != nil {
				return err
			}
		}
	}
	for _, id := range sortedKeys(x.wanted) {
		if !current[id] {
			if err := x.platform.AddGroupMember(ctx, x.enterpriseID, groupID, id); err != nil && !platform.IsConflict(err) {
				return err
			}
		}
	}
	return nil
}

func (x *groupExternal) Delete(ctx context.Context, g *v1alpha1.UserGroup) error {
	err := x.platform.DeleteGroup(ctx, x.enterpriseID, g.Status.ExternalID)
	x.view(g).deleted(g.Status.ExternalID, err)
	return ignorePlatformNotFound(err)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := keys(m)
	sort.Strings(out)
	return out
}
