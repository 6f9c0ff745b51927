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

// Both taxonomy errors wrap their cause, so code finds it with errors.Is and errors.As,
// and say exactly what their format says, so conditions read as before.
func TestTaxonomyErrorsWrapTheirCause(t *testing.T) {
	cause := platform.ErrCompanyIDInvalid
	apiErr := &platform.Error{Kind: platform.KindConflict, StatusCode: 409, Operation: "createEnterpriseRole", Message: "taken"}
	const blockedMsg = "deletion is blocked: platform deleteEnterpriseRole: HTTP 403: no " +
		"(to let the object go without deleting it on the platform, set spec.deletionPolicy to Orphan)"
	type got struct {
		Message        string
		IsCause        bool
		AsPlatformKind platform.ErrorKind
		Classification Classification
	}
	for _, tc := range []struct {
		name string
		err  error
		want got
	}{
		{name: "stalling with a cause",
			err: StallingWrap(v1alpha1.ReasonInvalidSpec, cause, "cannot use company id %q: %v", "acme", cause),
			want: got{Message: `cannot use company id "acme": ` + string(cause), IsCause: true,
				Classification: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonInvalidSpec,
					Message: `cannot use company id "acme": ` + string(cause)}}},
		{name: "stalling with a cause it does not quote",
			err: StallingWrap(v1alpha1.ReasonInvalidSpec, apiErr, "the name is taken"),
			want: got{Message: "the name is taken", AsPlatformKind: platform.KindConflict,
				Classification: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonInvalidSpec, Message: "the name is taken"}}},
		{name: "stalling without a cause",
			err: Stalling(v1alpha1.ReasonInvalidSpec, "bad %s", "spec"),
			want: got{Message: "bad spec",
				Classification: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonInvalidSpec, Message: "bad spec"}}},
		{name: "waiting with a cause",
			err: WaitingWrap(v1alpha1.ReasonCreating, time.Second, apiErr, "duplicate %s", "role"),
			want: got{Message: "duplicate role", AsPlatformKind: platform.KindConflict,
				Classification: Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonCreating, Message: "duplicate role", After: time.Second}}},
		{name: "waiting with a cause and no delay waits the default",
			err: WaitingWrap(v1alpha1.ReasonCreating, 0, cause, "w"),
			want: got{Message: "w", IsCause: true,
				Classification: Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonCreating, Message: "w", After: DefaultWait}}},
		{name: "a wait that puts off a stall waits: the outermost decides",
			err: WaitingWrap(v1alpha1.ReasonSecretNotAllowed, time.Second,
				fmt.Errorf("prepare: %w", StallingWrap(v1alpha1.ReasonSecretNotAllowed, cause, "may not read")), "%s; looking once more", "may not read"),
			want: got{Message: "may not read; looking once more", IsCause: true,
				Classification: Classification{Outcome: OutcomeWaiting, Reason: v1alpha1.ReasonSecretNotAllowed,
					Message: "may not read; looking once more", After: time.Second}}},
		{name: "a stall caused by a wait stalls",
			err: StallingWrap(v1alpha1.ReasonDeletionBlocked, Waiting(v1alpha1.ReasonRateLimited, time.Minute, "later"), "blocked"),
			want: got{Message: "blocked",
				Classification: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonDeletionBlocked, Message: "blocked"}}},
		{name: "a blocked deletion keeps what blocks it",
			err: deletionBlocked(&platform.Error{Kind: platform.KindForbidden, StatusCode: 403, Operation: "deleteEnterpriseRole", Message: "no"}),
			want: got{Message: blockedMsg, AsPlatformKind: platform.KindForbidden,
				Classification: Classification{Outcome: OutcomeStalling, Reason: v1alpha1.ReasonDeletionBlocked, Message: blockedMsg}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := got{Message: tc.err.Error(), IsCause: errors.Is(tc.err, cause), Classification: Classify(tc.err)}
			var pe *platform.Error
			if errors.As(tc.err, &pe) {
				g.AsPlatformKind = pe.Kind
			}
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
