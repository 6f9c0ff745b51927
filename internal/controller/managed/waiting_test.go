package managed

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"enterprise-operator/api/v1alpha1"
)

func TestWaitingForReady(t *testing.T) {
	readyCond := func(s metav1.ConditionStatus, reason, msg string) []metav1.Condition {
		return []metav1.Condition{
			{Type: v1alpha1.ConditionSynced, Status: s, Reason: reason, Message: "Synced: " + msg},
			{Type: v1alpha1.ConditionReady, Status: s, Reason: reason, Message: msg},
		}
	}
	// The chain the README describes: a user waits for its Enterprise, which waits for
	// a PlatformConfig whose Secret is missing. Each hop reads one object.
	pcConds := readyCond(metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound, "Secret operator/platform-token not found")
	entMsg := Classify(WaitingForReady("PlatformConfig", "demo", AdminNotReadyCause(pcConds))).Message
	entConds := readyCond(metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency, entMsg)
	userMsg := Classify(WaitingForReady("Enterprise", "acme", NotReadyCause(entConds))).Message
	userConds := readyCond(metav1.ConditionFalse, v1alpha1.ReasonWaitingForDependency, userMsg)

	deep := "root"
	for i := range maxDependencyHops {
		deep = waitingForReadyMessage("EnterpriseUser", strings.Repeat("u", i+1), deep)
	}

	for _, tc := range []struct {
		name, kind, dep, cause string
		want                   string
	}{
		{name: "dependency that said nothing yet", kind: "Enterprise", dep: "acme",
			cause: NotReadyCause(nil),
			want:  "waiting for Enterprise acme to be Ready"},
		{name: "dependency stalled: its own words", kind: "Enterprise", dep: "acme",
			cause: NotReadyCause(readyCond(metav1.ConditionFalse, v1alpha1.ReasonInvalidSpec, "platform createEnterprise: HTTP 422: bad (requestId r1)")),
			want:  "waiting for Enterprise acme to be Ready: platform createEnterprise: HTTP 422: bad (requestId r1)"},
		{name: "a Ready dependency gives no cause (the wait is for its id)", kind: "EnterpriseRole", dep: "admins",
			cause: NotReadyCause(readyCond(metav1.ConditionTrue, v1alpha1.ReasonAvailable, "the platform object matches the spec")),
			want:  "waiting for EnterpriseRole admins to be Ready"},
		{name: "PlatformConfig: the reason only, never its message (it names admin Secrets)", kind: "PlatformConfig", dep: "demo",
			cause: AdminNotReadyCause(pcConds),
			want: "waiting for PlatformConfig demo to be Ready: its Ready condition says SecretNotFound " +
				"(cluster admins can read the details in its status)"},
		{name: "PlatformConfig without a reason yet", kind: "PlatformConfig", dep: "demo",
			cause: AdminNotReadyCause(nil),
			want:  "waiting for PlatformConfig demo to be Ready"},
		{name: "user -> Enterprise -> PlatformConfig: the root cause reaches the end of the chain", kind: "EnterpriseUser", dep: "alice",
			cause: NotReadyCause(userConds),
			want: "waiting for EnterpriseUser alice to be Ready: waiting for Enterprise acme to be Ready: " +
				"waiting for PlatformConfig demo to be Ready: its Ready condition says SecretNotFound " +
				"(cluster admins can read the details in its status)"},
		{name: "a chain longer than any the kinds can form is not carried further", kind: "UserGroup", dep: "g",
			cause: deep,
			want:  "waiting for UserGroup g to be Ready"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(WaitingForReady(tc.kind, tc.dep, tc.cause))
			want := Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonWaitingForDependency, Message: tc.want, After: DefaultWait}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if strings.Contains(got.Message, "operator/platform-token") {
				t.Errorf("a PlatformConfig's Secret reached a tenant's message: %s", got.Message)
			}
		})
	}
}
