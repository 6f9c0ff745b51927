//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

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
