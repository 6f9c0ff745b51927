package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// LabelSelector is metav1.LabelSelector (same fields, same meaning) with a schema the
// API server can check. metav1's type carries no bounds and no rules, so a selector
// with operator Equals or a key with a space was stored and only stalled its object
// later, when the operator parsed it; these rules refuse it at admission instead. The
// bounds are what lets the CEL rules fit the API server's cost budget.
// +structType=atomic
type LabelSelector struct {
	// matchLabels selects objects that carry every one of these labels with exactly
	// this value. A {key, value} pair is the same as a matchExpressions entry with
	// operator In and the single value.
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, !format.qualifiedName().validate(k).hasValue())",message="matchLabels keys must be label keys such as app or example.com/team: an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit"
	// +optional
	MatchLabels map[string]LabelValue `json:"matchLabels,omitempty"`

	// matchExpressions are label requirements; an object must meet all of them (and
	// matchLabels).
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// metav1.LabelSelectorRequirement, with the rules its parser applies.

// LabelSelectorRequirement is one label requirement of a selector: a key, an
// operator, and the values the operator needs.
// +kubebuilder:validation:XValidation:rule="!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)",message="values must list at least one value when operator is In or NotIn",fieldPath=".values"
// +kubebuilder:validation:XValidation:rule="!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0",message="values must be empty when operator is Exists or DoesNotExist",fieldPath=".values"
type LabelSelectorRequirement struct {
	// key is the label key the requirement applies to, such as app or
	// example.com/team.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=317
	// +kubebuilder:validation:XValidation:rule="!format.qualifiedName().validate(self).hasValue()",message="key must be a label key such as app or example.com/team: an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit"
	// +required
	Key string `json:"key"`

	// operator relates the key to the values: In (the label's value is one of
	// values), NotIn (the label is absent or its value is none of values), Exists
	// (the label is present, whatever its value) or DoesNotExist.
	// +kubebuilder:validation:MaxLength=16
	// +kubebuilder:validation:XValidation:rule="self in ['In', 'NotIn', 'Exists', 'DoesNotExist']",message="operator must be In, NotIn, Exists or DoesNotExist"
	// +required
	Operator string `json:"operator"`

	// values are the label values for In and NotIn (at least one); Exists and
	// DoesNotExist take none.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Values []LabelValue `json:"values,omitempty"`
}

// LabelValue is the value of a label: empty, or at most 63 letters, digits, '-', '_'
// or '.', beginning and ending with a letter or digit.
// +kubebuilder:validation:MaxLength=63
// +kubebuilder:validation:XValidation:rule="!format.labelValue().validate(self).hasValue()",message="a label value must be empty or at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit"
type LabelValue string

// Selector parses the selector for matching; nil matches nothing, as a nil
// metav1.LabelSelector does. Admission has already refused what would fail here;
// the error remains for objects stored before the rules existed.
func (s *LabelSelector) Selector() (labels.Selector, error) {
	return metav1.LabelSelectorAsSelector(s.AsMetaV1())
}

// AsMetaV1 converts the selector to the apimachinery type.
func (s *LabelSelector) AsMetaV1() *metav1.LabelSelector {
	if s == nil {
		return nil
	}
	out := &metav1.LabelSelector{}
	if s.MatchLabels != nil {
		out.MatchLabels = make(map[string]string, len(s.MatchLabels))
		for k, v := range s.MatchLabels {
			out.MatchLabels[k] = string(v)
		}
	}
	for _, r := range s.MatchExpressions {
		req := metav1.LabelSelectorRequirement{Key: r.Key, Operator: metav1.LabelSelectorOperator(r.Operator)}
		for _, v := range r.Values {
			req.Values = append(req.Values, string(v))
		}
		out.MatchExpressions = append(out.MatchExpressions, req)
	}
	return out
}
