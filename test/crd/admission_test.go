package crd_test

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1alpha1 "enterprise-operator/api/v1alpha1"
)

// The annotation policy and its binding as config/default names them.
const (
	policyName  = "enterprise-operator-annotations"
	bindingName = "enterprise-operator-annotations"
)

// policyTimeout bounds the wait for a policy or binding change to take effect.
const policyTimeout = 30 * time.Second

// The messages of the policy's rules (config/policy/annotations_policy.yaml).
const (
	msgPaused         = `platform.enterprise-operator.dev/paused must be "true" or "false"`
	msgResyncInterval = "platform.enterprise-operator.dev/resync-interval must be a Go duration of at least 5s, such as 30s, 10m or 1h30m"
	msgExternalID     = "platform.enterprise-operator.dev/external-id must be a platform id: 1 to 128 letters, digits, '.', '_', '~' or '-', beginning with a letter or digit (no spaces or slashes)"
	msgResetPassword  = "platform.enterprise-operator.dev/reset-password must be at most 64 characters with no line breaks or other control characters; each new value (a timestamp, say) resets the password once"
	msgTestWebhook    = "platform.enterprise-operator.dev/test must be at most 64 characters with no line breaks or other control characters; each new value (a timestamp, say) runs one test delivery"
	msgRecheckDomain  = "platform.enterprise-operator.dev/recheck must be at most 64 characters with no line breaks or other control characters; each new value (a timestamp, say) asks for one DNS re-check"
)

// policyNames lists policy objects as kind/name.
func policyNames(objs []*unstructured.Unstructured) []string {
	var names []string
	for _, u := range objs {
		names = append(names, u.GetKind()+"/"+u.GetName())
	}
	return names
}

// waitPolicyEnforced waits until the API server does (or no longer does) refuse a
// known-bad annotation: a new or deleted policy or binding reaches the admission
// plugin through an informer, a moment after the write.
func waitPolicyEnforced(enforced bool) {
	GinkgoHelper()
	probe := func() error {
		u := mustOne(validEnterpriseRole)
		intoNamespace(u)
		u.SetAnnotations(map[string]string{platformv1alpha1.AnnotationPaused: "yes"})
		return k8sClient.Create(ctx, u, client.DryRunAll)
	}
	if enforced {
		Eventually(probe, policyTimeout, 100*time.Millisecond).Should(MatchError(ContainSubstring(msgPaused)))
	} else {
		Eventually(probe, policyTimeout, 100*time.Millisecond).Should(Succeed())
	}
}

// annotated returns manifest with one annotation set, in the test namespace.
func annotated(manifest, key, value string) *unstructured.Unstructured {
	u := mustOne(manifest)
	intoNamespace(u)
	u.SetAnnotations(map[string]string{key: value})
	return u
}

// platformBacked are the kinds the policy checks, each with a valid manifest.
var platformBacked = []struct{ kind, manifest string }{
	{"Enterprise", validEnterprise},
	{"EnterpriseUser", validEnterpriseUser},
	{"UserGroup", validUserGroup},
	{"Domain", validDomain},
	{"Webhook", validWebhook},
	{"EnterpriseRole", validEnterpriseRole},
}

// annotationCase is one value of one annotation on one kind.
type annotationCase struct {
	manifest, key, value string
	// want is the policy's message; empty when the value is accepted.
	want string
}

