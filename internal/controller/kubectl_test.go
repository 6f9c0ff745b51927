package controller

import (
	"os/exec"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/test/testenv"
)

var _ = Describe("kubectl wait", func() {
	It("waits for condition=Ready on every kind", func() {
		path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
		Expect(testEnv.WriteKubeconfig("admin", path)).To(Succeed())
		kubectl := testEnv.Kubectl
		Expect(kubectl).To(BeAnExistingFile())

		ns := newTenant()
		e := newEnterprise(ns, "waited")
		Expect(k8s.Create(ctx, e)).To(Succeed())
		role := newRole(ns, e.Name, "waited-role", "waited-role")
		user := newUser(ns, e.Name, "waited-user", "waited"+testenv.RandHex(3))
		group := newGroup(ns, e.Name, "waited-group", "waited-group")
		hookObj := newWebhook(ns, e.Name, "waited-hook", "waited-hook")
		domain := newDomain(ns, e.Name, "waited-domain", newKey())
		for _, o := range []managedObject{role, user, group, hookObj, domain} {
			Expect(k8s.Create(ctx, o)).To(Succeed())
		}
		publishRecord(domain)

		wait := func(args ...string) {
			GinkgoHelper()
			cmd := exec.Command(kubectl, append([]string{"--kubeconfig", path, "wait", "--for=condition=Ready", "--timeout=60s"}, args...)...)
			out, err := cmd.CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), "kubectl wait %v: %s", args, out)
			Expect(string(out)).To(ContainSubstring("condition met"))
		}
		wait("platformconfig/" + configName)
		for _, ref := range []string{"enterprise/waited", "enterpriserole/waited-role", "enterpriseuser/waited-user",
			"usergroup/waited-group", "webhook/waited-hook", "domain/waited-domain"} {
			wait(ref, "-n", ns)
		}

		By("timing out on an object that is not Ready")
		broken := newUser(ns, "absent", "waited-broken", "broken"+testenv.RandHex(3))
		Expect(k8s.Create(ctx, broken)).To(Succeed())
		out, err := exec.Command(kubectl, "--kubeconfig", path, "wait", "--for=condition=Ready", "--timeout=2s",
			"enterpriseuser/waited-broken", "-n", ns).CombinedOutput()
		Expect(err).To(HaveOccurred(), "%s", out)
		Expect(conditionOf(managedUser(broken), v1alpha1.ConditionReady)).NotTo(BeNil())
	})
})
