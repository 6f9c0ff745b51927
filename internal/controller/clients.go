package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// NewPlatformClient builds a platform client; tests and main use platform.New.
type NewPlatformClient func(platform.Config) (platform.Client, error)

// ClientRegistry keeps one platform client per PlatformConfig (and per reseller company
// scope), built from the credentials in its Secrets. Clients are kept across reconciles
// so OAuth2 tokens and rate limiters are shared by every object using the credential;
// the PlatformConfig reconciler replaces an entry when the spec or a Secret changes, so
// rotated credentials take effect without a restart.
type ClientRegistry struct {
	// Kube reads PlatformConfigs and Namespaces (cached).
	Kube client.Client
	// Secrets reads Secret data directly from the API server (never cached).
	Secrets client.Reader
	// New builds a client.
	New NewPlatformClient
	// UserAgent is sent with every platform request.
	UserAgent string
	// Recorder records a PlatformConfig's circuit opening and closing (one event each,
	// instead of one per object refused while it is open).
	Recorder events.EventRecorder
	// Breaker configures each credential's circuit breaker; its Name and OnChange are
	// set per PlatformConfig.
	Breaker platform.BreakerSettings

	mu      sync.Mutex
	entries map[string]*registryEntry
}

type registryEntry struct {
	fingerprint string
	base        platform.Config
	clients     map[string]platform.Client // by company id
	// breaker is the credential's circuit breaker, shared by its clients.
	breaker *platform.Breaker
	// replaced: these credentials replaced others while the manager ran (a rotated
	// Secret) and no check has accepted them yet. After a restart nothing is known
	// to have changed, and the PlatformConfig's status is trusted instead.
	replaced bool
}

// ErrNamespaceNotAllowed is the message when a namespace may not use a PlatformConfig.
const msgNamespaceNotAllowed = "namespace %s may not use PlatformConfig %s: it does not match the PlatformConfig's spec.namespaceSelector"

// For returns the client an object in namespace ns uses through PlatformConfig name,
// scoped to companyID when set (otherwise to the PlatformConfig's own company id). It
// returns a WaitingError while the PlatformConfig is missing or not Ready and a
// StallingError when the namespace may not use it.
func (r *ClientRegistry) For(ctx context.Context, name, ns, companyID string) (platform.Client, error) {
	pc := &v1alpha1.PlatformConfig{}
	if err := r.Kube.Get(ctx, types.NamespacedName{Name: name}, pc); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, managed.WaitingForDependency("PlatformConfig", name, "to exist")
		}
		return nil, err
	}
	if err := r.checkNamespace(ctx, pc, ns); err != nil {
		return nil, err
	}
	if !meta.IsStatusConditionTrue(pc.Status.Conditions, v1alpha1.ConditionReady) {
		// Tenants see this message: it carries the PlatformConfig's reason, not its message.
		return nil, managed.WaitingForReady("PlatformConfig", name, managed.AdminNotReadyCause(pc.Status.Conditions))
	}
	r.mu.Lock()
	e := r.entries[name]
	r.mu.Unlock()
	if e == nil {
		// After a restart the PlatformConfig is still Ready but no client is built yet.
		if _, err := r.Refresh(ctx, pc); err != nil {
			return nil, managed.WaitingForDependency("PlatformConfig", name, "to be Ready")
		}
	}
	return r.scoped(name, companyID)
}

func (r *ClientRegistry) checkNamespace(ctx context.Context, pc *v1alpha1.PlatformConfig, ns string) error {
	if pc.Spec.NamespaceSelector == nil {
		return nil
	}
	sel, err := pc.Spec.NamespaceSelector.Selector()
	if err != nil {
		return managed.StallingWrap(v1alpha1.ReasonForbidden, err, "PlatformConfig %s has an invalid namespaceSelector: %v", pc.Name, err)
	}
	nsObj := &corev1.Namespace{}
	if err := r.Kube.Get(ctx, types.NamespacedName{Name: ns}, nsObj); err != nil {
		return err
	}
	if !sel.Matches(labels.Set(nsObj.Labels)) {
		return managed.Stalling(v1alpha1.ReasonForbidden, msgNamespaceNotAllowed, ns, pc.Name)
	}
	return nil
}

// AdoptionGranted reports whether PlatformConfig name's spec.adoption lets Enterprises
// in namespace ns adopt platform enterprises that carry no ownership record.
func (r *ClientRegistry) AdoptionGranted(ctx context.Context, name, ns string) (bool, error) {
	pc := &v1alpha1.PlatformConfig{}
	if err := r.Kube.Get(ctx, types.NamespacedName{Name: name}, pc); err != nil {
		return false, err
	}
	a := pc.Spec.Adoption
	if a.Policy != v1alpha1.AdoptionPolicyNamespaceSelector || a.NamespaceSelector == nil {
		return false, nil
	}
	sel, err := a.NamespaceSelector.Selector()
	if err != nil {
		return false, managed.StallingWrap(v1alpha1.ReasonForbidden, err, "PlatformConfig %s has an invalid adoption.namespaceSelector: %v", pc.Name, err)
	}
	nsObj := &corev1.Namespace{}
	if err := r.Kube.Get(ctx, types.NamespacedName{Name: ns}, nsObj); err != nil {
		return false, err
	}
	return sel.Matches(labels.Set(nsObj.Labels)), nil
}