// Values of the annotations every platform-backed kind reads; want empty = accepted.
var commonAnnotationValues = []struct{ key, value, want string }{
	{platformv1alpha1.AnnotationPaused, "true", ""},
	{platformv1alpha1.AnnotationPaused, "false", ""},
	{platformv1alpha1.AnnotationPaused, "yes", msgPaused},
	{platformv1alpha1.AnnotationPaused, "True", msgPaused},
	{platformv1alpha1.AnnotationPaused, "", msgPaused},
	{platformv1alpha1.AnnotationPaused, "true ", msgPaused},

	{platformv1alpha1.AnnotationResyncInterval, "5s", ""},
	{platformv1alpha1.AnnotationResyncInterval, "30s", ""},
	{platformv1alpha1.AnnotationResyncInterval, "10m", ""},
	{platformv1alpha1.AnnotationResyncInterval, "1h30m", ""},
	{platformv1alpha1.AnnotationResyncInterval, "1.5h", ""},
	{platformv1alpha1.AnnotationResyncInterval, "5000ms", ""},
	{platformv1alpha1.AnnotationResyncInterval, "99999h", ""},
	{platformv1alpha1.AnnotationResyncInterval, "10 minutes", msgResyncInterval},
	{platformv1alpha1.AnnotationResyncInterval, "10", msgResyncInterval},
	{platformv1alpha1.AnnotationResyncInterval, "0", msgResyncInterval},
	{platformv1alpha1.AnnotationResyncInterval, "4s", msgResyncInterval},
	{platformv1alpha1.AnnotationResyncInterval, "4999ms", msgResyncInterval},
	{platformv1alpha1.AnnotationResyncInterval, "-1h", msgResyncInterval},
	{platformv1alpha1.AnnotationResyncInterval, "1h 30m", msgResyncInterval},
	{platformv1alpha1.AnnotationResyncInterval, "1d", msgResyncInterval},
	{platformv1alpha1.AnnotationResyncInterval, "9999999999h", msgResyncInterval}, // overflows time.Duration
	{platformv1alpha1.AnnotationResyncInterval, "", msgResyncInterval},

	{platformv1alpha1.AnnotationExternalID, "12", ""},
	{platformv1alpha1.AnnotationExternalID, "0123456789abcdef0123456789abcdef", ""},
	{platformv1alpha1.AnnotationExternalID, "xC5kfGz7w2Nz", ""},
	{platformv1alpha1.AnnotationExternalID, "a.b_c~d-e", ""},
	{platformv1alpha1.AnnotationExternalID, strings.Repeat("a", 128), ""},
	{platformv1alpha1.AnnotationExternalID, strings.Repeat("a", 129), msgExternalID},
	{platformv1alpha1.AnnotationExternalID, "", msgExternalID},
	{platformv1alpha1.AnnotationExternalID, "team-a/acme", msgExternalID},
	{platformv1alpha1.AnnotationExternalID, "..", msgExternalID},
	{platformv1alpha1.AnnotationExternalID, ".hidden", msgExternalID},
	{platformv1alpha1.AnnotationExternalID, "abc def", msgExternalID},
	{platformv1alpha1.AnnotationExternalID, "abc?x=1", msgExternalID},
	{platformv1alpha1.AnnotationExternalID, "bücher", msgExternalID},

	// Written by the operator, never checked: the policy must not refuse its writes.
	{platformv1alpha1.AnnotationCreatePending, "2024-01-01T00:00:00Z", ""},
}

// oneShotValues are values of a one-shot action annotation; msg is its message.
func oneShotValues(key, msg string) []struct{ key, value, want string } {
	return []struct{ key, value, want string }{
		{key, "2024-01-01T00:00:00Z", ""},
		{key, "after the incident", ""},
		{key, "zurücksetzen", ""},
		{key, "", ""}, // empty asks for nothing
		{key, strings.Repeat("r", 64), ""},
		{key, strings.Repeat("r", 65), msg},
		{key, "line\nbreak", msg},
		{key, "tab\there", msg},
	}
}

func annotationEntries(accepted bool) []TableEntry {
	var cases []annotationCase
	for _, k := range platformBacked {
		for _, v := range commonAnnotationValues {
			cases = append(cases, annotationCase{k.manifest, v.key, v.value, v.want})
		}
	}
	for _, oneShot := range []struct{ manifest, key, msg string }{
		{validEnterpriseUser, platformv1alpha1.AnnotationResetPassword, msgResetPassword},
		{validWebhook, platformv1alpha1.AnnotationTestWebhook, msgTestWebhook},
		{validDomain, platformv1alpha1.AnnotationRecheckDomain, msgRecheckDomain},
	} {
		for _, v := range oneShotValues(oneShot.key, oneShot.msg) {
			cases = append(cases, annotationCase{oneShot.manifest, v.key, v.value, v.want})
		}
	}
	// A one-shot annotation on a kind that does not read it is not checked.
	cases = append(cases, annotationCase{validDomain, platformv1alpha1.AnnotationTestWebhook, strings.Repeat("t", 65), ""})

	var out []TableEntry
	for _, c := range cases {
		if (c.want == "") != accepted {
			continue
		}
		kind := mustOne(c.manifest).GetKind()
		key := strings.TrimPrefix(c.key, "platform.enterprise-operator.dev/")
		out = append(out, Entry(fmt.Sprintf("%s %s=%s (%d characters)", kind, key, strconv.Quote(truncate(c.value, 40)), len(c.value)), c))
	}
	return out
}

