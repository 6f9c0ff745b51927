//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platformsim"
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
	g.Expect(ent.Webhooks).To(ConsistOf(HaveField("URL", s.receiver.srv.URL+"/platform-events")))
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
				spec["url"] = s.receiver.srv.URL + "/platform-events"
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

// ---- 2. edit fields ----

func (s *scenario) editFields(t *testing.T) {
	g := NewWithT(t)
	s.kubectl(t, "patch", "-n", ns, "enterpriseuser/"+alice, "--type=merge",
		"-p", `{"spec":{"title":"Head of Platform","department":"Infrastructure"}}`)
	s.kubectl(t, "patch", "-n", ns, "enterpriserole/"+roleName, "--type=merge",
		"-p", `{"spec":{"description":"Edited end to end.","permissions":["users:read","users:write"]}}`)
	s.kubectl(t, "patch", "-n", ns, "usergroup/"+groupName, "--type=merge",
		"-p", `{"spec":{"description":"The platform team, edited."}}`)

	g.Eventually(func(g Gomega) {
		u := s.user(g, "alice@acme.example.com")
		g.Expect(u.Title).To(Equal("Head of Platform"))
		g.Expect(u.Department).To(Equal("Infrastructure"))
		ent, err := s.enterprise(s.entID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(ent.Roles).To(ConsistOf(And(
			HaveField("Description", "Edited end to end."),
			HaveField("Permissions", ConsistOf("users:read", "users:write")))))
		g.Expect(ent.Groups).To(ConsistOf(HaveField("Description", "The platform team, edited.")))
	}).Should(Succeed())
	s.applied(t, "enterpriseuser", alice)
	s.applied(t, "enterpriserole", roleName)
	s.applied(t, "usergroup", groupName)
}

// ---- 3. suspend and un-suspend a user ----

func (s *scenario) suspendUser(t *testing.T) {
	g := NewWithT(t)
	const email = "bob@acme.example.com"
	g.Expect(s.user(g, email).Status).To(Equal("active"))

	s.kubectl(t, "patch", "-n", ns, "enterpriseuser/"+bob, "--type=merge", "-p", `{"spec":{"suspended":true}}`)
	g.Eventually(func(g Gomega) { g.Expect(s.user(g, email).Status).To(Equal("suspended")) }).Should(Succeed())
	s.kubectl(t, "wait", "-n", ns, "enterpriseuser/"+bob, "--timeout=60s", "--for=condition=Suspended=True")
	s.applied(t, "enterpriseuser", bob)
	g.Expect(s.jsonpath(t, "enterpriseuser", bob, "{.status.state}")).To(Equal("suspended"))

	s.kubectl(t, "patch", "-n", ns, "enterpriseuser/"+bob, "--type=merge", "-p", `{"spec":{"suspended":false}}`)
	g.Eventually(func(g Gomega) { g.Expect(s.user(g, email).Status).To(Equal("active")) }).Should(Succeed())
	s.kubectl(t, "wait", "-n", ns, "enterpriseuser/"+bob, "--timeout=60s", "--for=condition=Suspended=False")
	s.applied(t, "enterpriseuser", bob)
	g.Expect(s.jsonpath(t, "enterpriseuser", bob, "{.status.state}")).To(Equal("active"))
}

// ---- 4. reset a password ----

func (s *scenario) password(t *testing.T) string {
	t.Helper()
	ref := s.jsonpath(t, "enterpriseuser", alice, "{.spec.passwordSecretRef.name}/{.spec.passwordSecretRef.key}")
	name, key, _ := strings.Cut(ref, "/")
	if key == "" {
		key = "password"
	}
	b64 := s.kubectl(t, "get", "secret", name, "-n", ns, "-o", "jsonpath={.data."+key+"}")
	v, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("secret %s key %s: %v", name, key, err)
	}
	return string(v)
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// reset sets the reset-password annotation to value and waits until it is handled:
// a new password in the Secret whose SHA-256 is the platform's.
func (s *scenario) reset(t *testing.T, value string) {
	g := NewWithT(t)
	before := s.password(t)
	s.kubectl(t, "annotate", "-n", ns, "enterpriseuser/"+alice, "--overwrite", v1alpha1.AnnotationResetPassword+"="+value)
	s.kubectl(t, "wait", "-n", ns, "enterpriseuser/"+alice, "--timeout=60s", "--for=jsonpath={.status.lastPasswordReset}="+value)
	s.aliceResets++
	after := s.password(t)
	g.Expect(after).NotTo(Equal(before), "the password Secret did not change")
	u := s.user(g, "alice@acme.example.com")
	g.Expect(u.PasswordSHA256).To(Equal(sha(after)), "the Secret does not hold the platform's password")
	g.Expect(u.PasswordResets).To(Equal(s.aliceResets), "resets on the platform")
}

func (s *scenario) resetPassword(t *testing.T) {
	g := NewWithT(t)
	initial := s.password(t)
	g.Expect(initial).NotTo(BeEmpty())
	u := s.user(g, "alice@acme.example.com")
	g.Expect(u.PasswordSHA256).To(Equal(sha(initial)), "the generated initial password is the platform's")
	g.Expect(u.PasswordResets).To(Equal(0))

	s.reset(t, "r1")

	// The same value again, then another reconcile (a spec edit): still one reset.
	pw := s.password(t)
	s.kubectl(t, "annotate", "-n", ns, "enterpriseuser/"+alice, "--overwrite", v1alpha1.AnnotationResetPassword+"=r1")
	s.kubectl(t, "patch", "-n", ns, "enterpriseuser/"+alice, "--type=merge", "-p", `{"spec":{"mobile":"+1 555 010 0199"}}`)
	s.applied(t, "enterpriseuser", alice)
	g.Expect(s.password(t)).To(Equal(pw))
	g.Expect(s.user(g, "alice@acme.example.com").PasswordResets).To(Equal(1))

	// A new value: exactly one more.
	s.reset(t, "r2")
	s.kubectl(t, "patch", "-n", ns, "enterpriseuser/"+alice, "--type=merge", "-p", `{"spec":{"mobile":"+1 555 010 0101"}}`)
	s.applied(t, "enterpriseuser", alice)
	g.Expect(s.user(g, "alice@acme.example.com").PasswordResets).To(Equal(2))
}

// ---- 5. verify a domain ----

func (s *scenario) verifyDomain(t *testing.T) {
	g := NewWithT(t)
	name := s.jsonpath(t, "domain", domainName, "{.status.record.name}")
	value := s.jsonpath(t, "domain", domainName, "{.status.record.value}")
	g.Expect(name).To(Equal("_platform-verification.acme.example.com"))
	g.Expect(value).NotTo(BeEmpty())
	g.Expect(s.jsonpath(t, "domain", domainName, `{.status.conditions[?(@.type=="Ready")].reason}`)).
		To(Equal(v1alpha1.ReasonVerificationPending))

	g.Expect(s.adminPost("/admin/dns", map[string]any{"name": name, "values": []string{value}})).To(Succeed())
	s.kubectl(t, "annotate", "-n", ns, "domain/"+domainName, v1alpha1.AnnotationRecheckDomain+"="+time.Now().UTC().Format(time.RFC3339Nano))
	s.kubectl(t, "wait", "-n", ns, "domain/"+domainName, "--timeout=60s", "--for=condition=Verified")
	s.kubectl(t, "wait", "-n", ns, "domain/"+domainName, "--timeout=60s", "--for=condition=Ready")
	g.Expect(s.jsonpath(t, "domain", domainName, "{.status.verificationState}")).To(Equal("Verified"))
	ent, err := s.enterprise(s.entID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ent.Domains).To(ConsistOf(HaveField("State", "verified")))
}

// ---- 6. test a webhook ----

func (s *scenario) testWebhook(t *testing.T) {
	g := NewWithT(t)
	ent, err := s.enterprise(s.entID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ent.Webhooks).To(ConsistOf(HaveField("SigningSecretSHA256", sha(s.signingSecret))),
		"the platform signs with the Secret's value")
	before := len(s.receiver.received())

	s.kubectl(t, "annotate", "-n", ns, "webhook/"+webhookName, v1alpha1.AnnotationTestWebhook+"=t1")
	s.kubectl(t, "wait", "-n", ns, "webhook/"+webhookName, "--timeout=60s", "--for=jsonpath={.status.lastTest.success}=true")
	g.Expect(s.jsonpath(t, "webhook", webhookName, "{.status.lastTest.statusCode}")).To(Equal("204"))

	got := s.receiver.received()[before:]
	g.Expect(got).To(HaveLen(1), "one delivery per test annotation value")
	d := got[0]
	g.Expect(d.header.Get(platformsim.EventHeader)).To(Equal("webhook.test"))
	g.Expect(platformsim.VerifySignature(s.signingSecret, d.body, d.header.Get(platformsim.SignatureHeader))).
		To(BeTrue(), "signature %q over %s", d.header.Get(platformsim.SignatureHeader), d.body)
	var ev struct {
		Type         string `json:"type"`
		EnterpriseID string `json:"enterpriseId"`
		WebhookID    string `json:"webhookId"`
	}
	g.Expect(json.Unmarshal(d.body, &ev)).To(Succeed())
	g.Expect(ev.Type).To(Equal("webhook.test"))
	g.Expect(ev.EnterpriseID).To(Equal(s.entID))
	g.Expect(ev.WebhookID).To(Equal(s.jsonpath(t, "webhook", webhookName, "{.status.externalID}")))
}

// ---- 7. delete with both policies ----

func (s *scenario) deletePolicies(t *testing.T) {
	g := NewWithT(t)
	whID := s.jsonpath(t, "webhook", webhookName, "{.status.externalID}")
	domID := s.jsonpath(t, "domain", domainName, "{.status.externalID}")
	g.Expect(whID).NotTo(BeEmpty())
	g.Expect(domID).NotTo(BeEmpty())

	// Orphan: the Kubernetes object goes, the platform webhook stays.
	s.kubectl(t, "patch", "-n", ns, "webhook/"+webhookName, "--type=merge", "-p", `{"spec":{"deletionPolicy":"Orphan"}}`)
	s.applied(t, "webhook", webhookName)
	s.kubectl(t, "delete", "-n", ns, "webhook/"+webhookName, "--timeout=60s")
	// Delete (the default): the platform domain goes first.
	g.Expect(s.jsonpath(t, "domain", domainName, "{.spec.deletionPolicy}")).To(Equal("Delete"))
	s.kubectl(t, "delete", "-n", ns, "domain/"+domainName, "--timeout=60s")

	out, err := s.kubectlErr("get", "-n", ns, "webhook/"+webhookName, "domain/"+domainName, "--ignore-not-found", "-o", "name")
	g.Expect(err).NotTo(HaveOccurred(), out)
	g.Expect(strings.TrimSpace(out)).To(BeEmpty())
	ent, err := s.enterprise(s.entID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ent.Webhooks).To(ConsistOf(HaveField("ID", whID)), "the orphaned webhook stays on the platform")
	g.Expect(ent.Domains).NotTo(ContainElement(HaveField("ID", domID)), "the deleted domain is gone from the platform")
}

// ---- 8. crash safety ----

func (s *scenario) crashSafety(t *testing.T) {
	g := NewWithT(t)
	const prefix = "crash-"
	var b strings.Builder
	for i := range crashUsers {
		fmt.Fprintf(&b, `---
apiVersion: platform.enterprise-operator.dev/v1alpha1
kind: EnterpriseUser
metadata:
  name: %[1]s%03[2]d
  labels:
    e2e: crash
spec:
  enterpriseRef:
    name: %[3]s
  username: %[1]s%03[2]d@acme.example.com
  email: %[1]s%03[2]d@acme.example.com
  firstName: Crash
  lastName: User%03[2]d
`, prefix, i, entName)
	}
	manifest := filepath.Join(s.logDir, "crash-users.yaml")
	g.Expect(os.WriteFile(manifest, []byte(b.String()), 0o644)).To(Succeed())

	countCreated := func() (int, error) {
		ent, err := s.enterprise(s.entID)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, u := range ent.Users {
			if strings.HasPrefix(u.Email, prefix) {
				n++
			}
		}
		return n, nil
	}

	// kubectl applies the objects one by one, and the manager creates them on the
	// platform as they come in: watch the platform while the apply runs.
	start := time.Now()
	applied := make(chan error, 1)
	go func() {
		out, err := s.kubectlErr("apply", "-n", ns, "-f", manifest)
		if err != nil {
			err = fmt.Errorf("kubectl apply -f %s: %w\n%s", manifest, err, out)
		}
		applied <- err
	}()

	// Kill the manager while the platform holds between 20 and 180 of them; aim for
	// the middle (60 or more) so plenty of creates are queued and in flight.
	var atKill int
	g.Eventually(func(g Gomega) {
		n, err := countCreated()
		g.Expect(err).NotTo(HaveOccurred())
		if n > 180 {
			StopTrying(fmt.Sprintf("user creation outran the test (%d users on the platform at the first look past 60)", n)).Now()
		}
		g.Expect(n).To(BeNumerically(">=", 60))
		atKill = n
	}).WithTimeout(3 * time.Minute).WithPolling(20 * time.Millisecond).Should(Succeed())
	pid := s.manager.Pid()
	g.Expect(syscall.Kill(-pid, syscall.SIGKILL)).To(Succeed())
	s.manager.Kill() // waits until it is gone
	n, err := countCreated()
	g.Expect(err).NotTo(HaveOccurred())
	t.Logf("SIGKILLed the manager (pid %d) %s after the apply, with %d users on the platform (%d when it died)",
		pid, time.Since(start).Round(time.Millisecond), atKill, n)
	g.Expect(n).To(BeNumerically("<", crashUsers), "every user was created before the kill landed")
	// Users the platform holds whose id no object recorded yet: the restarted manager
	// must find these by email instead of creating them again.
	recorded := strings.Fields(s.kubectl(t, "get", "enterpriseuser", "-n", ns, "-l", "e2e=crash", "-o",
		`jsonpath={range .items[*]}{.status.externalID}{" "}{end}`))
	t.Logf("at the kill: %d crash users on the platform, %d with status.externalID recorded", n, len(recorded))

	s.startManager(t)
	g.Expect(<-applied).To(Succeed())
	t.Logf("kubectl apply of %d EnterpriseUsers took %s", crashUsers, time.Since(start).Round(time.Millisecond))
	s.kubectl(t, "wait", "-n", ns, "enterpriseuser", "-l", "e2e=crash", "--for=condition=Ready", "--timeout=300s")
	t.Logf("all %d users Ready %s after the apply", crashUsers, time.Since(start).Round(time.Millisecond))

	// Exactly one platform user per email, and each object records that user's id.
	ent, err := s.enterprise(s.entID)
	g.Expect(err).NotTo(HaveOccurred())
	byEmail := map[string][]string{}
	for _, u := range ent.Users {
		byEmail[strings.ToLower(u.Email)] = append(byEmail[strings.ToLower(u.Email)], u.ID)
	}
	crash := 0
	for email, ids := range byEmail {
		g.Expect(ids).To(HaveLen(1), "duplicate platform users for %s", email)
		if strings.HasPrefix(email, prefix) {
			crash++
		}
	}
	g.Expect(crash).To(Equal(crashUsers))
	out := s.kubectl(t, "get", "enterpriseuser", "-n", ns, "-l", "e2e=crash", "-o",
		`jsonpath={range .items[*]}{.spec.email}={.status.externalID}{"\n"}{end}`)
	lines := strings.Fields(out)
	g.Expect(lines).To(HaveLen(crashUsers))
	for _, l := range lines {
		email, id, _ := strings.Cut(l, "=")
		g.Expect(byEmail[strings.ToLower(email)]).To(Equal([]string{id}), "status.externalID of the user with email %s", email)
	}

	// The restart repeated no one-off action: alice's password was reset exactly as
	// often as the annotation changed.
	g.Expect(s.user(g, "alice@acme.example.com").PasswordResets).To(Equal(s.aliceResets))
}
