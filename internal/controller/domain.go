package controller

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// Domain verification re-checks back off from domainCheckMin to domainCheckMax as the
// domain stays pending: a DNS record usually appears within minutes, but may take days.
const (
	domainCheckMin = 5 * time.Second
	domainCheckMax = 10 * time.Minute

	msgDomainPending = "publish the DNS %s record %s with value %q; the platform re-checks it until it is found"
	msgDomainFailed  = "the platform could not verify the domain: %s"
)

type domainExternal struct {
	parent
	now func() time.Time
}

func newDomainExternal(_ *deps, p parent) managed.External[*v1alpha1.Domain] {
	return &domainExternal{parent: p, now: time.Now}
}

func (x *domainExternal) Observe(ctx context.Context, d *v1alpha1.Domain) (managed.Observation, error) {
	id := managed.ExternalIDOf(d)
	if id == "" {
		domains, err := x.platform.ListDomains(ctx, x.enterpriseID)
		if err != nil {
			return managed.Observation{}, err
		}
		id = findByKey(domains, func(p platform.Domain) bool { return p.Name == d.Spec.DomainName }, func(p platform.Domain) string { return p.ID })
		if id == "" {
			return managed.Observation{}, nil
		}
	}
	got, err := x.platform.GetDomain(ctx, x.enterpriseID, id)
	if platform.IsNotFound(err) {
		return managed.Observation{}, nil
	}
	if err != nil {
		return managed.Observation{}, err
	}
	if got.Name != d.Spec.DomainName {
		return managed.Observation{}, managed.Stalling(v1alpha1.ReasonInvalidSpec,
			"platform domain %s is %s, not %s", id, got.Name, d.Spec.DomainName)
	}
	x.record(d, got)
	return x.observation(d, id), nil
}

// record copies the platform's view into status.
func (x *domainExternal) record(d *v1alpha1.Domain, got *platform.Domain) {
	d.Status.VerificationState = domainState(got.State)
	if got.Record.Name != "" {
		d.Status.Record = &v1alpha1.DNSRecord{Type: got.Record.Type, Name: got.Record.Name, Value: got.Record.Value}
	}
	d.Status.LastCheckTime = metaTime(got.LastCheck)
	d.Status.NextCheckTime = metaTime(got.NextCheck)
}

// observation turns the verification state into Ready, the Verified condition and
// the re-check schedule.
func (x *domainExternal) observation(d *v1alpha1.Domain, id string) managed.Observation {
	obs := managed.Observation{Exists: true, ExternalID: id, UpToDate: true}
	gen := d.Generation
	switch d.Status.VerificationState {
	case v1alpha1.DomainVerificationVerified:
		managed.SetCondition(&d.Status.Conditions, gen, v1alpha1.ConditionVerified, metav1.ConditionTrue, v1alpha1.ReasonVerified, "the platform verified the DNS record")
	case v1alpha1.DomainVerificationFailed:
		msg := fmt.Sprintf(msgDomainFailed, "the DNS record was not found in time")
		managed.SetCondition(&d.Status.Conditions, gen, v1alpha1.ConditionVerified, metav1.ConditionFalse, v1alpha1.ReasonVerificationFailed, msg)
		obs.NotReady = &managed.NotReady{Reason: v1alpha1.ReasonVerificationFailed, Message: msg}
	default:
		msg := "the platform has not verified the domain yet"
		if r := d.Status.Record; r != nil {
			msg = fmt.Sprintf(msgDomainPending, r.Type, r.Name, r.Value)
		}
		managed.SetCondition(&d.Status.Conditions, gen, v1alpha1.ConditionVerified, metav1.ConditionFalse, v1alpha1.ReasonVerificationPending, msg)
		obs.NotReady = &managed.NotReady{Reason: v1alpha1.ReasonVerificationPending, Message: msg}
		obs.RequeueAfter = x.checkBackoff(d)
	}
	return obs
}

// checkBackoff grows with the domain's age: a quarter of it, within bounds.
func (x *domainExternal) checkBackoff(d *v1alpha1.Domain) time.Duration {
	b := x.now().Sub(d.CreationTimestamp.Time) / 4
	b = min(max(b, domainCheckMin), domainCheckMax)
	if v, ok := d.Annotations[v1alpha1.AnnotationResyncInterval]; ok {
		if r, err := time.ParseDuration(v); err == nil && r >= managed.MinResyncInterval && r < b {
			b = r
		}
	}
	return b
}

func (x *domainExternal) Create(ctx context.Context, d *v1alpha1.Domain) (managed.Observation, error) {
	got, err := x.platform.CreateDomain(ctx, x.enterpriseID, d.Spec.DomainName)
	if err != nil {
		return managed.Observation{}, err
	}
	x.record(d, got)
	return x.observation(d, got.ID), nil
}

// Update never runs: a domain has nothing to change besides its immutable name.
func (x *domainExternal) Update(_ context.Context, d *v1alpha1.Domain, cur managed.Observation) (managed.Observation, error) {
	return cur, nil
}

func (x *domainExternal) Delete(ctx context.Context, d *v1alpha1.Domain) error {
	return ignorePlatformNotFound(x.platform.DeleteDomain(ctx, x.enterpriseID, d.Status.ExternalID))
}

// Act asks the platform to check the DNS record while the domain is pending and a check
// is due, and once per distinct value of the recheck annotation.
func (x *domainExternal) Act(ctx context.Context, d *v1alpha1.Domain, cur managed.Observation) (managed.Observation, error) {
	recheck := d.Annotations[v1alpha1.AnnotationRecheckDomain]
	requested := recheck != "" && recheck != d.Status.LastRecheck
	pending := d.Status.VerificationState != v1alpha1.DomainVerificationVerified
	if !requested && !pending {
		return cur, nil
	}
	v, err := x.platform.VerifyDomain(ctx, x.enterpriseID, cur.ExternalID)
	if err != nil {
		return cur, err
	}
	if requested {
		d.Status.LastRecheck = recheck
	}
	d.Status.VerificationState = domainState(v.State)
	d.Status.LastCheckTime = metaTime(v.LastCheck)
	d.Status.NextCheckTime = metaTime(v.NextCheck)
	return x.observation(d, cur.ExternalID), nil
}

func domainState(s platform.DomainState) v1alpha1.DomainVerificationState {
	switch s {
	case platform.DomainStateVerified:
		return v1alpha1.DomainVerificationVerified
	case platform.DomainStateFailed:
		return v1alpha1.DomainVerificationFailed
	default:
		return v1alpha1.DomainVerificationPending
	}
}

func metaTime(t *time.Time) *metav1.Time {
	if t == nil {
		return nil
	}
	m := metav1.NewTime(t.UTC().Truncate(time.Second))
	return &m
}
