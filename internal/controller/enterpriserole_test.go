package controller

import (
	"context"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	. "github.com/onsi/gomega"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/platform"
	"enterprise-operator/internal/platformsim"
)

func newRole(ns, enterprise, name, roleName string) *v1alpha1.EnterpriseRole {
	return &v1alpha1.EnterpriseRole{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.EnterpriseRoleSpec{
			EnterpriseRef: v1alpha1.LocalObjectReference{Name: enterprise},
			Name:          roleName, Description: "role " + roleName, Permissions: []string{"users:read"},
		},
	}
}

// roleState returns the simulator's role (zero when missing).
func roleState(entID, id string) platformsim.Role {
	for _, r := range enterpriseState(entID).Roles {
		if r.ID == id {
			return r
		}
	}
	return platformsim.Role{}
}

var roleKind = childKind{
	kind:     "EnterpriseRole",
	createOp: "createEnterpriseRole",
	writeOps: []string{"createEnterpriseRole", "updateEnterpriseRole", "deleteEnterpriseRole"},
	newObj: func(ns, ent, name, key string) managed.Object {
		return newRole(ns, ent, name, key)
	},
	objects: func(entID string) map[string]string {
		out := map[string]string{}
		for _, r := range enterpriseState(entID).Roles {
			out[r.ID] = r.Name
		}
		return out
	},
	keyOf:       func(key string) string { return key },
	becomeReady: func(obj managed.Object) { waitReady(obj) },
	renamable:   true,
	edit: func(obj managed.Object) {
		obj.(*v1alpha1.EnterpriseRole).Spec.Permissions = []string{"users:read", "users:write"}
	},
	edited: func(entID, id string) bool {
		return slices.Contains(roleState(entID, id).Permissions, "users:write")
	},
	drift: func(entID, id string) {
		Expect(sim.MutateRole(entID, id, func(r *platformsim.Role) { r.Permissions = []string{"admin:all"} })).To(Succeed())
	},
	drifted: func(entID, id string) bool {
		return slices.Contains(roleState(entID, id).Permissions, "admin:all")
	},
	driftField: "permissions",
	precreate: func(p platform.Client, _, entID, key string) string {
		r, err := p.CreateRole(context.Background(), entID, platform.RoleSpec{
			Name: key, Description: "role " + key, Permissions: []string{"users:read"},
		})
		Expect(err).NotTo(HaveOccurred())
		return r.ID
	},
}

var _ = describeChildKind(roleKind)
