package controller

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// enterpriseConnector resolves an Enterprise's PlatformConfig and, on deletion, makes
// its child objects go first.
type enterpriseConnector struct {
	kube    client.Client
	clients *ClientRegistry
}

var _ managed.DeletionGate[*v1alpha1.Enterprise] = &enterpriseConnector{}

func (c *enterpriseConnector) Connect(ctx context.Context, e *v1alpha1.Enterprise) (managed.External[*v1alpha1.Enterprise], error) {
	pc, err := c.clients.For(ctx, e.Spec.PlatformConfigRef.Name, e.Namespace, e.Spec.CompanyID)
	if err != nil {
		return nil, err
	}
	return &enterpriseExternal{platform: pc}, nil
}

// msgWaitingForChildren names what an Enterprise's deletion waits for.
const msgWaitingForChildren = "waiting for %d child object(s) to be deleted first: %s"

// BeforeDelete deletes the Enterprise's child objects and waits until they are gone, so
// each releases its platform object by its own deletionPolicy and nothing is leaked or
// left with a dangling reference.
func (c *enterpriseConnector) BeforeDelete(ctx context.Context, e *v1alpha1.Enterprise) error {
	children, err := listChildren(ctx, c.kube, e.Namespace, e.Name)
	if err != nil {
		return err
	}
	if len(children) == 0 {
		return nil
	}
	names := make([]string, 0, len(children))
	for _, ch := range children {
		names = append(names, ch.GetObjectKind().GroupVersionKind().Kind+"/"+ch.GetName())
		if ch.GetDeletionTimestamp().IsZero() {
			if err := c.kube.Delete(ctx, ch); client.IgnoreNotFound(err) != nil {
				return err
			}
		}
	}
	sort.Strings(names)
	if len(names) > 10 {
		names = append(names[:10], fmt.Sprintf("and %d more", len(names)-10))
	}
	return managed.Waiting(v1alpha1.ReasonDeletionBlocked, managed.DefaultWait, msgWaitingForChildren,
		len(children), strings.Join(names, ", "))
}

type enterpriseExternal struct {
	platform platform.Client
}

// idempotencyKey is derived from the object's UID: a create whose answer was lost, or
// a crash before the id reached status, repeats the same create and gets the same
// enterprise back instead of a second one.
//
// Recreating an enterprise that was deleted on the platform behind the operator's back
// needs a key of its own: seed 002 promises only that a key never creates a second
// enterprise, so the first key may keep answering the deleted one. The recreate's key
// is derived from the id that is gone, which status keeps until the new id is known,
// so it too is repeated, not renewed, after a lost answer or a crash.
func idempotencyKey(e *v1alpha1.Enterprise) string {
	key := "enterprise-operator-" + string(e.UID)
	if gone := e.Status.ExternalID; gone != "" {
		key += "-after-" + gone
	}
	return key
}

func (x *enterpriseExternal) Observe(ctx context.Context, e *v1alpha1.Enterprise) (managed.Observation, error) {
	id := managed.ExternalIDOf(e)
	if id == "" {
		// No list operation exists for enterprises; the idempotent create is the lookup.
		return managed.Observation{}, nil
	}
	got, err := x.platform.GetEnterprise(ctx, id)
	if platform.IsNotFound(err) {
		return managed.Observation{}, nil
	}
	if err != nil {
		return managed.Observation{}, err
	}
	if got.OrganizationID != "" && got.OrganizationID != e.Spec.OrganizationID {
		return managed.Observation{}, managed.Stalling(v1alpha1.ReasonInvalidSpec,
			"platform enterprise %s belongs to organization %s, not %s", id, got.OrganizationID, e.Spec.OrganizationID)
	}
	e.Status.AdminUserID = got.AdminUserID
	drift := enterpriseDrift(e, got)
	return managed.Observation{Exists: true, ExternalID: id, UpToDate: len(drift) == 0, Drift: drift}, nil
}

func enterpriseDrift(e *v1alpha1.Enterprise, got *platform.Enterprise) []string {
	var drift []string
	if !sameSet(e.Spec.AdditionalAdmins, got.AdditionalAdmins) {
		drift = append(drift, "additionalAdmins")
	}
	if !sameSet(thirdParty(e.Spec.ThirdPartyIdentifiers), got.ThirdPartyIdentifiers) {
		drift = append(drift, "thirdPartyIdentifiers")
	}
	return drift
}

