//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	"enterprise-operator/api/v1alpha1"
)

// Names in config/samples.
const (
	entName     = "acme"
	roleName    = "acme-admins"
	groupName   = "platform-team"
	domainName  = "acme-example"
	webhookName = "acme-audit"
	alice       = "alice" // has passwordSecretRef alice-password/password
	bob         = "bob"

	// crashUsers EnterpriseUsers are created at once in the crash-safety step.
	crashUsers = 200
)

// TestE2E runs the scenario in order; a failed step stops the run (later steps build
// on earlier ones), and every process is stopped by the cleanups setup registers.
func TestE2E(t *testing.T) {
	SetDefaultEventuallyTimeout(90 * time.Second)
	SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
	e := setup(t)
	s := &scenario{env: e}
	steps := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"1_apply_tenant", s.applyTenant},
		{"2_edit_fields", s.editFields},
		{"3_suspend_user", s.suspendUser},
		{"4_reset_password", s.resetPassword},
		{"5_verify_domain", s.verifyDomain},
		{"6_test_webhook", s.testWebhook},
		{"7_delete_policies", s.deletePolicies},
		{"8_crash_safety", s.crashSafety},
	}
	for _, st := range steps {
		if !t.Run(st.name, st.fn) {
			t.Fatalf("step %s failed; later steps depend on it (logs in %s)", st.name, e.logDir)
		}
	}
}

type scenario struct {
	*env
	entID           string
	aliceResets     int
	tokenSecret     v1alpha1.NamespacedSecretKeyReference
	signingSecretNm string
	signingKey      string
}

// ---- 1. apply the tenant ----

