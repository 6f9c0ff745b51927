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
	return &enterpriseExternal{platform: pc, adoptionGranted: func(ctx context.Context) (bool, error) {
		return c.clients.AdoptionGranted(ctx, e.Spec.PlatformConfigRef.Name, e.Namespace)
	}}, nil
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
	// adoptionGranted says whether the PlatformConfig's spec.adoption lets this
	// Enterprise's namespace adopt enterprises without an ownership record.
	adoptionGranted func(context.Context) (bool, error)
}

// Ownership of a platform enterprise, from its reserved third-party identifier.
type ownership int

const (
	unowned ownership = iota
	ownedByThis
	ownedByOther
)

// ownerID is how an enterprise's ownership record names the Enterprise object that
// manages it. Namespace and name, not UID: a cluster rebuilt from Git gives the object
// a new UID, and must still prove it is the same tenant's object.
func ownerID(e *v1alpha1.Enterprise) string { return e.Namespace + "/" + e.Name }

func ownerRecord(e *v1alpha1.Enterprise) platform.ThirdPartyIdentifier {
	return platform.ThirdPartyIdentifier{ID: ownerID(e), Label: v1alpha1.OwnerRecordLabel}
}

// ownerOf reads the ownership record. Several records (someone edited them on the
// platform) count as this object's only if every one names it.
func ownerOf(e *v1alpha1.Enterprise, tpis []platform.ThirdPartyIdentifier) ownership {
	o := unowned
	for _, t := range tpis {
		if t.Label != v1alpha1.OwnerRecordLabel {
			continue
		}
		if t.ID != ownerID(e) {
			return ownedByOther
		}
		o = ownedByThis
	}
	return o
}

// msgAdoptionDenied is the one answer to every adoption this Enterprise may not make,
// whether the enterprise does not exist, is recorded as another object's, belongs to
// another organization or is claimed by an object in another namespace: telling these
// apart would tell a tenant about another tenant's enterprise.
const msgAdoptionDenied = "enterprise %s cannot be adopted by this Enterprise: adoption (the " + v1alpha1.AnnotationExternalID +
	" annotation) needs an enterprise of organization %s whose ownership record names %s, or one without a record " +
	"when PlatformConfig %s's spec.adoption grants namespace %s; see docs/security.md"

func adoptionDenied(e *v1alpha1.Enterprise, id string) error {
	return managed.Stalling(v1alpha1.ReasonAdoptionDenied, msgAdoptionDenied, id, e.Spec.OrganizationID, ownerID(e),
		e.Spec.PlatformConfigRef.Name, e.Namespace)
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

// driftOwnershipRecord names, in the Updated event, the ownership record the operator
// writes; it is never reported in status.drift.
const driftOwnershipRecord = "ownershipRecord"

// Observe reads the enterprise and decides whether this object may manage it. An
// Enterprise bound by status (it created or adopted the enterprise) keeps it unless the
// platform records another owner; one adopting by the external-id annotation needs the
// record to name it, or no record and an adoption grant. A tenant who copies another
// tenant's enterprise id into its annotation therefore gets nothing: not the
// enterprise, and not a word about it.
func (x *enterpriseExternal) Observe(ctx context.Context, e *v1alpha1.Enterprise) (managed.Observation, error) {
	id := managed.ExternalIDOf(e)
	if id == "" {
		// No list operation exists for enterprises; the idempotent create is the lookup.
		return managed.Observation{}, nil
	}
	adopting := e.Status.ExternalID == ""
	got, err := x.platform.GetEnterprise(ctx, id)
	if platform.IsNotFound(err) {
		if adopting {
			return managed.Observation{}, adoptionDenied(e, id)
		}
		// Deleted on the platform behind the operator's back: it is created again.
		return managed.Observation{}, nil
	}
	if err != nil {
		return managed.Observation{}, err
	}
	owner := ownerOf(e, got.ThirdPartyIdentifiers)
	switch {
	case owner == ownedByOther:
		// Recorded as another object's: this one never held it (a takeover made by an
		// earlier release, or a record changed on the platform). Let it go.
		e.Status.ExternalID, e.Status.AdminUserID = "", ""
		return managed.Observation{}, adoptionDenied(e, id)
	case owner == unowned && adopting:
		granted, err := x.adoptionGranted(ctx)
		if err != nil {
			return managed.Observation{}, err
		}
		if !granted {
			return managed.Observation{}, adoptionDenied(e, id)
		}
	}
	if got.OrganizationID != "" && got.OrganizationID != e.Spec.OrganizationID {
		if adopting && owner != ownedByThis {
			return managed.Observation{}, adoptionDenied(e, id)
		}
		return managed.Observation{}, managed.Stalling(v1alpha1.ReasonInvalidSpec,
			"platform enterprise %s belongs to organization %s, not %s", id, got.OrganizationID, e.Spec.OrganizationID)
	}
	e.Status.AdminUserID = got.AdminUserID
	drift := enterpriseDrift(e, got)
	upToDate := len(drift) == 0
	if owner != ownedByThis && e.Spec.ManagementPolicy != v1alpha1.ManagementPolicyObserveOnly {
		// Created or adopted by a release before ownership records, or adopted under a
		// grant: record it now, so only this object can adopt it again.
		drift = append(drift, driftOwnershipRecord)
		upToDate = false
	}
	return managed.Observation{Exists: true, ExternalID: id, UpToDate: upToDate, Drift: drift}, nil
}

func enterpriseDrift(e *v1alpha1.Enterprise, got *platform.Enterprise) []string {
	var drift []string
	if !sameSet(e.Spec.AdditionalAdmins, got.AdditionalAdmins) {
		drift = append(drift, "additionalAdmins")
	}
	if !sameSet(thirdParty(e.Spec.ThirdPartyIdentifiers), withoutOwnerRecord(got.ThirdPartyIdentifiers)) {
		drift = append(drift, "thirdPartyIdentifiers")
	}
	return drift
}

func withoutOwnerRecord(in []platform.ThirdPartyIdentifier) []platform.ThirdPartyIdentifier {
	out := make([]platform.ThirdPartyIdentifier, 0, len(in))
	for _, t := range in {
		if t.Label != v1alpha1.OwnerRecordLabel {
			out = append(out, t)
		}
	}
	return out
}

// platformThirdParty is what the operator sends: the spec's identifiers and its
// ownership record.
func platformThirdParty(e *v1alpha1.Enterprise) []platform.ThirdPartyIdentifier {
	return append(thirdParty(e.Spec.ThirdPartyIdentifiers), ownerRecord(e))
}

func (x *enterpriseExternal) Create(ctx context.Context, e *v1alpha1.Enterprise) (managed.Observation, error) {
	out, err := x.platform.CreateEnterprise(ctx, platform.EnterpriseCreate{
		OrganizationID:        e.Spec.OrganizationID,
		AdminEmail:            e.Spec.AdminEmail,
		IdempotencyKey:        idempotencyKey(e),
		AdditionalAdmins:      nonNil(e.Spec.AdditionalAdmins),
		ThirdPartyIdentifiers: platformThirdParty(e),
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
		ThirdPartyIdentifiers: platformThirdParty(e),
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
