package health_test

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// kstatusOf maps an Argo CD health to the kstatus result that means the same; Flux's
// `wait: true` and `healthChecks` read kstatus.
var kstatusOf = map[string]status.Status{
	"Healthy":     status.CurrentStatus,
	"Progressing": status.InProgressStatus,
	"Degraded":    status.FailedStatus,
}

// kstatusDiffers lists, by case name ("*" for every kind), where kstatus's generic rules
// (metadata.generation vs status.observedGeneration, then Reconciling/Stalled, then
// Ready) do not say what the Argo CD script says. docs/gitops.md explains each; the test
// keeps that text true.
var kstatusDiffers = map[string]status.Status{
	// Without any status kstatus has nothing to wait for.
	"*/progressing-no-status": status.CurrentStatus,
	// Deletion is Terminating, whatever blocks it.
	"*/progressing-deleting":                               status.TerminatingStatus,
	"*/degraded-deletion-blocked":                          status.TerminatingStatus,
	"Enterprise/progressing-deletion-waiting-for-children": status.TerminatingStatus,
	"PlatformConfig/progressing-deletion-blocked":          status.TerminatingStatus,
	// Pause is not a kstatus notion: the conditions left in place decide.
	"*/suspended":                  status.CurrentStatus,
	"*/suspended-before-reconcile": status.InProgressStatus,
	"*/progressing-resuming":       status.CurrentStatus,
	// status.observedGeneration only moves on success, so a spec change that stalls
	// reads as "generation not observed yet" rather than Stalled.
	"*/degraded-stalled-invalid-spec":             status.InProgressStatus,
	"PlatformConfig/degraded-credentials-invalid": status.InProgressStatus,
	// Terminal Ready=False reasons without a Stalled condition are plain "not Ready".
	"*/degraded-observe-only-drifted":     status.InProgressStatus,
	"*/degraded-observe-only-not-found":   status.InProgressStatus,
	"Domain/degraded-verification-failed": status.InProgressStatus,
}

// TestKstatus runs every health case through kstatus (sigs.k8s.io/cli-utils, whose
// rules Flux's fork shares) and checks it against the Argo CD health, apart from the
// documented differences above.
func TestKstatus(t *testing.T) {
	used := map[string]bool{}
	for _, kind := range kinds(t) {
		for _, c := range loadCases(t, kind) {
			name := strings.TrimSuffix(filepath.Base(c.inputPath), ".yaml")
			t.Run(kind+"/"+name, func(t *testing.T) {
				res, err := status.Compute(&unstructured.Unstructured{Object: c.object})
				if err != nil {
					t.Fatal(err)
				}
				want, ok := kstatusDiffers[kind+"/"+name]
				key := kind + "/" + name
				if !ok {
					want, ok = kstatusDiffers["*/"+name]
					key = "*/" + name
				}
				if ok {
					used[key] = true
				} else if want, ok = kstatusOf[c.status]; !ok {
					t.Fatalf("no kstatus expectation for a %s case; add it to kstatusDiffers", c.status)
				}
				if res.Status != want {
					t.Errorf("kstatus says %s (%s), want %s (Argo CD: %s %q)", res.Status, res.Message, want, c.status, c.message)
				}
			})
		}
	}
	for key := range kstatusDiffers {
		if !used[key] {
			t.Errorf("kstatusDiffers[%q] matches no case", key)
		}
	}
}
