package controller

import (
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"enterprise-operator/api/v1alpha1"
)

// secretValues are every credential and password the suite handed out or the
// operator wrote: the platform credentials, the rotated tokens, and every value of
// every Opaque Secret the tests or the operator created (user passwords, generated and
// temporary passwords, webhook signing secrets, tokens).
func secretValues() []string {
	GinkgoHelper()
	values := []string{simToken, simClientSecret}
	values = append(values, rotatedTokens...)
	list := &corev1.SecretList{}
	Expect(k8s.List(ctx, list)).To(Succeed())
	for _, s := range list.Items {
		if s.Type != corev1.SecretTypeOpaque && s.Type != "" {
			continue
		}
		for _, v := range s.Data {
			if len(v) >= 8 {
				values = append(values, string(v))
			}
		}
	}
	return values
}

// assertNoSecretLeaks scans the manager's logs, every Event and every object of the
// operator's kinds for any secret value. It runs in AfterSuite, after every spec and
// before the manager stops.
func assertNoSecretLeaks() {
	GinkgoHelper()
	values := secretValues()
	Expect(len(values)).To(BeNumerically(">", 2), "the suite wrote no Secret to look for")

	sources := map[string]string{"manager logs": logs.String()}
	Expect(sources["manager logs"]).NotTo(BeEmpty())

	dump := func(name string, list client.ObjectList) {
		GinkgoHelper()
		Expect(k8s.List(ctx, list)).To(Succeed())
		b, err := json.Marshal(list)
		Expect(err).NotTo(HaveOccurred())
		sources[name] = string(b)
	}
	dump("events.k8s.io/v1 Events", &eventsv1.EventList{})
	dump("core/v1 Events", &corev1.EventList{})
	Expect(sources["events.k8s.io/v1 Events"]).To(ContainSubstring(`"reason":"Deleted"`), "the operator records events")
	dump("PlatformConfigs", &v1alpha1.PlatformConfigList{})
	dump("Enterprises", &v1alpha1.EnterpriseList{})
	dump("EnterpriseUsers", &v1alpha1.EnterpriseUserList{})
	dump("UserGroups", &v1alpha1.UserGroupList{})
	dump("Domains", &v1alpha1.DomainList{})
	dump("Webhooks", &v1alpha1.WebhookList{})
	dump("EnterpriseRoles", &v1alpha1.EnterpriseRoleList{})

	for name, text := range sources {
		for _, v := range values {
			Expect(strings.Contains(text, v)).To(BeFalse(), "a secret value (%d bytes) appears in %s", len(v), name)
		}
	}
}
