package controller

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
)

// The README's recipe for rebuilding a cluster from Git: the objects come back with
// new UIDs, the Enterprise carrying its id in the external-id annotation, and the
// operator adopts the whole tenant instead of creating a second one. Git holds the
// namespace too, and the enterprise's ownership record names it: the same manifests
// applied in any other namespace adopt nothing.
var _ = Describe("rebuilding a cluster from Git", func() {
	kinds := allChildKinds()
	createOps := []string{"createEnterprise"}
	for _, k := range kinds {
		createOps = append(createOps, k.createOp)
	}
	orphan := func(o managed.Object) { o.GetManagedSpec().DeletionPolicy = v1alpha1.DeletionPolicyOrphan }

	// oldCluster runs a tenant, then loses its objects (Orphan): the platform keeps
	// the tenant. It returns the old Enterprise, the natural keys and ids by kind.
	oldCluster := func() (*v1alpha1.Enterprise, map[string]string, map[string]string) {
		GinkgoHelper()
		By("running the tenant on the old cluster")
		old := newEnterprise(newTenant(), "rebuilt")
		orphan(old)
		Expect(k8s.Create(ctx, old)).To(Succeed())
		waitReady(old)
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
		Expect(enterpriseExists(old.Status.ExternalID)).To(BeTrue())
		return old, keys, ids
	}

	// fromGit applies the tenant's manifests in ns.
	fromGit := func(old *v1alpha1.Enterprise, ns string, keys map[string]string) (*v1alpha1.Enterprise, []managed.Object) {
		GinkgoHelper()
		ent := newEnterprise(ns, "rebuilt")
		ent.Spec.OrganizationID = old.Spec.OrganizationID
		ent.Annotations = map[string]string{v1alpha1.AnnotationExternalID: old.Status.ExternalID}
		Expect(k8s.Create(ctx, ent)).To(Succeed())
		cleanup(ent)
		var objs []managed.Object
		for _, k := range kinds {
			obj := k.newObj(ns, ent.Name, strings.ToLower(k.kind), keys[k.kind])
			Expect(k8s.Create(ctx, obj)).To(Succeed())
			cleanup(obj)
			objs = append(objs, obj)
		}
		return ent, objs
	}

	It("adopts the tenant's platform objects instead of creating them again", func() {
		old, keys, ids := oldCluster()
		entID := old.Status.ExternalID
		created := opCalls(createOps...)

		By("applying the same manifests from Git to the new cluster, in the same namespace")
		ent, objs := fromGit(old, old.Namespace, keys)
		waitReady(ent)
		Expect(ent.Status.ExternalID).To(Equal(entID))
		for i, k := range kinds {
			waitReady(objs[i])
			Expect(objs[i].GetManagedStatus().ExternalID).To(Equal(ids[k.kind]), "%s adopted by its natural key", k.kind)
		}
		Expect(opCalls(createOps...)).To(Equal(created), "nothing was created on the platform")
		Expect(countOrg(ent.Spec.OrganizationID)).To(Equal(1))
	})

	It("adopts nothing when the same manifests are applied in another namespace", func() {
		old, keys, _ := oldCluster()
		entID := old.Status.ExternalID
		created := opCalls(createOps...)
		state := platformJSON(entID)

		By("applying the tenant's manifests in a namespace of another tenant")
		ent, objs := fromGit(old, newTenant(), keys)
		waitCondition(ent, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonAdoptionDenied)
		Expect(ent.Status.ExternalID).To(BeEmpty())
		Expect(conditionOf(ent, v1alpha1.ConditionSynced).Message).NotTo(ContainSubstring(old.Namespace))
		for _, o := range objs {
			waitCondition(o, v1alpha1.ConditionSynced, metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency)
		}
		Expect(opCalls(createOps...)).To(Equal(created), "nothing was created on the platform")
		Expect(platformJSON(entID)).To(Equal(state), "nothing changed on the platform")
	})
})