func (r *ClientRegistry) scoped(name, companyID string) (platform.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[name]
	if e == nil {
		return nil, managed.WaitingForDependency("PlatformConfig", name, "to be Ready")
	}
	if c, ok := e.clients[companyID]; ok {
		return c, nil
	}
	cfg := e.base
	cfg.CompanyID = companyID
	c, err := r.New(cfg)
	if err != nil {
		return nil, managed.StallingWrap(v1alpha1.ReasonInvalidSpec, err, "cannot use company id %q with PlatformConfig %s: %v", companyID, name, err)
	}
	e.clients[companyID] = c
	return c, nil
}

// scopeOf names the credential and company a client of PlatformConfig name works
// through, for keys of data read with it: a changed spec or credential (another base
// URL, another account) gives another name, so nothing read before is used after.
func (r *ClientRegistry) scopeOf(name, companyID string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	fp := ""
	if e := r.entries[name]; e != nil {
		fp = e.fingerprint
	}
	return name + "\x00" + fp + "\x00" + companyID
}

// Refresh reads the PlatformConfig's Secrets and (re)builds its client if the spec or a
// credential changed. It returns the client scoped to the PlatformConfig's own company.
func (r *ClientRegistry) Refresh(ctx context.Context, pc *v1alpha1.PlatformConfig) (platform.Client, error) {
	cfg, fingerprint, err := r.configFor(ctx, pc)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	e := r.entries[pc.Name]
	if e != nil && e.fingerprint == fingerprint {
		r.mu.Unlock()
		return r.scoped(pc.Name, pc.Spec.CompanyID)
	}
	r.mu.Unlock()
	// One limiter and one circuit breaker per credential: the company-scoped clients
	// built from it later share the PlatformConfig's request budget and its view of
	// whether the platform is up.
	cfg.Limiter = newLimiter(cfg.RequestsPerSecond, cfg.Burst)
	cfg.Breaker = r.newBreaker(pc)
	c, err := r.New(cfg)
	if err != nil {
		cfg.Breaker.Stop()
		return nil, managed.StallingWrap(v1alpha1.ReasonCredentialsInvalid, err, "%v", err)
	}
	r.mu.Lock()
	if r.entries == nil {
		r.entries = map[string]*registryEntry{}
	}
	base := cfg
	base.CompanyID = ""
	old := r.entries[pc.Name]
	r.entries[pc.Name] = &registryEntry{fingerprint: fingerprint, base: base, breaker: cfg.Breaker,
		clients: map[string]platform.Client{pc.Spec.CompanyID: c}, replaced: e != nil}
	r.mu.Unlock()
	if old != nil {
		// Whoever waited for the old credential's circuit retries with the new one.
		old.breaker.Stop()
	}
	return c, nil
}

// Accepted records that a check accepted the PlatformConfig's current credentials.
func (r *ClientRegistry) Accepted(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.entries[name]; e != nil {
		e.replaced = false
	}
}

// Unproven reports whether the PlatformConfig's credentials were replaced since a
// check last accepted them.
func (r *ClientRegistry) Unproven(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[name]
	return e != nil && e.replaced
}

func newLimiter(rps float64, burst int) *rate.Limiter {
	if rps <= 0 {
		rps = platform.DefaultRequestsPerSecond
	}
	if burst <= 0 {
		burst = max(1, int(rps))
	}
	return rate.NewLimiter(rate.Limit(rps), burst)
}

// Forget drops a deleted PlatformConfig's clients.
func (r *ClientRegistry) Forget(name string) {
	r.mu.Lock()
	e := r.entries[name]
	delete(r.entries, name)
	r.mu.Unlock()
	if e != nil {
		e.breaker.Stop()
	}
	forgetMetrics(name)
}

// Event reasons and messages of a PlatformConfig's circuit breaker.
const (
	EventCircuitOpened = "CircuitOpened"
	EventCircuitClosed = "CircuitClosed"
	msgCircuitOpened   = "the platform failed %d times in a row: requests through this PlatformConfig are paused until a probe succeeds (first probe at %s)"
	msgCircuitClosed   = "a probe succeeded: requests through this PlatformConfig resume"
)

