package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

// The suite runs the real manager against a real kube-apiserver + etcd (built from
// source by hack/setup-envtest.sh) and the platform simulator on loopback.
var (
	testEnv     *testenv.Env
	k8s         client.Client // uncached, for assertions
	restCfg     *rest.Config  // the control plane, for specs that need a client of their own
	ctx         context.Context
	cancel      context.CancelFunc
	simPlatform *testenv.Platform
	sim         *platformsim.Server
	hook        *testenv.Receiver

	// logs captures everything the manager logs, to prove no secret leaks.
	logs = &testenv.LogBuffer{}
	// mgrCache is the manager's informer cache, for specs about what it holds.
	mgrCache cache.Cache
)

// Test credentials. They must never appear in logs, events or status.
var (
	simToken        = "tok-" + testenv.RandHex(16)
	simClientID     = "client-" + testenv.RandHex(4)
	simClientSecret = "secret-" + testenv.RandHex(16)
)

const (
	configName   = "sim"
	operatorNS   = "enterprise-operator-system"
	testResync   = 2 * time.Second
	eventuallyTO = 30 * time.Second
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controller suite")
}

var _ = BeforeSuite(func() {
	ctrl.SetLogger(zap.New(zap.WriteTo(io.MultiWriter(GinkgoWriter, logs)), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())

	// Every spec runs with the annotation policy the installs ship.
	var err error
	testEnv, err = testenv.Start(ctx, testenv.Options{Log: GinkgoWriter, AnnotationPolicy: true})
	Expect(err).NotTo(HaveOccurred())
	cfg := testEnv.Config
	restCfg = cfg
	k8s = testEnv.Client
	waitAnnotationPolicy(true)

	hook = testenv.StartReceiver()
	simPlatform, err = testenv.StartPlatform(ctx, testenv.PlatformOptions{
		Sim: platformsim.Options{
			Credentials: []platformsim.Credential{{
				ClientID: simClientID, ClientSecret: simClientSecret, Tokens: []string{simToken}, Name: "operator",
			}},
			WebhookClient:       hook.Server.Client(),
			VerificationRecheck: time.Second,
		},
		Namespace: operatorNS,
		Config: v1alpha1.PlatformConfig{
			ObjectMeta: metav1.ObjectMeta{Name: configName},
			Spec: v1alpha1.PlatformConfigSpec{
				RateLimit:         v1alpha1.RateLimit{RequestsPerSecond: 200, Burst: 200},
				NamespaceSelector: &v1alpha1.LabelSelector{MatchLabels: map[string]v1alpha1.LabelValue{"tenant": "true"}},
				// Tenants labelled adopt=true may adopt enterprises made outside the operator.
				Adoption: v1alpha1.AdoptionPolicy{Policy: v1alpha1.AdoptionPolicyNamespaceSelector,
					NamespaceSelector: &v1alpha1.LabelSelector{MatchLabels: map[string]v1alpha1.LabelValue{adoptLabel: "true"}}},
			},
		},
	})
	Expect(err).NotTo(HaveOccurred())
	sim = simPlatform.Sim

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 k8s.Scheme(),
		Cache:                  CacheOptions(nil),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	Expect(err).NotTo(HaveOccurred())
	mgrCache = mgr.GetCache()
	Expect(SetupWithManager(ctx, mgr, Options{
		ResyncInterval:          testResync,
		CredentialCheckInterval: 5 * time.Second,
		MaxConcurrentReconciles: 4,
		UserAgent:               "enterprise-operator/test",
		RetryBaseDelay:          100 * time.Millisecond,
		RetryMaxDelay:           2 * time.Second,
		NewPlatformClient: func(c platform.Config) (platform.Client, error) {
			c.RetryBackoff = 10 * time.Millisecond
			c.MaxRetryBackoff = 50 * time.Millisecond
			return platform.New(c)
		},
	})).To(Succeed())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()

	// The token Secret is labelled, so a rotation is noticed at once rather than at the
	// next credential check.
	pc, err := simPlatform.Install(ctx, k8s)
	Expect(err).NotTo(HaveOccurred())
	waitReady(pc)
})

var _ = AfterSuite(func() {
	defer stopSuite()
	// Runs after every spec, while the manager still runs: no secret may have leaked.
	if k8s != nil {
		assertNoSecretLeaks()
	}
})

func stopSuite() {
	if cancel != nil {
		cancel()
	}
	_ = simPlatform.Close()
	if hook != nil {
		hook.Server.Close()
	}
	Expect(testEnv.Stop()).To(Succeed())
}

// --- helpers ---

// adoptLabel marks the namespaces the suite's PlatformConfig grants adoption of
// enterprises that carry no ownership record (spec.adoption).
const adoptLabel = "adopt"

// newTenant makes a namespace allowed to use the PlatformConfig.
func newTenant() string { return newNamespace(map[string]string{"tenant": "true"}) }

// newAdoptingTenant makes a tenant namespace granted adoption of enterprises without
// an ownership record.
func newAdoptingTenant() string {
	return newNamespace(map[string]string{"tenant": "true", adoptLabel: "true"})
}

func newNamespace(labels map[string]string) string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "tenant-", Labels: labels}}
	Expect(k8s.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

func newEnterprise(ns, name string) *v1alpha1.Enterprise {
	e := &v1alpha1.Enterprise{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.EnterpriseSpec{
			PlatformConfigRef: v1alpha1.PlatformConfigReference{Name: configName},
			OrganizationID:    testenv.RandHex(16),
			AdminEmail:        name + "-admin@example.com",
		},
	}
	return e
}

// readyEnterprise creates an Enterprise in a fresh tenant namespace and waits for it.
func readyEnterprise() *v1alpha1.Enterprise {
	e := newEnterprise(newTenant(), "acme")
	Expect(k8s.Create(ctx, e)).To(Succeed())
	waitReady(e)
	return e
}

func conditionOf(obj client.Object, t string) *metav1.Condition {
	var conds []metav1.Condition
	switch o := obj.(type) {
	case interface {
		GetManagedStatus() *v1alpha1.ManagedResourceStatus
	}:
		conds = o.GetManagedStatus().Conditions
	case *v1alpha1.PlatformConfig:
		conds = o.Status.Conditions
	}
	return meta.FindStatusCondition(conds, t)
}

// waitCondition waits until obj's condition t has status s (and reason, if given),
// leaving the latest object in obj.
func waitCondition(obj client.Object, t string, s metav1.ConditionStatus, reason ...string) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		c := conditionOf(obj, t)
		g.Expect(c).NotTo(BeNil(), "no %s condition yet", t)
		g.Expect(c.Status).To(Equal(s), "%s: %s %s", t, c.Reason, c.Message)
		if len(reason) > 0 {
			g.Expect(c.Reason).To(Equal(reason[0]), "%s: %s", t, c.Message)
		}
	}, eventuallyTO, 100*time.Millisecond).Should(Succeed())
}

