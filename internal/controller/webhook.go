package controller

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/controller/snapshot"
	"enterprise-operator/internal/platform"
)

// webhookExternal maps a Webhook; its natural key is the URL. The signing secret is
// write-only on the platform, so it is read from its Secret only when writing.
type webhookExternal struct {
	parent
	deps *deps
	// spec is what PrepareCreate read for the create (the signing secret included); it
	// lives only as long as this reconcile.
	spec *platform.WebhookSpec
}

func newWebhookExternal(d *deps, p parent) managed.External[*v1alpha1.Webhook] {
	return &webhookExternal{parent: p, deps: d}
}

// view binds the webhooks' list snapshot to w. The platform does not keep webhook
// URLs unique, so a lookup by URL (before a create) is always direct: a duplicate
// would not be refused.
func (x *webhookExternal) view(w *v1alpha1.Webhook) view[platform.Webhook] {
	ent, c := x.enterpriseID, x.platform
	list := func(ctx context.Context) ([]platform.Webhook, error) { return c.ListWebhooks(ctx, ent) }
	v := newView(x.deps, &x.parent, x.deps.views.hooks, w, snapshot.Source[platform.Webhook]{
		List: list,
		Get: func(ctx context.Context, id string) (*platform.Webhook, error) {
			return notFoundIsNil(c.GetWebhook(ctx, ent, id))
		},
		Search: list,
	})
	v.need.Direct = true
	return v
}

func webhookActive(w *v1alpha1.Webhook) bool { return w.Spec.Active == nil || *w.Spec.Active }

// desired is the webhook to send, with the signing secret read from its Secret; the
// Secret's version is recorded so a later rotation is noticed. A Secret the operator
// may not read for this Webhook (secretUse.mayRead) stalls it before its data is used.
func (x *webhookExternal) desired(ctx context.Context, w *v1alpha1.Webhook) (platform.WebhookSpec, error) {
	ref := w.Spec.SigningSecretRef
	key := ref.Key
	if key == "" {
		key = defaultSecretKey
	}
	s, err := getSecret(ctx, x.deps.secrets, w.Namespace, ref.Name)
	if err != nil {
		return platform.WebhookSpec{}, err
	}
	if s == nil {
		return platform.WebhookSpec{}, managed.Stalling(v1alpha1.ReasonSecretNotFound, msgSecretMissing, w.Namespace, ref.Name)
	}
	if err := signingSecretUse(w).mayRead(s); err != nil {
		return platform.WebhookSpec{}, err
	}
	secret := s.Data[key]
	if len(secret) == 0 {
		return platform.WebhookSpec{}, managed.Stalling(v1alpha1.ReasonSecretNotFound, msgSecretKeyMissing, w.Namespace, ref.Name, key)
	}
	w.Status.SigningSecretVersion = s.ResourceVersion
	return platform.WebhookSpec{URL: w.Spec.URL, Events: nonNil(w.Spec.Events), Active: webhookActive(w), SigningSecret: string(secret)}, nil
}

// signingSecretRotated reports whether the signing Secret changed since its value was
// last sent, from Secret metadata only (no Secret data is read for this). The cache
// holds only Secrets labelled platform.enterprise-operator.dev/secret=true, the usual
// kind; for any other the metadata comes from the API server: a Secret created for
// this Webhook is still followed (at resync, since no event announces its rotation),
// and one the operator may no longer read (its label was removed) counts as changed,
// so the update that follows stalls on it and says why instead of staying Ready.
func (x *webhookExternal) signingSecretRotated(ctx context.Context, w *v1alpha1.Webhook) bool {
	key := types.NamespacedName{Namespace: w.Namespace, Name: w.Spec.SigningSecretRef.Name}
	m := secretMetadata()
	err := x.deps.kube.Get(ctx, key, m)
	if apierrors.IsNotFound(err) {
		m = secretMetadata()
		if err := x.deps.secrets.Get(ctx, key, m); err != nil {
			// Gone (or unreadable): nothing new to send; the platform keeps the last value.
			return false
		}
		if signingSecretUse(w).mayRead(m) != nil {
			return true
		}
	} else if err != nil {
		return false
	}
	return m.ResourceVersion != w.Status.SigningSecretVersion
}

