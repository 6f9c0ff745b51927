package controller

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
	"enterprise-operator/test/testenv"
)

func newGroup(ns, enterprise, name, groupName string) *v1alpha1.UserGroup {
	return &v1alpha1.UserGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.UserGroupSpec{
			EnterpriseRef: v1alpha1.LocalObjectReference{Name: enterprise},
			Name:          groupName, Description: "group " + groupName,
		},
	}
}

// groupState returns the simulator's group (zero when missing).
func groupState(entID, id string) platformsim.Group {
	for _, g := range enterpriseState(entID).Groups {
		if g.ID == id {
			return g
		}
	}
	return platformsim.Group{}
}

var groupKind = childKind{
	kind:     "UserGroup",
	createOp: "createEnterpriseGroup",
	writeOps: []string{"createEnterpriseGroup", "updateEnterpriseGroup", "deleteEnterpriseGroup",
		"addEnterpriseGroupMember", "removeEnterpriseGroupMember"},
	newObj: func(ns, ent, name, key string) managed.Object { return newGroup(ns, ent, name, key) },
	objects: func(entID string) map[string]string {
		out := map[string]string{}
		for _, g := range enterpriseState(entID).Groups {
			out[g.ID] = g.Name
		}
		return out
	},
	keyOf:       func(key string) string { return key },
	becomeReady: func(obj managed.Object) { waitReady(obj) },
	renamable:   true,
	edit: func(obj managed.Object) {
		obj.(*v1alpha1.UserGroup).Spec.Description = "edited description"
	},
	edited: func(entID, id string) bool { return groupState(entID, id).Description == "edited description" },
	drift: func(entID, id string) {
		Expect(sim.MutateGroup(entID, id, func(g *platformsim.Group) { g.ExternalReference = "hacked" })).To(Succeed())
	},
	drifted:    func(entID, id string) bool { return groupState(entID, id).ExternalReference == "hacked" },
	driftField: "externalReference",
	precreate: func(p platform.Client, _, entID, key string) string {
		g, err := p.CreateGroup(context.Background(), entID, platform.GroupSpec{Name: key, Description: "group " + key})
		Expect(err).NotTo(HaveOccurred())
		return g.ID
	},
}

var _ = describeChildKind(groupKind)

var _ = Describe("UserGroup membership", func() {
	It("follows spec.members and the memberSelector as users are labelled and relabelled", func() {
		ent := readyEnterprise()
		ns, entID := ent.Namespace, ent.Status.ExternalID
		alice := newUser(ns, ent.Name, "alice", "alice"+testenv.RandHex(3))
		alice.Labels = map[string]string{"team": "red"}
		bob := newUser(ns, ent.Name, "bob", "bob"+testenv.RandHex(3))
		bob.Labels = map[string]string{"team": "red"}
		carol := newUser(ns, ent.Name, "carol", "carol"+testenv.RandHex(3))
		for _, u := range []*v1alpha1.EnterpriseUser{alice, bob, carol} {
			Expect(k8s.Create(ctx, u)).To(Succeed())
		}
		for _, u := range []*v1alpha1.EnterpriseUser{alice, bob, carol} {
			waitReady(u)
		}

		g := newGroup(ns, ent.Name, "reds", "reds")
		g.Spec.Members = []v1alpha1.LocalObjectReference{{Name: "carol"}}
		g.Spec.MemberSelector = &v1alpha1.LabelSelector{MatchLabels: map[string]v1alpha1.LabelValue{"team": "red"}}
		Expect(k8s.Create(ctx, g)).To(Succeed())
		waitReady(g)
		id := g.Status.ExternalID
		members := func() []string { return groupState(entID, id).Members }
		Eventually(members, eventuallyTO, 100*time.Millisecond).Should(ConsistOf(
			alice.Status.ExternalID, bob.Status.ExternalID, carol.Status.ExternalID))
		Eventually(func() []string { Expect(k8s.Get(ctx, objKey(g), g)).To(Succeed()); return g.Status.Members }, eventuallyTO).
			Should(Equal([]string{"alice", "bob", "carol"}))
		Expect(g.Status.MemberCount).To(BeEquivalentTo(3))

		By("relabelling bob out of the selector")
		update(bob, func(u *v1alpha1.EnterpriseUser) { u.Labels["team"] = "blue" })
		Eventually(members, eventuallyTO, 100*time.Millisecond).Should(ConsistOf(alice.Status.ExternalID, carol.Status.ExternalID))
		Eventually(func() []string { Expect(k8s.Get(ctx, objKey(g), g)).To(Succeed()); return g.Status.Members }, eventuallyTO).
			Should(Equal([]string{"alice", "carol"}))
		Expect(g.Status.MemberCount).To(BeEquivalentTo(2))

		By("labelling bob back in")
		update(bob, func(u *v1alpha1.EnterpriseUser) { u.Labels["team"] = "red" })
		Eventually(members, eventuallyTO, 100*time.Millisecond).Should(ConsistOf(
			alice.Status.ExternalID, bob.Status.ExternalID, carol.Status.ExternalID))

		By("reverting membership drift made on the platform")
		Expect(sim.MutateGroup(entID, id, func(pg *platformsim.Group) { pg.Members = []string{carol.Status.ExternalID} })).To(Succeed())
		Eventually(members, eventuallyTO, 100*time.Millisecond).Should(ConsistOf(
			alice.Status.ExternalID, bob.Status.ExternalID, carol.Status.ExternalID))
	})
})
