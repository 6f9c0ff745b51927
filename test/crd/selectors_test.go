package crd_test

import (
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1alpha1 "enterprise-operator/api/v1alpha1"
)

// selectorField is a label selector the operator parses, and a manifest that has it.
type selectorField struct {
	path, manifest string
	// prepare makes the manifest accept the selector at all.
	prepare mutation
}

var selectorFields = []selectorField{
	{"spec.memberSelector", validUserGroup, nil},
	{"spec.namespaceSelector", validPlatformConfig, nil},
	{"spec.adoption.namespaceSelector", validPlatformConfig, set("spec.adoption.policy", "NamespaceSelector")},
}

// The messages of the selector rules (api/v1alpha1/labelselector_types.go).
const (
	msgSelectorKey      = "key must be a label key such as app or example.com/team: an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit"
	msgSelectorLabelKey = "matchLabels keys must be label keys such as app or example.com/team: an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit"
	msgSelectorOperator = "operator must be In, NotIn, Exists or DoesNotExist"
	msgSelectorValue    = "a label value must be empty or at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit"
	msgSelectorNeedsOne = "values must list at least one value when operator is In or NotIn"
	msgSelectorNoValues = "values must be empty when operator is Exists or DoesNotExist"
)

// expr is one matchExpressions entry; values nil leaves the field out.
func expr(key, operator string, values ...string) map[string]any {
	e := map[string]any{"key": key, "operator": operator}
	if values != nil {
		e["values"] = strs(values...)
	}
	return e
}

// badSelectors are selectors the operator could not parse, each with the error the
// API server must answer: the path of the offending field (after the selector's own
// path) and the rule's message.
var badSelectors = []struct {
	name     string
	selector map[string]any
	path     string
	want     string
}{
	{"operator Equals", map[string]any{"matchExpressions": []any{expr("team", "Equals", "a")}},
		".matchExpressions[0].operator", msgSelectorOperator},
	{"operator in lower case", map[string]any{"matchExpressions": []any{expr("team", "in", "a")}},
		".matchExpressions[0].operator", msgSelectorOperator},
	{"operator Gt", map[string]any{"matchExpressions": []any{expr("team", "Exists"), expr("size", "Gt", "3")}},
		".matchExpressions[1].operator", msgSelectorOperator},
	{"In without values", map[string]any{"matchExpressions": []any{expr("team", "In")}},
		".matchExpressions[0].values", msgSelectorNeedsOne},
	{"NotIn with an empty list", map[string]any{"matchExpressions": []any{map[string]any{"key": "team", "operator": "NotIn", "values": []any{}}}},
		".matchExpressions[0].values", msgSelectorNeedsOne},
	{"Exists with a value", map[string]any{"matchExpressions": []any{expr("team", "Exists", "a")}},
		".matchExpressions[0].values", msgSelectorNoValues},
	{"DoesNotExist with a value", map[string]any{"matchExpressions": []any{expr("team", "DoesNotExist", "a")}},
		".matchExpressions[0].values", msgSelectorNoValues},
	{"key with a space", map[string]any{"matchExpressions": []any{expr("my team", "Exists")}},
		".matchExpressions[0].key", msgSelectorKey},
	{"key with an empty name", map[string]any{"matchExpressions": []any{expr("example.com/", "Exists")}},
		".matchExpressions[0].key", msgSelectorKey},
	{"key with an upper-case prefix", map[string]any{"matchExpressions": []any{expr("Example.com/team", "Exists")}},
		".matchExpressions[0].key", msgSelectorKey},
	{"key with a 64-character name", map[string]any{"matchExpressions": []any{expr(strings.Repeat("k", 64), "Exists")}},
		".matchExpressions[0].key", msgSelectorKey},
	{"key longer than 317", map[string]any{"matchExpressions": []any{expr(strings.Repeat("k", 318), "Exists")}},
		".matchExpressions[0].key", "Too long: may not be more than 317 bytes"},
	{"value starting with a dash", map[string]any{"matchExpressions": []any{expr("team", "In", "ok", "-a")}},
		".matchExpressions[0].values[1]", msgSelectorValue},
	{"value with a slash", map[string]any{"matchExpressions": []any{expr("team", "NotIn", "a/b")}},
		".matchExpressions[0].values[0]", msgSelectorValue},
	{"value longer than 63", map[string]any{"matchExpressions": []any{expr("team", "In", strings.Repeat("v", 64))}},
		".matchExpressions[0].values[0]", "Too long: may not be more than 63 bytes"},
	{"matchLabels key with a space", map[string]any{"matchLabels": map[string]any{"my team": "a"}},
		".matchLabels", msgSelectorLabelKey},
	{"matchLabels key with two slashes", map[string]any{"matchLabels": map[string]any{"a/b/c": "a"}},
		".matchLabels", msgSelectorLabelKey},
	{"matchLabels value with a space", map[string]any{"matchLabels": map[string]any{"team": "red team"}},
		".matchLabels[team]", msgSelectorValue},
	{"matchLabels value longer than 63", map[string]any{"matchLabels": map[string]any{"team": strings.Repeat("v", 64)}},
		".matchLabels.team", "Too long: may not be more than 63 bytes"},
	{"more than 64 expressions", map[string]any{"matchExpressions": func() []any {
		var out []any
		for range 65 {
			out = append(out, expr("team", "Exists"))
		}
		return out
	}()}, ".matchExpressions", "Too many: 65: must have at most 64 items"},
}