// newBreaker builds the circuit breaker of pc's credential: its transitions become
// metrics, and opening and closing one event each on the PlatformConfig.
func (r *ClientRegistry) newBreaker(pc *v1alpha1.PlatformConfig) *platform.Breaker {
	set := r.Breaker
	set.Name = pc.Name
	failures := set.Failures
	if failures == 0 {
		failures = platform.DefaultBreakerFailures
	}
	regarding := &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: pc.Name, UID: pc.UID}}
	platformCircuitState.WithLabelValues(pc.Name).Set(circuitStateValue[platform.BreakerClosed])
	set.OnChange = func(from, to platform.BreakerState, next time.Time) {
		recordCircuit(pc.Name, from, to)
		if r.Recorder == nil {
			return
		}
		switch {
		case from == platform.BreakerClosed && to == platform.BreakerOpen:
			r.Recorder.Eventf(regarding, nil, corev1.EventTypeWarning, EventCircuitOpened, "Probe",
				msgCircuitOpened, failures, next.UTC().Format(time.RFC3339))
		case to == platform.BreakerClosed:
			r.Recorder.Eventf(regarding, nil, corev1.EventTypeNormal, EventCircuitClosed, "Probe", msgCircuitClosed)
		}
	}
	return platform.NewBreaker(set)
}

// configFor builds the client config from the spec and the Secret data; the fingerprint
// changes whenever either does, without keeping the secret values themselves around.
//
// Credential Secrets are read without the platform.enterprise-operator.dev/secret label
// that password and signing Secrets need (secretUse): a PlatformConfig is cluster-scoped,
// so only a cluster administrator, who may read every Secret anyway, can name one, and
// naming it is the consent the label stands for elsewhere. The label still matters for
// them: only labelled Secrets are watched, so an unlabelled credential Secret's rotation
// takes effect at the next periodic credential check rather than at once.
func (r *ClientRegistry) configFor(ctx context.Context, pc *v1alpha1.PlatformConfig) (platform.Config, string, error) {
	spec := pc.Spec
	cfg := platform.Config{
		BaseURL:           spec.BaseURL,
		CompanyID:         spec.CompanyID,
		CompanyIDHeader:   spec.CompanyIDHeader,
		RequestsPerSecond: float64(spec.RateLimit.RequestsPerSecond),
		Burst:             int(spec.RateLimit.Burst),
		UserAgent:         r.UserAgent,
		Recorder:          configRecorder{platformConfig: pc.Name},
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00", pc.Generation)
	switch {
	case spec.Auth.OAuth2 != nil:
		o := spec.Auth.OAuth2
		ref := o.CredentialsSecretRef
		id, err := r.secretValue(ctx, ref.Namespace, ref.Name, v1alpha1.OAuth2ClientIDKey)
		if err != nil {
			return cfg, "", err
		}
		secret, err := r.secretValue(ctx, ref.Namespace, ref.Name, v1alpha1.OAuth2ClientSecretKey)
		if err != nil {
			return cfg, "", err
		}
		cfg.Auth.OAuth2 = &platform.OAuth2{TokenURL: o.TokenURL, ClientID: id, ClientSecret: secret, Scopes: o.Scopes}
		fmt.Fprintf(h, "%s\x00%s\x00", id, secret)
	case spec.Auth.BearerToken != nil:
		ref := spec.Auth.BearerToken.TokenSecretRef
		tok, err := r.secretValue(ctx, ref.Namespace, ref.Name, ref.Key)
		if err != nil {
			return cfg, "", err
		}
		cfg.Auth.BearerToken = tok
		fmt.Fprintf(h, "%s\x00", tok)
	}
	return cfg, hex.EncodeToString(h.Sum(nil)), nil
}

// Messages for missing credentials; they name the Secret and key, never a value.
const (
	msgSecretMissing    = "Secret %s/%s not found"
	msgSecretKeyMissing = "Secret %s/%s has no key %q"
)

func (r *ClientRegistry) secretValue(ctx context.Context, ns, name, key string) (string, error) {
	return readSecretKey(ctx, r.Secrets, ns, name, key)
}

// readSecretKey reads one key of a Secret straight from the API server. A missing
// Secret or key stalls with a reason naming it: the user has to create it, and the
// Secret watch brings the object back when they do.
func readSecretKey(ctx context.Context, reader client.Reader, ns, name, key string) (string, error) {
	s := &corev1.Secret{}
	if err := reader.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s); err != nil {
		if apierrors.IsNotFound(err) {
			return "", managed.Stalling(v1alpha1.ReasonSecretNotFound, msgSecretMissing, ns, name)
		}
		return "", err
	}
	v, ok := s.Data[key]
	if !ok || len(v) == 0 {
		return "", managed.Stalling(v1alpha1.ReasonSecretNotFound, msgSecretKeyMissing, ns, name, key)
	}
	return string(v), nil
}
