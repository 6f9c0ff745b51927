package crd_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// op is what an invalid case asks the API server to do.
type op int

const (
	opCreate       op = iota // create the mutated manifest
	opUpdate                 // create the valid manifest, then update it with the mutations
	opStatusUpdate           // create the valid manifest, then update its status subresource
)

type invalidCase struct {
	op        op
	manifest  string
	mutations []mutation
	want      string
}

func rejectCreate(manifest, want string, m ...mutation) invalidCase {
	return invalidCase{op: opCreate, manifest: manifest, mutations: m, want: want}
}

func rejectUpdate(manifest, want string, m ...mutation) invalidCase {
	return invalidCase{op: opUpdate, manifest: manifest, mutations: m, want: want}
}

func rejectStatusUpdate(manifest, want string, m ...mutation) invalidCase {
	return invalidCase{op: opStatusUpdate, manifest: manifest, mutations: m, want: want}
}

var _ = Describe("validation of the CRDs", func() {
	DescribeTable("rejects invalid manifests with a message a person can act on",
		func(c invalidCase) {
			u := mustOne(c.manifest)
			intoNamespace(u)

			var err error
			switch c.op {
			case opCreate:
				for _, m := range c.mutations {
					m(u)
				}
				err = k8sClient.Create(ctx, u)
			case opUpdate, opStatusUpdate:
				Expect(k8sClient.Create(ctx, u)).To(Succeed(), "the valid starting manifest was rejected")
				DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
				for _, m := range c.mutations {
					m(u)
				}
				if c.op == opUpdate {
					err = k8sClient.Update(ctx, u)
				} else {
					err = k8sClient.Status().Update(ctx, u)
				}
			}
			if err == nil {
				DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
			}
			Expect(err).To(HaveOccurred(), "the API server accepted an invalid %s", u.GetKind())
			GinkgoWriter.Println(err.Error())
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected 422 Invalid, got: %v", err)
			Expect(err.Error()).To(ContainSubstring(c.want))
		},

		platformConfigRejections(),
		enterpriseRejections(),
	)

	DescribeTable("accepts valid manifests",
		func(manifest string, m ...mutation) {
			u := mustOne(manifest)
			intoNamespace(u)
			for _, f := range m {
				f(u)
			}
			Expect(k8sClient.Create(ctx, u)).To(Succeed())
			DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
		},
		Entry("PlatformConfig with a bearer token", validPlatformConfig),
		Entry("PlatformConfig with oauth2", validPlatformConfigOAuth2),
		Entry("PlatformConfig over http to localhost", validPlatformConfig, set("spec.baseURL", "http://localhost:8089")),
		Entry("PlatformConfig over http to 127.0.0.1", validPlatformConfig, set("spec.baseURL", "http://127.0.0.1:8089/v1")),
		Entry("PlatformConfig over http to [::1]", validPlatformConfig, set("spec.baseURL", "http://[::1]:8089")),
		Entry("PlatformConfig with an oauth2 token URL on loopback", validPlatformConfigOAuth2,
			set("spec.auth.oauth2.tokenURL", "http://127.0.0.1:8089/connect/token")),
		Entry("PlatformConfig with a namespaceSelector", validPlatformConfig,
			set("spec.namespaceSelector", map[string]any{"matchLabels": map[string]any{"tenant": "true"}})),
		Entry("PlatformConfig granting adoption to selected namespaces", validPlatformConfig,
			set("spec.adoption", map[string]any{"policy": "NamespaceSelector",
				"namespaceSelector": map[string]any{"matchLabels": map[string]any{"adopt": "true"}}})),
		Entry("PlatformConfig granting no adoption", validPlatformConfig, set("spec.adoption", map[string]any{"policy": "None"})),
		Entry("Enterprise", validEnterprise),
		Entry("Enterprise without companyID", validEnterprise, del("spec.companyID")),
		Entry("EnterpriseUser", validEnterpriseUser),
		Entry("EnterpriseUser with only a mobile number", validEnterpriseUser, del("spec.email"), set("spec.mobile", "+44 (20) 7946-0958")),
		Entry("EnterpriseUser with only a phone number", validEnterpriseUser, del("spec.email"), set("spec.phone", "030/1234.5678")),
		Entry("UserGroup", validUserGroup),
		Entry("UserGroup with neither members nor selector", validUserGroup, del("spec.members"), del("spec.memberSelector")),
		Entry("Domain", validDomain),
		Entry("Domain with hyphens and digits", validDomain, set("spec.domainName", "mail-01.acme-corp.co.uk")),
		Entry("Webhook", validWebhook),
		Entry("Webhook paused", validWebhook, set("spec.active", false)),
		Entry("EnterpriseRole", validEnterpriseRole),
		Entry("EnterpriseRole without permissions", validEnterpriseRole, del("spec.permissions")),
	)

	It("lets companyID be set on an Enterprise that had none", func() {
		u := mustOne(validEnterprise)
		intoNamespace(u)
		unstructured.RemoveNestedField(u.Object, "spec", "companyID")
		Expect(k8sClient.Create(ctx, u)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
		Expect(unstructured.SetNestedField(u.Object, "xC5kfGz7w2Nz", "spec", "companyID")).To(Succeed())
		Expect(k8sClient.Update(ctx, u)).To(Succeed())
	})

	It("lets mutable fields change", func() {
		u := mustOne(validEnterpriseUser)
		intoNamespace(u)
		Expect(k8sClient.Create(ctx, u)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, u))).To(Succeed()) })
		Expect(unstructured.SetNestedField(u.Object, "Carla", "spec", "firstName")).To(Succeed())
		Expect(unstructured.SetNestedField(u.Object, true, "spec", "suspended")).To(Succeed())
		Expect(k8sClient.Update(ctx, u)).To(Succeed())
	})
})
