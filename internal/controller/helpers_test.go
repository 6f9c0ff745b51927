package controller

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
)

// quiet is how long Consistently watches for unwanted platform calls: more than two
// resync periods of the suite.
const quiet = 5 * time.Second

// platformClient is a platform client of its own (the same credential as the
// operator), used to pre-create objects the operator then adopts.
func platformClient() platform.Client {
	GinkgoHelper()
	c, err := platform.New(platform.Config{
		BaseURL: sim.URL(), Auth: platform.Auth{BearerToken: simToken},
		RequestsPerSecond: 100, Burst: 100, UserAgent: "controller-test",
	})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// opCalls sums the simulator's call counts of the given operationIds.
func opCalls(ops ...string) int {
	calls := sim.Calls()
	n := 0
	for _, op := range ops {
		n += calls[op]
	}
	return n
}

// sha is the hex SHA-256 the simulator shows for passwords and signing secrets.
func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// ensureSecret creates a Secret with one key unless it exists, labelled so the operator
// may read it (platform.enterprise-operator.dev/secret=true): it is a Secret a person
// made for the operator.
func ensureSecret(ns, name, key, value string) {
	GinkgoHelper()
	err := k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: optInLabels()},
		Data:       map[string][]byte{key: []byte(value)},
	})
	if !apierrors.IsAlreadyExists(err) {
		Expect(err).NotTo(HaveOccurred())
	}
}

// secretValue reads one key of a Secret ("" when the Secret or key is missing).
func secretValue(ns, name, key string) string {
	s := &corev1.Secret{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s); err != nil {
		return ""
	}
	return string(s.Data[key])
}

// managedStatus reads obj and returns its shared status.
func managedStatus(obj managed.Object) *v1alpha1.ManagedResourceStatus {
	GinkgoHelper()
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	return obj.GetManagedStatus()
}

// deleteAndWait deletes obj and waits until it is gone (its finalizer released).
func deleteAndWait(obj client.Object) {
	GinkgoHelper()
	Expect(client.IgnoreNotFound(k8s.Delete(ctx, obj))).To(Succeed())
	waitGone(obj)
}

// cleanup deletes obj at the end of the spec, so nothing keeps calling the platform.
func cleanup(obj client.Object) {
	DeferCleanup(func() {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return
		}
		if obj.GetAnnotations()[v1alpha1.AnnotationPaused] != "" {
			annotate(obj, v1alpha1.AnnotationPaused, "")
		}
		deleteAndWait(obj)
	})
}

func objKey(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }

// statusJSON is obj's status as JSON, re-read from the API server.
func statusJSON(obj client.Object) string {
	GinkgoHelper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvkOf(obj))
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), u)).To(Succeed())
	b, err := json.Marshal(u.Object["status"])
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

func gvkOf(obj client.Object) schema.GroupVersionKind {
	GinkgoHelper()
	gvk, err := k8s.GroupVersionKindFor(obj)
	Expect(err).NotTo(HaveOccurred())
	return gvk
}

// managedObject is any platform-backed custom resource.
type managedObject = managed.Object

// optInLabels are the labels of a Secret the operator may read for any object: it is
// watched (so it wakes the objects that wait for it) and its value may be sent to the
// platform.
func optInLabels() map[string]string {
	return map[string]string{v1alpha1.LabelSecret: v1alpha1.LabelSecretOptIn}
}