// goodSelectors are selectors of every form the operator parses.
var goodSelectors = []struct {
	name     string
	selector map[string]any
}{
	{"empty (selects everything)", map[string]any{}},
	{"matchLabels", map[string]any{"matchLabels": map[string]any{"team": "red", "example.com/tier": "gold_1.a-b"}}},
	{"matchLabels with an empty value", map[string]any{"matchLabels": map[string]any{"team": ""}}},
	{"every operator", map[string]any{"matchExpressions": []any{
		expr("team", "In", "red", "blue"), expr("tier", "NotIn", "bronze"),
		expr("example.com/owner", "Exists"), expr("legacy", "DoesNotExist"),
	}}},
	{"Exists with an empty values list", map[string]any{"matchExpressions": []any{
		map[string]any{"key": "team", "operator": "Exists", "values": []any{}}}}},
	{"longest key and value", map[string]any{"matchExpressions": []any{
		expr(strings.Repeat("a", 253)+"/"+strings.Repeat("k", 63), "In", strings.Repeat("v", 63))}}},
}

func badSelectorEntries() []TableEntry {
	var out []TableEntry
	for _, f := range selectorFields {
		for _, c := range badSelectors {
			out = append(out, Entry(f.path+": "+c.name, f, c.selector, f.path+c.path, c.want))
		}
	}
	return out
}

func goodSelectorEntries() []TableEntry {
	var out []TableEntry
	for _, f := range selectorFields {
		for _, c := range goodSelectors {
			out = append(out, Entry(f.path+": "+c.name, f, c.selector))
		}
	}
	return out
}

// withSelector is the field's manifest with the selector set.
func withSelector(f selectorField, selector map[string]any) *unstructured.Unstructured {
	u := mustOne(f.manifest)
	intoNamespace(u)
	if f.prepare != nil {
		f.prepare(u)
	}
	set(f.path, selector)(u)
	return u
}

var _ = Describe("label selectors the operator parses", func() {
	DescribeTable("refuse what the operator could not parse, naming the field and its form",
		func(f selectorField, selector map[string]any, path, want string) {
			u := withSelector(f, selector)
			err := k8sClient.Create(ctx, u, client.DryRunAll)
			Expect(err).To(HaveOccurred(), "the API server accepted %s %v", f.path, selector)
			GinkgoWriter.Println(err.Error())
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "expected 422 Invalid, got: %v", err)
			// The field's path, then (for a rule) "Invalid value:" and the offending
			// string, then the message.
			Expect(err.Error()).To(MatchRegexp(regexp.QuoteMeta(path) + `: (Invalid value: ("[^"]*": )?)?` + regexp.QuoteMeta(want)))
		},
		badSelectorEntries(),
	)

	DescribeTable("accept every form the operator parses",
		func(f selectorField, selector map[string]any) {
			Expect(k8sClient.Create(ctx, withSelector(f, selector), client.DryRunAll)).To(Succeed())
			// and the operator does parse it.
			var sel platformv1alpha1.LabelSelector
			Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(selector, &sel)).To(Succeed())
			_, err := sel.Selector()
			Expect(err).NotTo(HaveOccurred())
		},
		goodSelectorEntries(),
	)
})
