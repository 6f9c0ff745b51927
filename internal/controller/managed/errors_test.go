package managed

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/platform"
)

func TestClassify(t *testing.T) {
	platformErr := func(kind platform.ErrorKind, status int) error {
		return &platform.Error{Kind: kind, StatusCode: status, Operation: "createEnterpriseRole",
			Message: "name is taken", RequestID: "req_1"}
	}
	const platformMsg = "platform createEnterpriseRole: HTTP %d: name is taken (requestId req_1)"
	rateLimited := &platform.Error{Kind: platform.KindRateLimited, StatusCode: 429, Operation: "getEnterprise",
		Message: "slow down", RetryAfter: 7 * time.Second}

	for _, tc := range []struct {
		name string
		err  error
		want Classification
	}{
		{name: "stalling error, wrapped", err: fmt.Errorf("connect: %w", Stalling(v1alpha1.ReasonSecretNotFound, "Secret %s not found", "ns/s")),
			want: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonSecretNotFound, Message: "Secret ns/s not found"}},
		{name: "waiting error keeps its delay", err: Waiting(v1alpha1.ReasonWaitingForDependency, 3*time.Second, "waiting for %s", "Enterprise acme"),
			want: Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonWaitingForDependency, Message: "waiting for Enterprise acme", After: 3 * time.Second}},
		{name: "waiting without a delay waits the default", err: Waiting(v1alpha1.ReasonWaitingForDependency, 0, "w"),
			want: Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonWaitingForDependency, Message: "w", After: DefaultWait}},
		{name: "dependency wait names it", err: WaitingForDependency("Enterprise", "acme", "to be Ready"),
			want: Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonWaitingForDependency, Message: "waiting for Enterprise acme to be Ready", After: DefaultWait}},
		{name: "400 stalls with the platform's message and requestId", err: platformErr(platform.KindInvalid, 400),
			want: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonInvalidSpec, Message: fmt.Sprintf(platformMsg, 400)}},
		{name: "409 stalls", err: platformErr(platform.KindConflict, 409),
			want: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonInvalidSpec, Message: fmt.Sprintf(platformMsg, 409)}},
		{name: "403 stalls as Forbidden", err: platformErr(platform.KindForbidden, 403),
			want: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonForbidden, Message: fmt.Sprintf(platformMsg, 403)}},
		{name: "a refused metadata address stalls", err: fmt.Errorf("check: %w", &platform.Error{Kind: platform.KindForbiddenAddress,
			Operation: "getCurrentUser", Message: "refusing to connect to 169.254.169.254:443"}),
			want: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonForbiddenAddress,
				Message: "check: platform getCurrentUser: refusing to connect to 169.254.169.254:443"}},
		{name: "401 backs off", err: platformErr(platform.KindUnauthorized, 401),
			want: Classification{Outcome: OutcomeGeneric, Reason: v1alpha1.ReasonUnauthorized, Message: fmt.Sprintf(platformMsg, 401)}},
		{name: "5xx backs off", err: platformErr(platform.KindUnavailable, 503),
			want: Classification{Outcome: OutcomeGeneric, Reason: v1alpha1.ReasonPlatformUnavailable, Message: fmt.Sprintf(platformMsg, 503)}},
		{name: "429 waits as long as the platform said", err: fmt.Errorf("observe: %w", rateLimited),
			want: Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonRateLimited,
				Message: "observe: platform getEnterprise: HTTP 429: slow down", After: 7 * time.Second}},
		{name: "anything else backs off", err: errors.New("etcd is unhappy"),
			want: Classification{Outcome: OutcomeGeneric, Reason: v1alpha1.ReasonReconcileError, Message: "etcd is unhappy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Classify(tc.err)); diff != "" {
				t.Errorf("Classify (-want +got):\n%s", diff)
			}
		})
	}
}
