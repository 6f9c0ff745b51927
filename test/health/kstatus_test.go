package health_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
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

// gitOpsStates are the states a GitOps wait meets (Flux `wait: true`, an Argo CD sync
// wave), each recognised in a testdata object by what the operator writes for it, with
// what Argo CD and kstatus must read. Every kind needs a case of each state it can be
// in; internal/controller's kstatus specs produce the same states on a real control
// plane.
var gitOpsStates = []struct {
	name    string
	argo    string
	kstatus status.Status
	// notFor names the kinds that cannot be in this state.
	notFor []string
	is     func(obj map[string]any) bool
}{
	{
		name: "stalled at create", argo: "Degraded", kstatus: status.FailedStatus,
		is: func(o map[string]any) bool {
			return !deleting(o) && number(o, "metadata", "generation") == 1 && conditionIs(o, "Stalled", "True")
		},
	},
	{
		name: "stalled on a spec change", argo: "Degraded", kstatus: status.FailedStatus,
		is: func(o map[string]any) bool {
			gen := number(o, "metadata", "generation")
			return !deleting(o) && gen > 1 && conditionIs(o, "Stalled", "True") && conditionGeneration(o, "Stalled") == gen
		},
	},
	{
		name: "update retried after Ready", argo: "Progressing", kstatus: status.InProgressStatus,
		is: func(o map[string]any) bool {
			gen, observed := number(o, "metadata", "generation"), number(o, "status", "observedGeneration")
			return !deleting(o) && observed > 0 && gen > observed && conditionIs(o, "Reconciling", "True") &&
				conditionIs(o, "Synced", "False") && conditionGeneration(o, "Synced") == gen
		},
	},
	{
		name: "waiting for a dependency", argo: "Progressing", kstatus: status.InProgressStatus,
		notFor: []string{"PlatformConfig"}, // it depends on nothing but its Secrets
		is: func(o map[string]any) bool {
			return !deleting(o) && conditionReason(o, "Synced") == v1alpha1.ReasonWaitingForDependency && conditionIs(o, "Reconciling", "True")
		},
	},
	{
		name: "paused while Ready", argo: "Suspended", kstatus: status.CurrentStatus,
		notFor: []string{unpausableKind},
		is: func(o map[string]any) bool {
			return annotation(o, v1alpha1.AnnotationPaused) == "true" && conditionReason(o, "Synced") == v1alpha1.ReasonPaused &&
				conditionIs(o, "Ready", "True") && number(o, "metadata", "generation") == number(o, "status", "observedGeneration")
		},
	},
	{
		name: "deleting", argo: "Progressing", kstatus: status.TerminatingStatus,
		is: func(o map[string]any) bool {
			return deleting(o) && !conditionIs(o, "Stalled", "True") && conditionIs(o, "Reconciling", "True")
		},
	},
}

// TestGitOpsStates checks that every kind has a case of each state in gitOpsStates and
// that Argo CD and kstatus read every such case as the state says.
func TestGitOpsStates(t *testing.T) {
	for _, kind := range kinds(t) {
		script := readFile(t, filepath.Join(customizationsDir(), kind, "health.lua"))
		cases := loadCases(t, kind)
		for _, st := range gitOpsStates {
			if slices.Contains(st.notFor, kind) {
				continue
			}
			t.Run(kind+"/"+st.name, func(t *testing.T) {
				n := 0
				for _, c := range cases {
					if !st.is(c.object) {
						continue
					}
					n++
					argo, _, err := runHealth(script, c.object, false)
					if err != nil {
						t.Fatalf("%s: %v", c.inputPath, err)
					}
					res, err := status.Compute(&unstructured.Unstructured{Object: c.object})
					if err != nil {
						t.Fatalf("%s: %v", c.inputPath, err)
					}
					if argo != st.argo || res.Status != st.kstatus {
						t.Errorf("%s: Argo CD %s, kstatus %s; want %s, %s", c.inputPath, argo, res.Status, st.argo, st.kstatus)
					}
				}
				if n == 0 {
					t.Errorf("no case of %q", st.name)
				}
			})
		}
	}
}

// TestTestdataIsWhatTheOperatorWrites keeps the health cases honest: wherever the
// operator has written status for the current generation, Reconciling is what
// managed.SetReconciling makes of the other conditions, and a stalled generation is
// the observed one.
func TestTestdataIsWhatTheOperatorWrites(t *testing.T) {
	for _, kind := range kinds(t) {
		for _, c := range loadCases(t, kind) {
			conds := conditionsOf(t, c.object)
			gen, observed := number(c.object, "metadata", "generation"), number(c.object, "status", "observedGeneration")
			written := int64(0)
			for _, cond := range conds {
				written = max(written, cond.ObservedGeneration)
			}
			if len(conds) == 0 || written != gen {
				continue // the operator has not reconciled this generation yet
			}
			t.Run(kind+"/"+strings.TrimSuffix(filepath.Base(c.inputPath), ".yaml"), func(t *testing.T) {
				if s := meta.FindStatusCondition(conds, v1alpha1.ConditionStalled); s != nil && s.Status == metav1.ConditionTrue && observed != s.ObservedGeneration {
					t.Errorf("Stalled for generation %d, but status.observedGeneration is %d", s.ObservedGeneration, observed)
				}
				want := slices.Clone(conds)
				managed.SetReconciling(&want, gen, observed)
				pick := func(cs []metav1.Condition) *metav1.Condition {
					r := meta.FindStatusCondition(cs, v1alpha1.ConditionReconciling)
					if r == nil {
						return nil
					}
					return &metav1.Condition{Status: r.Status, Reason: r.Reason, Message: r.Message, ObservedGeneration: r.ObservedGeneration}
				}
				if diff := cmp.Diff(pick(want), pick(conds)); diff != "" {
					t.Errorf("Reconciling is not what the operator writes (-operator +testdata):\n%s", diff)
				}
			})
		}
	}
}

func deleting(o map[string]any) bool {
	s, _ := field(o, "metadata", "deletionTimestamp").(string)
	return s != ""
}

func condition(o map[string]any, t string) map[string]any {
	conds, _ := field(o, "status", "conditions").([]any)
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == t {
			return m
		}
	}
	return nil
}

func conditionIs(o map[string]any, t, s string) bool {
	c := condition(o, t)
	return c != nil && c["status"] == s
}

func conditionReason(o map[string]any, t string) string {
	s, _ := condition(o, t)["reason"].(string)
	return s
}

func conditionGeneration(o map[string]any, t string) int64 {
	c := condition(o, t)
	if c == nil {
		return 0
	}
	return number(c, "observedGeneration")
}

// conditionsOf decodes a testdata object's conditions as the operator's types.
func conditionsOf(t *testing.T, o map[string]any) []metav1.Condition {
	t.Helper()
	raw, err := json.Marshal(field(o, "status", "conditions"))
	if err != nil {
		t.Fatal(err)
	}
	var conds []metav1.Condition
	if err := json.Unmarshal(raw, &conds); err != nil {
		t.Fatal(err)
	}
	return conds
}
