package crd_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	platformv1alpha1 "enterprise-operator/api/v1alpha1"
)

var samplesDir = filepath.Join(repoRoot, "config", "samples")

// sampleFiles lists the sample manifests (every YAML file but kustomization.yaml).
func sampleFiles() []string {
	entries, err := os.ReadDir(samplesDir)
	Expect(err).NotTo(HaveOccurred())
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == "kustomization.yaml" || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		files = append(files, name)
	}
	sort.Strings(files)
	return files
}

var _ = Describe("the samples in config/samples", Ordered, func() {
	// The samples get a namespace of their own: the README examples carry the
	// same labels, and the label query below must see the samples only.
	var samplesNS string
	BeforeAll(func() { samplesNS = ownNamespace("crd-samples-") })

	It("are listed in config/samples/kustomization.yaml", func() {
		data, err := os.ReadFile(filepath.Join(samplesDir, "kustomization.yaml"))
		Expect(err).NotTo(HaveOccurred())
		var k struct {
			Resources []string `json:"resources"`
		}
		Expect(yaml.Unmarshal(data, &k)).To(Succeed())
		Expect(k.Resources).To(ConsistOf(sampleFiles()))
	})

	It("cover every kind and are all accepted by the API server", func() {
		kinds := map[string]bool{}
		for _, file := range sampleFiles() {
			objs := decodeFile(filepath.Join(samplesDir, file))
			Expect(objs).NotTo(BeEmpty(), file)
			for _, u := range objs {
				Expect(u.GetNamespace()).To(BeEmpty(), "%s: samples carry no namespace", file)
				Expect(u.GroupVersionKind().GroupVersion()).To(Equal(platformv1alpha1.GroupVersion), file)
				kinds[u.GetKind()] = true

				intoNamespaceNamed(u, samplesNS)
				By("server-side applying " + file + " " + u.GetKind() + "/" + u.GetName())
				Expect(k8sClient.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), fieldOwner, client.ForceOwnership)).
					To(Succeed(), "%s %s/%s was rejected", file, u.GetKind(), u.GetName())

				got := &unstructured.Unstructured{}
				got.SetGroupVersionKind(u.GroupVersionKind())
				Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(u), got)).To(Succeed())
				Expect(got.Object["spec"]).NotTo(BeNil())
			}
		}
		Expect(kinds).To(HaveLen(7))
		for _, kind := range []string{"PlatformConfig", "Enterprise", "EnterpriseUser", "UserGroup", "Domain", "Webhook", "EnterpriseRole"} {
			Expect(kinds).To(HaveKey(kind))
		}
	})

	It("get their defaults from the API server", func() {
		// The previous spec applied them; read a few back through the typed API.
		pc := &platformv1alpha1.PlatformConfig{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: "demo-platform"}, pc)).To(Succeed())
		Expect(pc.Spec.CompanyIDHeader).To(Equal(platformv1alpha1.DefaultCompanyIDHeader))
		Expect(pc.Spec.RateLimit.RequestsPerSecond).To(BeEquivalentTo(10))
		Expect(pc.Spec.RateLimit.Burst).To(BeEquivalentTo(20))

		ent := &platformv1alpha1.Enterprise{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: samplesNS, Name: "acme"}, ent)).To(Succeed())
		Expect(ent.Spec.DeletionPolicy).To(Equal(platformv1alpha1.DeletionPolicyDelete))
		Expect(ent.Spec.ManagementPolicy).To(Equal(platformv1alpha1.ManagementPolicyFull))

		wh := &platformv1alpha1.Webhook{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: samplesNS, Name: "acme-audit"}, wh)).To(Succeed())
		Expect(wh.Spec.Active).NotTo(BeNil())
		Expect(*wh.Spec.Active).To(BeTrue())

		alice := &platformv1alpha1.EnterpriseUser{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: samplesNS, Name: "alice"}, alice)).To(Succeed())
		Expect(alice.Spec.RoleRefs).To(ConsistOf(platformv1alpha1.LocalObjectReference{Name: "acme-admins"}))
		Expect(alice.Labels).To(HaveKeyWithValue("team", "platform"))

		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(schema.GroupVersionKind{Group: platformv1alpha1.GroupVersion.Group, Version: "v1alpha1", Kind: "EnterpriseUserList"})
		Expect(k8sClient.List(ctx, list, client.InNamespace(samplesNS), client.MatchingLabels{"team": "platform"})).To(Succeed())
		Expect(list.Items).To(HaveLen(2))
	})
})
