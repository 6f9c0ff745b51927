package crd_test

import (
	"fmt"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
)

// kubectl prints the object's name first, as NAME: a column of the same name (a kind's
// spec.name) read as a second NAME column. `-o wide` adds the priority-1 columns: the
// Enterprise (or PlatformConfig) an object belongs to and why it is or is not Ready.
var _ = Describe("kubectl get columns of the installed CRDs", func() {
	DescribeTable("one NAME column, and -o wide adds the owner and Ready's reason",
		func(plural string, want []string) {
			s := runtime.NewScheme()
			Expect(apiextensionsv1.AddToScheme(s)).To(Succeed())
			c, err := client.New(env.Config, client.Options{Scheme: s})
			Expect(err).NotTo(HaveOccurred())
			crd := &apiextensionsv1.CustomResourceDefinition{}
			Expect(c.Get(ctx, client.ObjectKey{Name: plural + "." + v1alpha1.GroupVersion.Group}, crd)).To(Succeed())
			var got []string
			for _, col := range crd.Spec.Versions[0].AdditionalPrinterColumns {
				got = append(got, fmt.Sprintf("%s:%d", col.Name, col.Priority))
			}
			Expect(cmp.Diff(want, got)).To(BeEmpty(), "columns (-want +got) of %s", plural)
		},
		Entry("Enterprise", "enterprises", []string{"READY:0", "SYNCED:0", "ORGANIZATION:0", "EXTERNAL-ID:0", "AGE:0", "PLATFORMCONFIG:1", "REASON:1"}),
		Entry("EnterpriseUser", "enterpriseusers", []string{"READY:0", "SYNCED:0", "USERNAME:0", "STATE:0", "EXTERNAL-ID:0", "AGE:0", "ENTERPRISE:1", "REASON:1"}),
		Entry("UserGroup", "usergroups", []string{"READY:0", "SYNCED:0", "DISPLAY-NAME:0", "MEMBERS:0", "EXTERNAL-ID:0", "AGE:0", "ENTERPRISE:1", "REASON:1"}),
		Entry("EnterpriseRole", "enterpriseroles", []string{"READY:0", "SYNCED:0", "DISPLAY-NAME:0", "EXTERNAL-ID:0", "AGE:0", "ENTERPRISE:1", "REASON:1"}),
		Entry("Domain", "domains", []string{"READY:0", "SYNCED:0", "DOMAIN:0", "VERIFIED:0", "EXTERNAL-ID:0", "AGE:0", "ENTERPRISE:1", "REASON:1"}),
		Entry("Webhook", "webhooks", []string{"READY:0", "SYNCED:0", "URL:0", "ACTIVE:0", "TEST:0", "EXTERNAL-ID:0", "AGE:0", "ENTERPRISE:1", "REASON:1"}),
		Entry("PlatformConfig", "platformconfigs", []string{"READY:0", "SYNCED:0", "BASE-URL:0", "AGE:0", "REASON:1"}),
	)
})