func (x *enterpriseExternal) Create(ctx context.Context, e *v1alpha1.Enterprise) (managed.Observation, error) {
	out, err := x.platform.CreateEnterprise(ctx, platform.EnterpriseCreate{
		OrganizationID:        e.Spec.OrganizationID,
		AdminEmail:            e.Spec.AdminEmail,
		IdempotencyKey:        idempotencyKey(e),
		AdditionalAdmins:      nonNil(e.Spec.AdditionalAdmins),
		ThirdPartyIdentifiers: thirdParty(e.Spec.ThirdPartyIdentifiers),
	})
	if err != nil {
		return managed.Observation{}, err
	}
	e.Status.AdminUserID = out.AdminUserID
	return managed.Observation{Exists: true, ExternalID: out.EnterpriseID, UpToDate: true}, nil
}

func (x *enterpriseExternal) Update(ctx context.Context, e *v1alpha1.Enterprise, _ managed.Observation) (managed.Observation, error) {
	id := managed.ExternalIDOf(e)
	got, err := x.platform.UpdateEnterprise(ctx, id, platform.EnterpriseUpdate{
		AdditionalAdmins:      nonNil(e.Spec.AdditionalAdmins),
		ThirdPartyIdentifiers: thirdParty(e.Spec.ThirdPartyIdentifiers),
	})
	if err != nil {
		return managed.Observation{}, err
	}
	if got != nil && got.AdminUserID != "" {
		e.Status.AdminUserID = got.AdminUserID
	}
	return managed.Observation{Exists: true, ExternalID: id, UpToDate: true}, nil
}

func (x *enterpriseExternal) Delete(ctx context.Context, e *v1alpha1.Enterprise) error {
	return ignorePlatformNotFound(x.platform.DeleteEnterprise(ctx, e.Status.ExternalID))
}

func thirdParty(in []v1alpha1.ThirdPartyIdentifier) []platform.ThirdPartyIdentifier {
	out := make([]platform.ThirdPartyIdentifier, 0, len(in))
	for _, t := range in {
		out = append(out, platform.ThirdPartyIdentifier{ID: t.ID, Label: t.Label})
	}
	return out
}

// sameSet compares two lists ignoring order and duplicates: the platform does not
// promise to keep the order the operator sent.
func sameSet[E comparable](a, b []E) bool {
	as := make(map[E]struct{}, len(a))
	for _, v := range a {
		as[v] = struct{}{}
	}
	bs := make(map[E]struct{}, len(b))
	for _, v := range b {
		if _, ok := as[v]; !ok {
			return false
		}
		bs[v] = struct{}{}
	}
	return len(as) == len(bs)
}

func nonNil[E any](s []E) []E {
	if s == nil {
		return []E{}
	}
	return s
}

func ignorePlatformNotFound(err error) error {
	if platform.IsNotFound(err) {
		return nil
	}
	return err
}

// childKinds are the kinds that belong to an Enterprise through spec.enterpriseRef.
var childKinds = []func() client.ObjectList{
	func() client.ObjectList { return &v1alpha1.EnterpriseUserList{} },
	func() client.ObjectList { return &v1alpha1.UserGroupList{} },
	func() client.ObjectList { return &v1alpha1.DomainList{} },
	func() client.ObjectList { return &v1alpha1.WebhookList{} },
	func() client.ObjectList { return &v1alpha1.EnterpriseRoleList{} },
}

// listChildren returns every object in ns whose spec.enterpriseRef names enterprise,
// with its kind set so callers can name it.
func listChildren(ctx context.Context, kube client.Client, ns, enterprise string) ([]client.Object, error) {
	var out []client.Object
	for _, newList := range childKinds {
		list := newList()
		if err := kube.List(ctx, list, client.InNamespace(ns), client.MatchingFields{indexEnterpriseRef: enterprise}); err != nil {
			return nil, err
		}
		gvk, err := kube.GroupVersionKindFor(list)
		if err != nil {
			return nil, err
		}
		gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
		items, err := meta.ExtractList(list)
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			o := item.(client.Object)
			o.GetObjectKind().SetGroupVersionKind(gvk)
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b client.Object) int { return strings.Compare(a.GetName(), b.GetName()) })
	return out, nil
}

// enterpriseKey is the Enterprise a child object belongs to.
func enterpriseKey(ns string, ref v1alpha1.LocalObjectReference) types.NamespacedName {
	return types.NamespacedName{Namespace: ns, Name: ref.Name}
}
