package rbac

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// call is one request of the manager, as the API server's authorizer saw it.
type call struct {
	Verb  string
	Group string
	// Resource is the resource, or resource/subresource.
	Resource string
	// Namespace is empty for a cluster-wide or cluster-scoped request.
	Namespace string
	// NonResource is the path of a request that names no resource (discovery).
	NonResource string
	Code        int
	URI         string
}

func (c call) String() string {
	if c.NonResource != "" {
		return fmt.Sprintf("%s %s (%d)", c.Verb, c.NonResource, c.Code)
	}
	ns := "cluster-wide"
	if c.Namespace != "" {
		ns = "in " + c.Namespace
	}
	s := fmt.Sprintf("%s %s %s", c.Verb, groupResource(c.Group, c.Resource), ns)
	if c.URI != "" {
		s += " (" + c.URI + ")"
	}
	return s
}

func groupResource(group, resource string) string {
	if group == "" {
		return resource
	}
	base, sub, found := strings.Cut(resource, "/")
	if found {
		return base + "." + group + "/" + sub
	}
	return resource + "." + group
}

// needs returns the verbs a call needs rules for. A watch that streams the initial list
// (sendInitialEvents, client-go's WatchListClient, on by default) replaces the list of
// an informer, but the reflector falls back to a plain list when the API server does
// not serve such watches (older servers, or the feature turned off), so it needs list
// as well: granting watch alone would break the operator there.
func (c call) needs() []string {
	verbs := []string{c.Verb}
	if c.Verb == "watch" && c.URI != "" {
		if u, err := url.Parse(c.URI); err == nil && u.Query().Get("sendInitialEvents") == "true" {
			verbs = append(verbs, "list")
		}
	}
	return verbs
}

// auditEvent is what the test reads of an audit.k8s.io/v1 Event.
type auditEvent struct {
	AuditID    string `json:"auditID"`
	Stage      string `json:"stage"`
	RequestURI string `json:"requestURI"`
	Verb       string `json:"verb"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		APIGroup    string `json:"apiGroup"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
}

// readAudit returns the requests user made, one per audit id (a watch is logged when
// its response starts and again when it ends; the last stage has the final code).
func readAudit(path, user string) ([]call, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byID := map[string]int{}
	var calls []call
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		var ev auditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if ev.User.Username != user {
			continue
		}
		c := call{Verb: ev.Verb, URI: ev.RequestURI}
		if ev.ResponseStatus != nil {
			c.Code = ev.ResponseStatus.Code
		}
		if r := ev.ObjectRef; r != nil && r.Resource != "" {
			c.Group, c.Resource, c.Namespace = r.APIGroup, r.Resource, r.Namespace
			if r.Subresource != "" {
				c.Resource += "/" + r.Subresource
			}
		} else {
			c.NonResource, _, _ = strings.Cut(ev.RequestURI, "?")
		}
		if i, ok := byID[ev.AuditID]; ok {
			calls[i] = c
			continue
		}
		byID[ev.AuditID] = len(calls)
		calls = append(calls, c)
	}
	return calls, sc.Err()
}

// grant is one verb on one resource that one bound role gives the subject.
type grant struct {
	// Role names the role ("ClusterRole x", "Role x"): Roles of one name in several
	// namespaces are the same rules per watched namespace.
	Role     string
	Group    string
	Resource string
	Verb     string
	// Namespace is where it applies; empty means everywhere (a ClusterRoleBinding).
	Namespace string
}

func (g grant) String() string {
	where := "cluster-wide"
	if g.Namespace != "" {
		where = "in " + g.Namespace
	}
	return fmt.Sprintf("%s: %s %s %s", g.Role, g.Verb, groupResource(g.Group, g.Resource), where)
}

func (g grant) allows(c call, verb string) bool {
	return c.NonResource == "" && g.Group == c.Group && g.Resource == c.Resource && g.Verb == verb &&
		(g.Namespace == "" || g.Namespace == c.Namespace)
}

