package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platformsim"
)

const (
	errNoToken       = "the simulator's first credential has no bearer token for the Secret"
	errSimulator     = "simulator: %w"
	errCreate        = "creating %s %s: %w"
	errSimExited     = "%w\n%s"
	errSimNotServing = "%s did not serve %s/healthz within %s\n%s"
	errSimNoURL      = "%s printed no %q line within %s\n%s"
)

const (
	// simListeningOn starts the line cmd/platform-sim prints with the URL it bound.
	simListeningOn = "platform-sim listening on "
	simHealthz     = "/healthz"
	// tokenKey is the token Secret's key, as in the samples and docs/install.md.
	tokenKey = "token"
	// simLogLinesOnFail is how much of the simulator's log a failure shows.
	simLogLinesOnFail = 20
)

// Platform is the in-process platform simulator and, once Install ran, the bearer
// token Secret and PlatformConfig that point the operator at it.
type Platform struct {
	Sim *platformsim.Server
	// Token is the bearer token the Secret holds.
	Token string
	// Config is the PlatformConfig Install created.
	Config *v1alpha1.PlatformConfig

	namespace string
	config    v1alpha1.PlatformConfig
}

// PlatformOptions describe the simulator and the PlatformConfig that uses it.
type PlatformOptions struct {
	// Sim starts the simulator. Without Credentials it accepts one random OAuth2
	// client and bearer token; the first credential's first token is what the
	// operator is given.
	Sim platformsim.Options
	// Namespace is the operator's: it holds the token Secret, <config name>-token.
	Namespace string
	// Config names the PlatformConfig and gives its spec; spec.baseURL and spec.auth
	// are filled in to reach the simulator with the token.
	Config v1alpha1.PlatformConfig
}

// StartPlatform starts the simulator; it stops when ctx is done or on Close. The
// Secret and the PlatformConfig wait for Install, so a suite can start its manager
// first, as an operator is usually running before its objects are created.
func StartPlatform(ctx context.Context, opts PlatformOptions) (*Platform, error) {
	if len(opts.Sim.Credentials) == 0 {
		opts.Sim.Credentials = []platformsim.Credential{{
			ClientID: "client-" + RandHex(4), ClientSecret: "secret-" + RandHex(16),
			Tokens: []string{"tok-" + RandHex(16)}, Name: "operator",
		}}
	}
	if len(opts.Sim.Credentials[0].Tokens) == 0 {
		return nil, errors.New(errNoToken)
	}
	sim, err := platformsim.Start(ctx, opts.Sim)
	if err != nil {
		return nil, fmt.Errorf(errSimulator, err)
	}
	return &Platform{Sim: sim, Token: opts.Sim.Credentials[0].Tokens[0], namespace: opts.Namespace, config: opts.Config}, nil
}

// Install creates the operator's namespace (unless it exists), the token Secret and
// the PlatformConfig. The Secret carries the opt-in label, like every credential
// Secret (docs/install.md), so a rotation takes effect at once.
func (p *Platform) Install(ctx context.Context, c client.Client) (*v1alpha1.PlatformConfig, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: p.namespace}}
	if err := client.IgnoreAlreadyExists(c.Create(ctx, ns)); err != nil {
		return nil, fmt.Errorf(errCreate, "Namespace", ns.Name, err)
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: p.namespace, Name: p.config.Name + "-token",
			Labels: map[string]string{v1alpha1.LabelSecret: v1alpha1.LabelSecretOptIn}},
		StringData: map[string]string{tokenKey: p.Token},
	}
	if err := c.Create(ctx, secret); err != nil {
		return nil, fmt.Errorf(errCreate, "Secret", p.namespace+"/"+secret.Name, err)
	}
	pc := p.config.DeepCopy()
	pc.Spec.BaseURL = p.Sim.URL()
	pc.Spec.Auth = v1alpha1.PlatformAuth{BearerToken: &v1alpha1.BearerTokenAuth{
		TokenSecretRef: v1alpha1.NamespacedSecretKeyReference{Namespace: p.namespace, Name: secret.Name, Key: tokenKey},
	}}
	if err := c.Create(ctx, pc); err != nil {
		return nil, fmt.Errorf(errCreate, "PlatformConfig", pc.Name, err)
	}
	p.Config = pc
	return pc, nil
}

// Close stops the simulator.
func (p *Platform) Close() error {
	if p == nil {
		return nil
	}
	return p.Sim.Close()
}

// WaitSimulator waits until a platform simulator started as a process (the built
// cmd/platform-sim) has printed the URL it listens on and answers /healthz there,
// and returns that URL. A process that exits, or is not serving within timeout,
// fails with the end of its log.
func WaitSimulator(ctx context.Context, p *Proc, timeout time.Duration) (string, error) {
	var url string
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if err := p.Crashed(); err != nil {
			return false, fmt.Errorf(errSimExited, err, strings.Join(p.Tail(simLogLinesOnFail), "\n"))
		}
		if url == "" {
			for _, l := range p.Tail(50) {
				if v, ok := strings.CutPrefix(l, simListeningOn); ok {
					url = strings.TrimSpace(v)
				}
			}
			if url == "" {
				return false, nil
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+simHealthz, nil)
		if err != nil {
			return false, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, nil //nolint:nilerr // not listening yet: poll again
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	switch {
	case err == nil:
		return url, nil
	case ctx.Err() != nil:
		return "", ctx.Err()
	case !wait.Interrupted(err):
		return "", err
	case url == "":
		return "", fmt.Errorf(errSimNoURL, p.Name, strings.TrimSpace(simListeningOn), timeout, strings.Join(p.Tail(simLogLinesOnFail), "\n"))
	default:
		return "", fmt.Errorf(errSimNotServing, p.Name, url, timeout, strings.Join(p.Tail(simLogLinesOnFail), "\n"))
	}
}
