package rbac

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

// run is the representative run. Each step names the rules it is there for.
func (s *scenario) run(t *testing.T, samples []*unstructured.Unstructured) {
	g := NewWithT(t)
	g.SetDefaultEventuallyTimeout(timeout)
	g.SetDefaultEventuallyPollingInterval(poll)
	k := s.cp.admin
	ctx := s.cp.ctx

	// PlatformConfigs: list/watch, patch (finalizer), status patch; their credential
	// Secrets: get (in the operator's namespace); Namespaces: list/watch (their
	// namespaceSelector). The refused one names a Secret that does not exist: the same
	// CredentialsInvalid event at every check, so events create and then patch (a
	// series), in "default", since a PlatformConfig is cluster-scoped. (A token the
	// platform refuses would not do: the note carries the platform's request id, so no
	// two events are alike.)
	optIn := map[string]string{v1alpha1.LabelSecret: v1alpha1.LabelSecretOptIn}
	pc, err := s.platform.Install(ctx, k)
	g.Expect(err).NotTo(HaveOccurred())
	refused := &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: refusedConfig}, Spec: *pc.Spec.DeepCopy()}
	refused.Spec.Auth.BearerToken.TokenSecretRef.Name = refusedConfig + "-token"
	g.Expect(k.Create(ctx, refused)).To(Succeed())
	s.waitCondition(g, &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: s.config}}, v1alpha1.ConditionReady, "True")
	s.waitCondition(g, &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: refusedConfig}}, v1alpha1.ConditionReady, "False")

	// The tenant (config/samples): every namespaced kind list/watch, patch (finalizer,
	// create-pending mark), status patch, events create; the Webhook's labelled signing
	// Secret: get; alice's absent password Secret: get, then create (generated).
	g.Expect(k.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.tenant, Name: "acme-webhook-signing", Labels: optIn},
		StringData: map[string]string{"secret": testenv.RandHex(16)},
	})).To(Succeed())
	for _, o := range samples {
		g.Expect(k.Create(ctx, o)).To(Succeed(), "%s %s", o.GetKind(), o.GetName())
	}
	if s.namespaced {
		// An Enterprise outside the watched namespaces, which the manager must not see.
		g.Expect(k.Create(ctx, outsider(s.config))).To(Succeed())
	}
	for _, o := range samples {
		s.waitApplied(g, o)
	}
	pw := &corev1.Secret{}
	g.Eventually(func() error {
		return k.Get(ctx, client.ObjectKey{Namespace: s.tenant, Name: "alice-password"}, pw)
	}).Should(Succeed(), "the generated password Secret")
	g.Expect(pw.OwnerReferences).To(ConsistOf(HaveField("Name", "alice")))

	// A Webhook whose signing Secret lacks its key stalls, with a Stalled warning. The
	// event names the Webhook's resourceVersion, which the first stall's status patch
	// changes; after that each change of the (labelled, so watched) Secret reconciles
	// the Webhook again without changing it, and the same event again (the manager's
	// WarningWindow is short here) is patched into a series: events patch in the
	// tenant's namespace.
	signing := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.tenant, Name: "signing-without-key", Labels: optIn},
		StringData: map[string]string{"other": testenv.RandHex(8)},
	}
	g.Expect(k.Create(ctx, signing)).To(Succeed())
	stalled := &v1alpha1.Webhook{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.tenant, Name: "stalled"},
		Spec: v1alpha1.WebhookSpec{
			EnterpriseRef:    v1alpha1.LocalObjectReference{Name: "acme"},
			URL:              "https://hooks.acme.example.com/stalled",
			Events:           []string{"user.created"},
			SigningSecretRef: v1alpha1.SecretKeyReference{Name: signing.Name, Key: "secret"},
		},
	}
	g.Expect(k.Create(ctx, stalled)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k.Get(ctx, client.ObjectKeyFromObject(stalled), stalled)).To(Succeed())
		g.Expect(stalled.Status.Conditions).To(ContainElement(And(
			HaveField("Type", v1alpha1.ConditionStalled), HaveField("Reason", v1alpha1.ReasonSecretNotFound))))
	}).Should(Succeed())
	pokes := 0
	g.Eventually(func(g Gomega) {
		pokes++
		g.Expect(k.Patch(ctx, signing, client.RawPatch("application/merge-patch+json",
			[]byte(fmt.Sprintf(`{"metadata":{"annotations":{"poke":"%d"}}}`, pokes))))).To(Succeed())
		s.expectSeries(g, s.tenant, stalled.Name)
	}).WithPolling(500 * time.Millisecond).Should(Succeed())

	// Edits of every kind: the same patches again, with the platform updated.
	for _, o := range samples {
		if patch := specEdits[o.GetKind()]; patch != "" {
			g.Expect(k.Patch(ctx, o, client.RawPatch("application/merge-patch+json", []byte(patch)))).To(Succeed(), o.GetKind())
		}
	}
	for _, o := range samples {
		s.waitApplied(g, o)
	}

	// A password reset: secrets update (the operator's own Secret).
	alice := &v1alpha1.EnterpriseUser{}
	g.Expect(k.Get(ctx, client.ObjectKey{Namespace: s.tenant, Name: "alice"}, alice)).To(Succeed())
	g.Expect(k.Patch(ctx, alice, client.RawPatch("application/merge-patch+json",
		[]byte(`{"metadata":{"annotations":{"`+v1alpha1.AnnotationResetPassword+`":"r1"}}}`)))).To(Succeed())
	g.Eventually(func() (string, error) {
		err := k.Get(ctx, client.ObjectKeyFromObject(alice), alice)
		return alice.Status.LastPasswordReset, err
	}).Should(Equal("r1"))

	// Leader election: leases get, create (the first acquisition), update (renewals);
	// its "became leader" event: core events create.
	g.Eventually(func(g Gomega) {
		var lease unstructured.Unstructured
		lease.SetAPIVersion("coordination.k8s.io/v1")
		lease.SetKind("Lease")
		g.Expect(k.Get(ctx, client.ObjectKey{Namespace: s.operatorNS, Name: leaderElectionID}, &lease)).To(Succeed())
		acquired, _, _ := unstructured.NestedString(lease.Object, "spec", "acquireTime")
		renewed, _, _ := unstructured.NestedString(lease.Object, "spec", "renewTime")
		g.Expect(renewed).NotTo(Equal(acquired), "the Lease was not renewed yet")
	}).Should(Succeed())
	g.Eventually(func(g Gomega) {
		var events corev1.EventList
		g.Expect(k.List(ctx, &events, client.InNamespace(s.operatorNS))).To(Succeed())
		g.Expect(events.Items).To(ContainElement(HaveField("Reason", "LeaderElection")))
	}).Should(Succeed())
	// The refused PlatformConfig's event repeated: a series, patched.
	g.Eventually(func(g Gomega) { s.expectSeries(g, metav1.NamespaceDefault, refusedConfig) }).Should(Succeed())

	if s.namespaced {
		out := outsider(s.config)
		g.Expect(k.Get(ctx, client.ObjectKeyFromObject(out), out)).To(Succeed())
		g.Expect(out.Finalizers).To(BeEmpty(), "the manager reconciled an Enterprise outside its namespaces")
		g.Expect(out.Status.Conditions).To(BeEmpty(), "the manager reconciled an Enterprise outside its namespaces")
		g.Expect(k.Delete(ctx, out)).To(Succeed())
	}

	// Deleting the Enterprise deletes its children first: delete on each child kind.
	for _, o := range samples {
		if o.GetKind() == "Enterprise" {
			g.Expect(k.Delete(ctx, o)).To(Succeed())
		}
	}
	for _, o := range samples {
		s.waitGone(g, o)
	}
	// PlatformConfigs release their finalizer (patch) once no Enterprise uses them.
	for _, name := range []string{s.config, refusedConfig} {
		pc := &v1alpha1.PlatformConfig{ObjectMeta: metav1.ObjectMeta{Name: name}}
		g.Expect(k.Delete(ctx, pc)).To(Succeed())
		s.waitGone(g, pc)
	}
}

