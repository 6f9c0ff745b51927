package v1alpha1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

func TestLabelSelectorAsMetaV1(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   *LabelSelector
		want *metav1.LabelSelector
		// selector is what Selector() parses it to; matchesEmpty whether that
		// matches an object without labels.
		selector     string
		matchesEmpty bool
	}{
		{name: "nil matches nothing", in: nil, want: nil, selector: "", matchesEmpty: false},
		{name: "empty matches everything", in: &LabelSelector{}, want: &metav1.LabelSelector{}, selector: "", matchesEmpty: true},
		{
			name:     "matchLabels",
			in:       &LabelSelector{MatchLabels: map[string]LabelValue{"team": "red", "example.com/tier": ""}},
			want:     &metav1.LabelSelector{MatchLabels: map[string]string{"team": "red", "example.com/tier": ""}},
			selector: "example.com/tier=,team=red",
		},
		{
			name: "every operator",
			in: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{
				{Key: "team", Operator: "In", Values: []LabelValue{"red", "blue"}},
				{Key: "tier", Operator: "NotIn", Values: []LabelValue{"bronze"}},
				{Key: "owner", Operator: "Exists"},
				{Key: "legacy", Operator: "DoesNotExist"},
			}},
			want: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "team", Operator: metav1.LabelSelectorOpIn, Values: []string{"red", "blue"}},
				{Key: "tier", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"bronze"}},
				{Key: "owner", Operator: metav1.LabelSelectorOpExists},
				{Key: "legacy", Operator: metav1.LabelSelectorOpDoesNotExist},
			}},
			selector:     "!legacy,owner,team in (blue,red),tier notin (bronze)",
			matchesEmpty: false,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.in.AsMetaV1()); diff != "" {
				t.Errorf("AsMetaV1 (-want +got):\n%s", diff)
			}
			sel, err := tc.in.Selector()
			if err != nil {
				t.Fatalf("Selector: %v", err)
			}
			if got := sel.String(); got != tc.selector {
				t.Errorf("Selector: %q, want %q", got, tc.selector)
			}
			if got := sel.Matches(labels.Set{}); got != tc.matchesEmpty {
				t.Errorf("Selector matches an object without labels: %v, want %v", got, tc.matchesEmpty)
			}
		})
	}
}

// A selector stored before admission checked selectors still fails to parse, and
// the caller stalls the object on the error.
func TestLabelSelectorInvalid(t *testing.T) {
	for _, in := range []*LabelSelector{
		{MatchExpressions: []LabelSelectorRequirement{{Key: "team", Operator: "Equals", Values: []LabelValue{"a"}}}},
		{MatchExpressions: []LabelSelectorRequirement{{Key: "team", Operator: "In"}}},
		{MatchLabels: map[string]LabelValue{"my team": "a"}},
	} {
		if _, err := in.Selector(); err == nil {
			t.Errorf("Selector(%+v) parsed", in)
		}
	}
}