func (x *webhookExternal) Observe(ctx context.Context, w *v1alpha1.Webhook) (managed.Observation, error) {
	got, err := x.view(w).observe(ctx, w, w.Spec.URL, func(p platform.Webhook) bool { return p.URL == w.Spec.URL })
	if err != nil || got == nil {
		return managed.Observation{}, err
	}
	id := got.ID
	var drift []string
	if got.URL != w.Spec.URL {
		drift = append(drift, "url")
	}
	if !sameSet(got.Events, w.Spec.Events) {
		drift = append(drift, "events")
	}
	if got.Active != webhookActive(w) {
		drift = append(drift, "active")
	}
	if x.signingSecretRotated(ctx, w) {
		drift = append(drift, "signingSecretRef")
	}
	return managed.Observation{Exists: true, ExternalID: id, UpToDate: len(drift) == 0, Drift: drift}, nil
}

// PrepareCreate reads the signing Secret before the create is marked pending: a
// refused or missing Secret means nothing reached the platform.
func (x *webhookExternal) PrepareCreate(ctx context.Context, w *v1alpha1.Webhook) error {
	spec, err := x.desired(ctx, w)
	if err != nil {
		return err
	}
	x.spec = &spec
	return nil
}

func (x *webhookExternal) Create(ctx context.Context, w *v1alpha1.Webhook) (managed.Observation, error) {
	if x.spec == nil {
		if err := x.PrepareCreate(ctx, w); err != nil {
			return managed.Observation{}, err
		}
	}
	got, err := x.platform.CreateWebhook(ctx, x.enterpriseID, *x.spec)
	if err := x.view(w).created(got, err, "webhook", "URL"); err != nil {
		return managed.Observation{}, err
	}
	return managed.Observation{Exists: true, ExternalID: got.ID, UpToDate: true}, nil
}

func (x *webhookExternal) Update(ctx context.Context, w *v1alpha1.Webhook, cur managed.Observation) (managed.Observation, error) {
	spec, err := x.desired(ctx, w)
	if err != nil {
		return managed.Observation{}, err
	}
	got, err := x.platform.UpdateWebhook(ctx, x.enterpriseID, cur.ExternalID, spec)
	x.view(w).wrote(cur.ExternalID, got, err)
	if err != nil {
		return managed.Observation{}, err
	}
	return managed.Observation{Exists: true, ExternalID: cur.ExternalID, UpToDate: true}, nil
}

func (x *webhookExternal) Delete(ctx context.Context, w *v1alpha1.Webhook) error {
	err := x.platform.DeleteWebhook(ctx, x.enterpriseID, w.Status.ExternalID)
	x.view(w).deleted(w.Status.ExternalID, err)
	return ignorePlatformNotFound(err)
}

// Act runs the platform's webhook test once per distinct value of the test annotation.
func (x *webhookExternal) Act(ctx context.Context, w *v1alpha1.Webhook, cur managed.Observation) (managed.Observation, error) {
	v := w.Annotations[v1alpha1.AnnotationTestWebhook]
	if v == "" || (w.Status.LastTest != nil && w.Status.LastTest.RequestedBy == v) {
		return cur, nil
	}
	res, err := x.platform.TestWebhook(ctx, x.enterpriseID, cur.ExternalID)
	if err != nil {
		return cur, err
	}
	t := metav1.NewTime(res.TestedAt)
	if res.TestedAt.IsZero() {
		t = metav1.Now()
	}
	w.Status.LastTest = &v1alpha1.WebhookTestStatus{
		RequestedBy: v, Time: t, Success: res.Success, StatusCode: int32(min(max(res.StatusCode, 0), 999)), //nolint:gosec // an HTTP status, clamped Message: res.Message,
	}
	return cur, nil
}