// specEdits change every kind's spec (Domains have nothing to edit but their name).
var specEdits = map[string]string{
	"Enterprise":     `{"spec":{"additionalAdmins":["auditor@acme.example.com"]}}`,
	"EnterpriseRole": `{"spec":{"description":"Edited by test/rbac."}}`,
	"EnterpriseUser": `{"spec":{"title":"Edited by test/rbac"}}`,
	"UserGroup":      `{"spec":{"description":"Edited by test/rbac."}}`,
	"Webhook":        `{"spec":{"events":["user.created"]}}`,
}

func outsider(config string) *v1alpha1.Enterprise {
	return &v1alpha1.Enterprise{
		ObjectMeta: metav1.ObjectMeta{Namespace: outsiderNS, Name: "outsider"},
		Spec: v1alpha1.EnterpriseSpec{
			PlatformConfigRef: v1alpha1.PlatformConfigReference{Name: config},
			OrganizationID:    testenv.RandHex(16),
			AdminEmail:        "admin@outsider.example.com",
		},
	}
}

// samples returns config/samples' namespaced objects, in the tenant namespace, and
// remembers the name of the PlatformConfig they use (the test makes its own).
func (s *scenario) samples(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	dir := filepath.Join(s.cp.root, "config", "samples")
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var kust struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(raw, &kust); err != nil {
		t.Fatal(err)
	}
	var out []*unstructured.Unstructured
	kinds := map[string]bool{}
	for _, f := range kust.Resources {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		objs, err := testenv.DecodeYAML(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, u := range objs {
			kinds[u.GetKind()] = true
			if u.GetKind() == "PlatformConfig" {
				s.config = u.GetName()
				continue
			}
			u.SetNamespace(s.tenant)
			out = append(out, u)
		}
	}
	for _, k := range []string{"PlatformConfig", "Enterprise", "EnterpriseRole", "EnterpriseUser", "UserGroup", "Domain", "Webhook"} {
		if !kinds[k] {
			t.Fatalf("config/samples has no %s; the run needs one of each kind", k)
		}
	}
	return out
}

// waitApplied waits until the object's generation is applied (Synced); every kind
// but Domain, which waits for its DNS record, is also Ready.
func (s *scenario) waitApplied(g Gomega, o *unstructured.Unstructured) {
	g.Eventually(func(g Gomega) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(o.GroupVersionKind())
		g.Expect(s.cp.admin.Get(s.cp.ctx, client.ObjectKeyFromObject(o), u)).To(Succeed())
		observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
		g.Expect(observed).To(Equal(u.GetGeneration()), "%s %s: generation not applied yet", o.GetKind(), o.GetName())
		want := map[string]string{v1alpha1.ConditionSynced: "True"}
		if o.GetKind() != "Domain" {
			want[v1alpha1.ConditionReady] = "True"
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for typ, status := range want {
			g.Expect(conds).To(ContainElement(And(HaveKeyWithValue("type", typ), HaveKeyWithValue("status", status))),
				"%s %s: %v", o.GetKind(), o.GetName(), conds)
		}
	}).Should(Succeed())
}

// expectSeries expects an event about the object named regarding to have been
// repeated, so patched into a series.
func (s *scenario) expectSeries(g Gomega, ns, regarding string) {
	var events eventsv1.EventList
	g.Expect(s.cp.admin.List(s.cp.ctx, &events, client.InNamespace(ns))).To(Succeed())
	var about []string
	for _, e := range events.Items {
		if e.Regarding.Name == regarding {
			if e.Series != nil {
				return
			}
			about = append(about, e.Reason+": "+e.Note)
		}
	}
	g.Expect(about).To(BeNil(), "no event about %s in %s was repeated", regarding, ns)
}

func (s *scenario) waitCondition(g Gomega, pc *v1alpha1.PlatformConfig, typ, status string) {
	g.Eventually(func(g Gomega) {
		g.Expect(s.cp.admin.Get(s.cp.ctx, client.ObjectKeyFromObject(pc), pc)).To(Succeed())
		g.Expect(pc.Status.Conditions).To(ContainElement(And(HaveField("Type", typ), HaveField("Status", metav1.ConditionStatus(status)))),
			"PlatformConfig %s: %v", pc.Name, pc.Status.Conditions)
	}).Should(Succeed())
}

func (s *scenario) waitGone(g Gomega, o client.Object) {
	gvk, err := apiutil.GVKForObject(o, scheme)
	g.Expect(err).NotTo(HaveOccurred())
	g.Eventually(func() error {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		err := s.cp.admin.Get(s.cp.ctx, client.ObjectKeyFromObject(o), u)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("%s %s is still there: finalizers %v, conditions %v", gvk.Kind, o.GetName(), u.GetFinalizers(), u.Object["status"])
	}).Should(Succeed())
}
