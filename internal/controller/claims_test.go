package controller

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

// The claims index has two implementations: an index of the kind's informer when the
// cache watches every namespace, and controller-runtime's field index when it watches
// some (--watch-namespaces), whose cache has no single informer to index. Both must
// find the same competitors, and neither may reach into another namespace.
var _ = Describe("the claims index", func() {
	DescribeTable("finds the objects claiming a natural key, in the claimant's namespace only",
		func(watch func(a, b string) []string) {
			a, b := newNamespace(nil), newNamespace(nil)
			var claims kindClaims
			startCache(watch(a, b), func(c cache.Cache) {
				var err error
				claims, err = registerClaims(ctx, c)
				Expect(err).NotTo(HaveOccurred())
			})

			// None of these reach the platform: their Enterprise does not exist.
			name := "claim-" + testenv.RandHex(4)
			first := newUser(a, "ent-"+name, name+"-1", name)
			second := newUser(a, "ent-"+name, name+"-2", name)
			elsewhere := newUser(b, "ent-"+name, name+"-3", name)
			// A user whose claim shares first's index bucket but is another claim.
			bucket := claimBucket(claimValue("ent-"+name, "key", userKey(first)))
			var neighbour *v1alpha1.EnterpriseUser
			for i := 0; neighbour == nil; i++ {
				u := newUser(a, "ent-"+name, fmt.Sprintf("%s-n%d", name, i), fmt.Sprintf("%s-n%d", name, i))
				if claimBucket(claimValue("ent-"+name, "key", userKey(u))) == bucket {
					neighbour = u
				}
			}
			for _, u := range []*v1alpha1.EnterpriseUser{first, second, elsewhere, neighbour} {
				Expect(k8s.Create(ctx, u)).To(Succeed())
				DeferCleanup(func() { Expect(client.IgnoreNotFound(k8s.Delete(ctx, u))).To(Succeed()) })
			}
			competitors := func(u *v1alpha1.EnterpriseUser) func() []string {
				return func() []string {
					got, err := claims.users.Competitors(ctx, u, "")
					Expect(err).NotTo(HaveOccurred())
					var out []string
					for _, o := range got {
						out = append(out, o.Namespace+"/"+o.Name)
					}
					return out
				}
			}
			Eventually(competitors(first), eventuallyTO).Should(ConsistOf(a + "/" + second.Name))
			Expect(competitors(second)()).To(ConsistOf(a + "/" + first.Name))
			Expect(competitors(elsewhere)()).To(BeEmpty(), "the same key in another namespace does not compete")
			Expect(competitors(neighbour)()).To(BeEmpty(), "another key in the same index bucket does not compete")
		},
		Entry("a cache of every namespace (the informer's own index)", func(string, string) []string { return nil }),
		Entry("a cache of some namespaces (controller-runtime's field index)", func(a, b string) []string { return []string{a, b} }),
	)
})