func waitReady(obj client.Object) {
	GinkgoHelper()
	waitCondition(obj, v1alpha1.ConditionReady, metav1.ConditionTrue)
}

func waitGone(obj client.Object) {
	GinkgoHelper()
	Eventually(func() error {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		// Say why it is still there: its finalizers and conditions.
		b, _ := json.Marshal(obj)
		return fmt.Errorf("%T %s still exists: %s", obj, obj.GetName(), b)
	}, eventuallyTO, 100*time.Millisecond).Should(Succeed())
}

// enterpriseState returns the simulator's view of one enterprise.
func enterpriseState(id string) platformsim.EnterpriseSnapshot {
	for _, e := range sim.State().Enterprises {
		if e.ID == id {
			return e
		}
	}
	return platformsim.EnterpriseSnapshot{}
}

func annotate(obj client.Object, key, value string) {
	GinkgoHelper()
	Eventually(func() error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		a := obj.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		if value == "" {
			delete(a, key)
		} else {
			a[key] = value
		}
		obj.SetAnnotations(a)
		return k8s.Update(ctx, obj)
	}, eventuallyTO).Should(Succeed())
}

// update re-reads obj, applies fn and writes it, retrying on conflicts.
func update[T client.Object](obj T, fn func(T)) {
	GinkgoHelper()
	Eventually(func() error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		fn(obj)
		return k8s.Update(ctx, obj)
	}, eventuallyTO).Should(Succeed())
}

// startCache starts an informer cache with the manager's options over namespaces (nil:
// all), stopped when the spec ends; before (optional) runs first, to add indexes.
func startCache(namespaces []string, before func(cache.Cache)) cache.Cache {
	GinkgoHelper()
	opts := CacheOptions(namespaces)
	opts.Scheme = k8s.Scheme()
	c, err := cache.New(restCfg, opts)
	Expect(err).NotTo(HaveOccurred())
	if before != nil {
		before(c)
	}
	cctx, stop := context.WithCancel(ctx)
	DeferCleanup(stop)
	go func() {
		defer GinkgoRecover()
		Expect(c.Start(cctx)).To(Succeed())
	}()
	Expect(c.WaitForCacheSync(cctx)).To(BeTrue())
	return c
}
