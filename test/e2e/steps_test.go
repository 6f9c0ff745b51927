//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platformsim"
)

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
	before := len(s.receiver.Received())

	s.kubectl(t, "annotate", "-n", ns, "webhook/"+webhookName, v1alpha1.AnnotationTestWebhook+"=t1")
	s.kubectl(t, "wait", "-n", ns, "webhook/"+webhookName, "--timeout=60s", "--for=jsonpath={.status.lastTest.success}=true")
	g.Expect(s.jsonpath(t, "webhook", webhookName, "{.status.lastTest.statusCode}")).To(Equal("204"))

	got := s.receiver.Received()[before:]
	g.Expect(got).To(HaveLen(1), "one delivery per test annotation value")
	d := got[0]
	g.Expect(d.Header.Get(platformsim.EventHeader)).To(Equal("webhook.test"))
	g.Expect(platformsim.VerifySignature(s.signingSecret, d.Body, d.Header.Get(platformsim.SignatureHeader))).
		To(BeTrue(), "signature %q over %s", d.Header.Get(platformsim.SignatureHeader), d.Body)
	var ev struct {
		Type         string `json:"type"`
		EnterpriseID string `json:"enterpriseId"`
		WebhookID    string `json:"webhookId"`
	}
	g.Expect(json.Unmarshal(d.Body, &ev)).To(Succeed())
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