// truncate keeps an entry's description short (its value may be 129 characters).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var _ = Describe("the annotation policy (config/policy)", func() {
	DescribeTable("refuses a bad value with a message naming the annotation and its form",
		func(c annotationCase) {
			u := annotated(c.manifest, c.key, c.value)
			err := k8sClient.Create(ctx, u, client.DryRunAll)
			Expect(err).To(HaveOccurred(), "the API server accepted %s=%q on a %s", c.key, c.value, u.GetKind())
			GinkgoWriter.Println(err.Error())
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected 422 Invalid, got: %v", err)
			Expect(err.Error()).To(HaveSuffix("denied request: " + c.want))
		},
		annotationEntries(false),
	)

	DescribeTable("accepts a good value",
		func(c annotationCase) {
			Expect(k8sClient.Create(ctx, annotated(c.manifest, c.key, c.value), client.DryRunAll)).To(Succeed())
		},
		annotationEntries(true),
	)
})

// The operator's own writes, and any edit that leaves an annotation alone, must pass
// even when the object carries a value the policy would refuse: one stored before the
// policy was installed. The spec removes the binding for a moment, so it runs alone.
var _ = Describe("the annotation policy and values stored before it", Serial, func() {
	It("checks only what a request adds or changes", func() {
		binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: bindingName}, binding)).To(Succeed())
		restore := binding.DeepCopy()
		restore.ResourceVersion, restore.UID = "", ""
		Expect(k8sClient.Delete(ctx, binding)).To(Succeed())
		DeferCleanup(func() {
			if err := k8sClient.Create(ctx, restore.DeepCopy()); !apierrors.IsAlreadyExists(err) {
				Expect(err).NotTo(HaveOccurred())
			}
			waitPolicyEnforced(true)
		})
		waitPolicyEnforced(false)

		u := annotated(validEnterpriseRole, platformv1alpha1.AnnotationResyncInterval, "10 minutes")
		Expect(k8sClient.Create(ctx, u)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })

		Expect(k8sClient.Create(ctx, restore.DeepCopy())).To(Succeed())
		waitPolicyEnforced(true)

		// What the operator writes: its finalizer and create-pending.
		u.SetFinalizers([]string{platformv1alpha1.Finalizer})
		a := u.GetAnnotations()
		a[platformv1alpha1.AnnotationCreatePending] = "2024-01-01T00:00:00Z"
		u.SetAnnotations(a)
		Expect(k8sClient.Update(ctx, u)).To(Succeed())
		// A user's edit of the spec and of another annotation.
		Expect(unstructured.SetNestedField(u.Object, "Auditors of record", "spec", "description")).To(Succeed())
		a[platformv1alpha1.AnnotationPaused] = "true"
		u.SetAnnotations(a)
		Expect(k8sClient.Update(ctx, u)).To(Succeed())

		// A new bad value is refused; a good one, or none, is fine.
		a[platformv1alpha1.AnnotationResyncInterval] = "ten minutes"
		u.SetAnnotations(a)
		err := k8sClient.Update(ctx, u)
		Expect(err).To(MatchError(HaveSuffix("denied request: " + msgResyncInterval)))
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(u), u)).To(Succeed())
		a = u.GetAnnotations()
		a[platformv1alpha1.AnnotationResyncInterval] = "10m"
		u.SetAnnotations(a)
		Expect(k8sClient.Update(ctx, u)).To(Succeed())
		delete(a, platformv1alpha1.AnnotationResyncInterval)
		u.SetAnnotations(a)
		Expect(k8sClient.Update(ctx, u)).To(Succeed())

		u.SetFinalizers(nil)
		Expect(k8sClient.Update(ctx, u)).To(Succeed())
	})
})
