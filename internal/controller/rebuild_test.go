package controller

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
)

// The README's recipe for rebuilding a cluster from Git: the objects come back with
// new UIDs, the Enterprise carrying its id in the external-id annotation, and the
// operator adopts the whole tenant instead of creating a second one.
var _ = Describe("rebuilding a cluster from Git", func() {
	It("adopts the tenant's platform objects instead of creating them again", func() {
		kinds := allChildKinds()
		createOps := []string{"createEnterprise"}
		for _, k := range kinds {
			createOps = append(createOps, k.createOp)
		}
		orphan := func(o managed.Object) { o.GetManagedSpec().DeletionPolicy = v1alpha1.DeletionPolicyOrphan }

		By("running the tenant on the old cluster")
		old := newEnterprise(newTenant(), "rebuilt")
		orphan(old)
		Expect(k8s.Create(ctx, old)).To(Succeed())
		waitReady(old)
		entID := old.Status.ExternalID
		keys := map[string]string{}
		ids := map[string]string{}
		var oldObjs []managed.Object
		for _, k := range kinds {
			keys[k.kind] = newKey()
			obj := k.newObj(old.Namespace, old.Name, strings.ToLower(k.kind), keys[k.kind])
			orphan(obj)
			Expect(k8s.Create(ctx, obj)).To(Succeed())
			k.becomeReady(obj)
			ids[k.kind] = obj.GetManagedStatus().ExternalID
			oldObjs = append(oldObjs, obj)
		}

		By("losing the old cluster (its objects go, the platform keeps the tenant)")
		for _, obj := range append(oldObjs, old) {
			deleteAndWait(obj)
		}
		Expect(enterpriseExists(entID)).To(BeTrue())
		created := opCalls(createOps...)

		By("applying the same manifests from Git to the new cluster")
		ent := newEnterprise(newTenant(), "rebuilt")
		ent.Spec.OrganizationID = old.Spec.OrganizationID
		ent.Annotations = map[string]string{v1alpha1.AnnotationExternalID: entID}
		Expect(k8s.Create(ctx, ent)).To(Succeed())
		cleanup(ent)
		var objs []managed.Object
		for _, k := range kinds {
			obj := k.newObj(ent.Namespace, ent.Name, strings.ToLower(k.kind), keys[k.kind])
			Expect(k8s.Create(ctx, obj)).To(Succeed())
			cleanup(obj)
			objs = append(objs, obj)
		}
		waitReady(ent)
		Expect(ent.Status.ExternalID).To(Equal(entID))
		for i, k := range kinds {
			waitReady(objs[i])
			Expect(objs[i].GetManagedStatus().ExternalID).To(Equal(ids[k.kind]), "%s adopted by its natural key", k.kind)
		}
		Expect(opCalls(createOps...)).To(Equal(created), "nothing was created on the platform")
		Expect(countOrg(ent.Spec.OrganizationID)).To(Equal(1))
	})
})