// grantsFor expands the rules of the roles that the install's bindings give the
// ServiceAccount ns/name. Wildcards, non-resource rules, resourceNames and roles bound
// to nobody are errors: each is a grant no single call accounts for.
func grantsFor(objs []*unstructured.Unstructured, ns, name string) ([]grant, []string, error) {
	var problems []string
	roles := map[string][]rbacv1.PolicyRule{} // "Role ns/name" or "ClusterRole name"
	bound := map[string]bool{}
	type binding struct {
		ns      string
		roleRef rbacv1.RoleRef
	}
	var bindings []binding
	for _, o := range objs {
		switch o.GetKind() {
		case "ClusterRole", "Role":
			var r rbacv1.Role // same rules field as ClusterRole
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &r); err != nil {
				return nil, nil, err
			}
			roles[roleKey(o.GetKind(), o.GetNamespace(), o.GetName())] = r.Rules
		case "ClusterRoleBinding", "RoleBinding":
			var b rbacv1.RoleBinding // same subjects and roleRef as ClusterRoleBinding
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &b); err != nil {
				return nil, nil, err
			}
			if !slices.ContainsFunc(b.Subjects, func(s rbacv1.Subject) bool {
				return s.Kind == rbacv1.ServiceAccountKind && s.Namespace == ns && s.Name == name
			}) {
				problems = append(problems, fmt.Sprintf("%s %s/%s binds someone other than the manager", o.GetKind(), o.GetNamespace(), o.GetName()))
				continue
			}
			bindings = append(bindings, binding{ns: o.GetNamespace(), roleRef: b.RoleRef})
		}
	}
	var grants []grant
	for _, b := range bindings {
		key := roleKey(b.roleRef.Kind, b.ns, b.roleRef.Name)
		rules, ok := roles[key]
		if !ok {
			problems = append(problems, fmt.Sprintf("a binding in %q refers to %s, which the install does not have", b.ns, key))
			continue
		}
		bound[key] = true
		for _, r := range rules {
			if len(r.NonResourceURLs) > 0 || len(r.ResourceNames) > 0 {
				problems = append(problems, fmt.Sprintf("%s grants nonResourceURLs %q or resourceNames %q", key, r.NonResourceURLs, r.ResourceNames))
			}
			for _, group := range r.APIGroups {
				for _, res := range r.Resources {
					for _, verb := range r.Verbs {
						if group == "*" || res == "*" || verb == "*" {
							problems = append(problems, fmt.Sprintf("%s has a wildcard: verbs %q on %q in groups %q", key, r.Verbs, r.Resources, r.APIGroups))
						}
						grants = append(grants, grant{Role: b.roleRef.Kind + " " + b.roleRef.Name,
							Group: group, Resource: res, Verb: verb, Namespace: b.ns})
					}
				}
			}
		}
	}
	for key := range roles {
		if !bound[key] {
			problems = append(problems, key+" is bound to nobody")
		}
	}
	slices.Sort(problems)
	return grants, slices.Compact(problems), nil
}

func roleKey(kind, ns, name string) string {
	if kind == "ClusterRole" {
		return "ClusterRole " + name
	}
	return "Role " + ns + "/" + name
}

// comparison is what differs between the calls and the grants.
type comparison struct {
	// Refused are requests the API server answered 403.
	Refused []string
	// Missing are calls (verb and scope) no grant allows: a call without a rule.
	Missing []string
	// Unused are grants (role, verb, resource) no call used: a rule without a call.
	Unused []string
}

func compare(calls []call, grants []grant) comparison {
	var out comparison
	used := map[string]bool{}
	seen := map[string]bool{}
	add := func(list *[]string, s string) {
		if !seen[s] {
			seen[s] = true
			*list = append(*list, s)
		}
	}
	for _, c := range calls {
		if c.Code == 403 {
			add(&out.Refused, c.String())
		}
		if c.NonResource != "" {
			// Discovery: every authenticated user may (system:discovery); a refusal is
			// reported above.
			continue
		}
		for _, verb := range c.needs() {
			allowed := false
			for _, g := range grants {
				if g.allows(c, verb) {
					allowed = true
					used[unusedKey(g)] = true
				}
			}
			if !allowed {
				add(&out.Missing, fmt.Sprintf("%s %s (needed by %s)", verb, groupResource(c.Group, c.Resource), c))
			}
		}
	}
	for _, g := range grants {
		if k := unusedKey(g); !used[k] {
			add(&out.Unused, k)
		}
	}
	slices.Sort(out.Refused)
	slices.Sort(out.Missing)
	slices.Sort(out.Unused)
	return out
}

// unusedKey identifies a rule across the namespaces its role is bound in: a Role
// repeated per watched namespace is used if its rule is used in any of them.
func unusedKey(g grant) string {
	return fmt.Sprintf("%s: %s %s", g.Role, g.Verb, groupResource(g.Group, g.Resource))
}
