package controller

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

// annotationBinding names the binding of the annotation policy (config/policy) as
// config/default renders it.
const annotationBinding = "enterprise-operator-annotations"

// msgPausedForm is the policy's message for a paused value other than true|false.
const msgPausedForm = `platform.enterprise-operator.dev/paused must be "true" or "false"`

// waitAnnotationPolicy waits until the API server does (or does not) refuse a bad
// annotation: a policy or binding reaches the admission plugin a moment after it is
// written.
func waitAnnotationPolicy(enforced bool) {
	GinkgoHelper()
	probe := func() error {
		r := newRole("default", "none", "probe-"+testenv.RandHex(3), "probe")
		r.Annotations = map[string]string{v1alpha1.AnnotationPaused: "yes"}
		return k8s.Create(ctx, r, client.DryRunAll)
	}
	if enforced {
		Eventually(probe, eventuallyTO, 100*time.Millisecond).Should(MatchError(ContainSubstring(msgPausedForm)))
	} else {
		Eventually(probe, eventuallyTO, 100*time.Millisecond).Should(Succeed())
	}
}

var _ = Describe("The annotation admission policy", Serial, func() {
	It("is enforced in this suite", func() {
		ent := readyEnterprise()
		r := newRole(ent.Namespace, ent.Name, "resync-words", "resync-words")
		r.Annotations = map[string]string{v1alpha1.AnnotationResyncInterval: "10 minutes"}
		err := k8s.Create(ctx, r)
		if err == nil {
			cleanup(r)
		}
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected the policy to refuse it, got %v", err)
		Expect(err.Error()).To(HaveSuffix("denied request: platform.enterprise-operator.dev/resync-interval must be a Go duration of at least 5s, such as 30s, 10m or 1h30m"))
	})

	// An object may carry a value the policy refuses, stored before the policy was
	// installed. Every write the operator makes to it (finalizer, create-pending,
	// status, the finalizer's release) must still pass.
	It("lets the operator reconcile and delete an object whose annotation predates it", func() {
		binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: annotationBinding}, binding)).To(Succeed())
		restore := binding.DeepCopy()
		restore.ObjectMeta = metav1.ObjectMeta{Name: binding.Name, Labels: binding.Labels}
		Expect(k8s.Delete(ctx, binding)).To(Succeed())
		DeferCleanup(func() {
			if err := k8s.Create(ctx, restore.DeepCopy()); !apierrors.IsAlreadyExists(err) {
				Expect(err).NotTo(HaveOccurred())
			}
			waitAnnotationPolicy(true)
		})
		waitAnnotationPolicy(false)

		ent := readyEnterprise()
		r := newRole(ent.Namespace, ent.Name, "predates-policy", "predates-policy")
		r.Annotations = map[string]string{v1alpha1.AnnotationResyncInterval: "10 minutes"}
		// Paused until the policy is back, so every write of the operator meets it.
		r.Annotations[v1alpha1.AnnotationPaused] = "true"
		Expect(k8s.Create(ctx, r)).To(Succeed())
		cleanup(r)

		Expect(k8s.Create(ctx, restore.DeepCopy())).To(Succeed())
		waitAnnotationPolicy(true)

		annotate(r, v1alpha1.AnnotationPaused, "")
		waitReady(r)
		Expect(r.Finalizers).To(ContainElement(v1alpha1.Finalizer))
		Expect(r.Annotations).To(HaveKey(v1alpha1.AnnotationCreatePending))
		Expect(r.Annotations).To(HaveKeyWithValue(v1alpha1.AnnotationResyncInterval, "10 minutes"))
		deleteAndWait(r)
	})
})