func (s *scenario) applyTenant(t *testing.T) {
	g := NewWithT(t)
	docs := s.renderSamples(t)

	s.kubectl(t, "create", "namespace", systemNS)
	s.kubectl(t, "create", "namespace", ns)
	s.kubectl(t, "create", "secret", "generic", s.tokenSecret.Name, "-n", s.tokenSecret.Namespace,
		"--from-literal="+s.tokenSecret.Key+"="+simToken)
	s.kubectl(t, "create", "secret", "generic", s.signingSecretNm, "-n", ns,
		"--from-literal="+s.signingKey+"="+s.signingSecret)
	// The opt-in label, as docs/install.md says: the operator sends the signing Secret
	// to the platform only with it, and follows the token Secret's rotations at once.
	optIn := v1alpha1.LabelSecret + "=" + v1alpha1.LabelSecretOptIn
	s.kubectl(t, "label", "secret", s.tokenSecret.Name, "-n", s.tokenSecret.Namespace, optIn)
	s.kubectl(t, "label", "secret", s.signingSecretNm, "-n", ns, optIn)

	manifest := filepath.Join(s.logDir, "tenant.yaml")
	g.Expect(os.WriteFile(manifest, []byte(docs), 0o644)).To(Succeed())
	t.Logf("kubectl apply -n %s -f %s (config/samples with the simulator's URL and the receiver's URL)", ns, manifest)
	s.kubectl(t, "apply", "-n", ns, "-f", manifest)

	s.kubectl(t, "wait", "--for=condition=Ready", "platformconfig/demo-platform", "--timeout=60s")
	s.kubectl(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=90s",
		"enterprise/"+entName, "enterpriserole/"+roleName, "enterpriseuser/"+alice, "enterpriseuser/"+bob,
		"usergroup/"+groupName, "webhook/"+webhookName)
	// The Domain is Ready only once verified (step 5); now it asks for its TXT record.
	s.kubectl(t, "wait", "-n", ns, "domain/"+domainName, "--timeout=60s",
		"--for=jsonpath={.status.verificationState}=Pending")

	s.entID = s.jsonpath(t, "enterprise", entName, "{.status.externalID}")
	g.Expect(s.entID).NotTo(BeEmpty())
	ent, err := s.enterprise(s.entID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ent.OrganizationID).To(Equal("59cd72485007a239fb00282ed480da1f"))
	g.Expect(ent.AdminEmail).To(Equal("it-admin@acme.example.com"))
	emails := map[string]simUser{}
	for _, u := range ent.Users {
		emails[u.Email] = u
	}
	g.Expect(emails).To(HaveKey("alice@acme.example.com"))
	g.Expect(emails).To(HaveKey("bob@acme.example.com"))
	g.Expect(ent.Roles).To(ContainElement(HaveField("Name", "ACME Admins")))
	roleID := s.jsonpath(t, "enterpriserole", roleName, "{.status.externalID}")
	g.Expect(emails["alice@acme.example.com"].RoleIDs).To(ConsistOf(roleID))
	g.Expect(ent.Webhooks).To(ConsistOf(HaveField("URL", s.receiver.Server.URL+"/platform-events")))
	g.Expect(ent.Domains).To(ConsistOf(And(HaveField("Name", "acme.example.com"), HaveField("State", "pending"))))
	// The built manager exports what it asked of the platform.
	g.Eventually(s.metrics).Should(And(
		// Any count: a create repeated with its idempotency key after a lost answer or
		// a conflicting status write (seen on a loaded CI machine) returns the same
		// enterprise, which the checks above already pinned down.
		MatchRegexp(`(?m)^enterprise_operator_platform_requests_total\{code="200",operation="createEnterprise",platformconfig="demo-platform"\} [1-9]`),
		ContainSubstring(`enterprise_operator_platform_request_duration_seconds_count{operation="createEnterpriseUser",platformconfig="demo-platform"}`),
		ContainSubstring(`enterprise_operator_platform_rate_limiter_wait_seconds_count{platformconfig="demo-platform"}`),
	))
	// --pprof-bind-address serves Go's profiles (docs/scale.md, "Profiling").
	g.Eventually(func() (int, error) {
		resp, err := http.Get("http://" + s.pprofAddr + "/debug/pprof/heap?debug=1")
		if err != nil {
			return 0, err
		}
		defer func() { _ = resp.Body.Close() }()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}).Should(Equal(http.StatusOK))
	// The group selects both users by label.
	g.Eventually(func(g Gomega) {
		ent, err := s.enterprise(s.entID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(ent.Groups).To(HaveLen(1))
		g.Expect(ent.Groups[0].Members).To(ConsistOf(
			s.jsonpath(t, "enterpriseuser", alice, "{.status.externalID}"),
			s.jsonpath(t, "enterpriseuser", bob, "{.status.externalID}")))
	}).Should(Succeed())
}

// renderSamples reads config/samples (the files its kustomization lists) and points
// the PlatformConfig at the simulator (with a rate limit that lets 200 users through
// quickly) and the Webhook at the test's https receiver. It returns one multi-doc YAML.
func (s *scenario) renderSamples(t *testing.T) string {
	g := NewWithT(t)
	dir := filepath.Join(s.root, "config", "samples")
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	var kust struct {
		Resources []string `json:"resources"`
	}
	g.Expect(yaml.Unmarshal(raw, &kust)).To(Succeed())
	g.Expect(kust.Resources).NotTo(BeEmpty())

	var out []string
	kinds := map[string]int{}
	for _, f := range kust.Resources {
		data, err := os.ReadFile(filepath.Join(dir, f))
		g.Expect(err).NotTo(HaveOccurred())
		for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
			var obj map[string]any
			g.Expect(yaml.Unmarshal([]byte(doc), &obj)).To(Succeed(), "%s", f)
			if len(obj) == 0 {
				continue
			}
			kind, _ := obj["kind"].(string)
			kinds[kind]++
			spec, _ := obj["spec"].(map[string]any)
			switch kind {
			case "PlatformConfig":
				spec["baseURL"] = s.simURL
				spec["rateLimit"] = map[string]any{"requestsPerSecond": 100, "burst": 100}
				ref, err := json.Marshal(spec["auth"].(map[string]any)["bearerToken"].(map[string]any)["tokenSecretRef"])
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(json.Unmarshal(ref, &s.tokenSecret)).To(Succeed())
			case "Webhook":
				spec["url"] = s.receiver.Server.URL + "/platform-events"
				ref := spec["signingSecretRef"].(map[string]any)
				s.signingSecretNm, _ = ref["name"].(string)
				s.signingKey, _ = ref["key"].(string)
				if s.signingKey == "" {
					s.signingKey = "secret"
				}
			}
			b, err := yaml.Marshal(obj)
			g.Expect(err).NotTo(HaveOccurred())
			out = append(out, string(b))
		}
	}
	g.Expect(kinds).To(HaveKeyWithValue("PlatformConfig", 1))
	g.Expect(kinds).To(HaveKeyWithValue("Webhook", 1))
	g.Expect(s.tokenSecret.Name).NotTo(BeEmpty())
	g.Expect(s.signingSecretNm).NotTo(BeEmpty())
	return strings.Join(out, "---\n")
}

// applied waits until the object's current generation is applied and it is Ready.
func (s *scenario) applied(t *testing.T, kind, name string) {
	t.Helper()
	gen := s.jsonpath(t, kind, name, "{.metadata.generation}")
	s.kubectl(t, "wait", "-n", ns, kind+"/"+name, "--timeout=60s", "--for=jsonpath={.status.observedGeneration}="+gen)
	s.kubectl(t, "wait", "-n", ns, kind+"/"+name, "--timeout=60s", "--for=condition=Ready")
}

func (s *scenario) user(g Gomega, email string) simUser {
	ent, err := s.enterprise(s.entID)
	g.Expect(err).NotTo(HaveOccurred())
	for _, u := range ent.Users {
		if u.Email == email {
			return u
		}
	}
	g.Expect(email).To(BeEmpty(), "user %s is not on the platform", email)
	return simUser{}
}
