// Package health_test checks the Argo CD health scripts in config/argocd: every kind of
// the API group has one, all of them are copies of config/argocd/health.lua, and each
// case of every health_test.yaml yields the status and message it names when run the
// way Argo CD runs it. It also reads every case with kstatus (what Flux computes),
// requires each kind to have a case of every state a GitOps wait meets, and checks
// that the cases carry what the operator writes (Reconciling, observedGeneration).
//
// After editing config/argocd/health.lua, rewrite the per-kind copies and the
// argocd-cm patch with:
//
//	go test ./test/health/ -run TestGeneratedFiles -update
package health_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"enterprise-operator/api/v1alpha1"
)

var update = flag.Bool("update", false,
	"rewrite the per-kind health.lua copies and argocd-cm-patch.yaml from config/argocd/health.lua")

const (
	argocdDir     = "../../config/argocd"
	canonicalPath = argocdDir + "/health.lua"
	patchPath     = argocdDir + "/argocd-cm-patch.yaml"
	// unpausableKind is the one kind whose controller ignores the paused annotation.
	unpausableKind = "PlatformConfig"
)

var group = v1alpha1.GroupVersion.Group

func customizationsDir() string {
	return filepath.Join(argocdDir, "resource_customizations", group)
}

// kinds lists the object kinds of the API group from the scheme, so a new kind without a
// health check fails TestEveryKindHasHealthCheck.
func kinds(t *testing.T) []string {
	t.Helper()
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	var out []string
	for gvk, typ := range s.AllKnownTypes() {
		if gvk.GroupVersion() != v1alpha1.GroupVersion || strings.HasSuffix(gvk.Kind, "List") {
			continue
		}
		if _, ok := typ.FieldByName("ObjectMeta"); !ok {
			continue // WatchEvent, *Options and the like registered by AddToGroupVersion
		}
		out = append(out, gvk.Kind)
	}
	slices.Sort(out)
	if len(out) == 0 {
		t.Fatal("no kinds registered in the scheme")
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// configMapKey is the argocd-cm key Argo CD reads a kind's health script from.
func configMapKey(kind string) string {
	return "resource.customizations.health." + group + "_" + kind
}

// renderPatch renders the argocd-cm patch carrying the script for every kind.
func renderPatch(script string, kinds []string) string {
	var b strings.Builder
	b.WriteString("# Generated from config/argocd/health.lua by\n")
	b.WriteString("#   go test ./test/health/ -run TestGeneratedFiles -update\n")
	b.WriteString("# Do not edit. It adds the enterprise-operator health checks to Argo CD's argocd-cm;\n")
	b.WriteString("# see docs/gitops.md.\n")
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\ndata:\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %s: |\n", configMapKey(k))
		for line := range strings.SplitSeq(strings.TrimRight(script, "\n"), "\n") {
			if line == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString("    " + line + "\n")
		}
	}
	return b.String()
}

func TestEveryKindHasHealthCheck(t *testing.T) {
	want := kinds(t)
	for _, k := range want {
		for _, f := range []string{"health.lua", "health_test.yaml"} {
			if _, err := os.Stat(filepath.Join(customizationsDir(), k, f)); err != nil {
				t.Errorf("kind %s: %v", k, err)
			}
		}
	}
	entries, err := os.ReadDir(customizationsDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(want, e.Name()) {
			t.Errorf("%s: no kind %s in group %s", filepath.Join(customizationsDir(), e.Name()), e.Name(), group)
		}
	}
}

// TestGeneratedFiles keeps one canonical script: Argo CD needs a file (and an argocd-cm
// key) per kind, and each must be a copy of config/argocd/health.lua.
func TestGeneratedFiles(t *testing.T) {
	script := readFile(t, canonicalPath)
	ks := kinds(t)
	files := map[string]string{patchPath: renderPatch(script, ks)}
	for _, k := range ks {
		files[filepath.Join(customizationsDir(), k, "health.lua")] = script
	}
	for path, want := range files {
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run: go test ./test/health/ -run TestGeneratedFiles -update)", err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s is not up to date with %s (run: go test ./test/health/ -run TestGeneratedFiles -update)", path, canonicalPath)
		}
	}

	// The patch is YAML whose values are the script itself, byte for byte.
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(readFile(t, patchPath)), &cm); err != nil {
		t.Fatalf("%s: %v", patchPath, err)
	}
	if cm.Name != "argocd-cm" || len(cm.Data) != len(ks) {
		t.Errorf("%s: name %q with %d keys, want argocd-cm with %d", patchPath, cm.Name, len(cm.Data), len(ks))
	}
	for _, k := range ks {
		if cm.Data[configMapKey(k)] != script {
			t.Errorf("%s: %s is not the script", patchPath, configMapKey(k))
		}
	}
}

// healthTests is Argo CD's health_test.yaml format.
type healthTests struct {
	Tests []struct {
		HealthStatus struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"healthStatus"`
		InputPath string `json:"inputPath"`
	} `json:"tests"`
}

type healthCase struct {
	kind, inputPath, status, message string
	object                           map[string]any
}

func loadCases(t *testing.T, kind string) []healthCase {
	t.Helper()
	dir := filepath.Join(customizationsDir(), kind)
	var ht healthTests
	if err := yaml.UnmarshalStrict([]byte(readFile(t, filepath.Join(dir, "health_test.yaml"))), &ht); err != nil {
		t.Fatalf("%s/health_test.yaml: %v", dir, err)
	}
	if len(ht.Tests) == 0 {
		t.Fatalf("%s/health_test.yaml has no tests", dir)
	}
	var cases []healthCase
	for _, tc := range ht.Tests {
		cases = append(cases, healthCase{
			kind: kind, inputPath: tc.InputPath,
			status: tc.HealthStatus.Status, message: tc.HealthStatus.Message,
			object: loadObject(t, filepath.Join(dir, tc.InputPath)),
		})
	}
	return cases
}

// loadObject decodes a manifest the way the API machinery does for unstructured
// objects: whole numbers become int64, as Argo CD's controller sees them.
func loadObject(t *testing.T, path string) map[string]any {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(readFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	obj := map[string]any{}
	if err := utiljson.Unmarshal(j, &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj
}

// toLua converts a decoded object to Lua values as Argo CD's decodeValue does.
func toLua(l *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case int:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []any:
		arr := l.CreateTable(len(x), 0)
		for _, item := range x {
			arr.Append(toLua(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(x))
		for k, item := range x {
			tbl.RawSetH(lua.LString(k), toLua(l, item))
		}
		return tbl
	}
	return lua.LNil
}

// validStatuses are the health codes Argo CD accepts from a script.
var validStatuses = []string{"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}

// runHealth runs a health script the way Argo CD does: a fresh state with only the
// package, base and table libraries (argocd-cm scripts get no string, math or io library
// unless useOpenLibs is set; built-in scripts get all of them), a one-second deadline,
// the object as the global `obj`, and the returned table read for status and message.
func runHealth(script string, obj map[string]any, openLibs bool) (status, message string, err error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: !openLibs})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return "", "", err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return "", "", err
	}
	tbl, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return "", "", fmt.Errorf("script returned %s, not a table", l.Get(-1).Type())
	}
	var errs []error
	tbl.ForEach(func(k, v lua.LValue) {
		switch k.String() {
		case "status", "message":
			if v.Type() != lua.LTString {
				errs = append(errs, fmt.Errorf("%s is a %s, not a string", k, v.Type()))
			}
		default:
			errs = append(errs, fmt.Errorf("unexpected key %q in the returned table", k.String()))
		}
	})
	status, message = lua.LVAsString(tbl.RawGetString("status")), lua.LVAsString(tbl.RawGetString("message"))
	if !slices.Contains(validStatuses, status) {
		errs = append(errs, fmt.Errorf("status %q is not one Argo CD accepts", status))
	}
	return status, message, errors.Join(errs...)
}

func TestHealthChecks(t *testing.T) {
	for _, kind := range kinds(t) {
		script := readFile(t, filepath.Join(customizationsDir(), kind, "health.lua"))
		for _, tc := range loadCases(t, kind) {
			t.Run(kind+"/"+strings.TrimSuffix(filepath.Base(tc.inputPath), ".yaml"), func(t *testing.T) {
				if got := tc.object["kind"]; got != kind {
					t.Errorf("%s: kind is %v, want %s", tc.inputPath, got, kind)
				}
				if got := tc.object["apiVersion"]; got != v1alpha1.GroupVersion.String() {
					t.Errorf("%s: apiVersion is %v, want %s", tc.inputPath, got, v1alpha1.GroupVersion)
				}
				for _, openLibs := range []bool{false, true} {
					status, message, err := runHealth(script, tc.object, openLibs)
					if err != nil {
						t.Fatalf("openLibs=%v: %v", openLibs, err)
					}
					if status != tc.status || message != tc.message {
						t.Errorf("openLibs=%v:\n got  %s: %q\n want %s: %q", openLibs, status, message, tc.status, tc.message)
					}
				}
			})
		}
	}
}

// TestCaseCoverage asks every kind for a case of each health, and for the case every
// GitOps tool gets wrong first: a spec change the operator has not applied yet.
func TestCaseCoverage(t *testing.T) {
	for _, kind := range kinds(t) {
		t.Run(kind, func(t *testing.T) {
			cases := loadCases(t, kind)
			want := []string{"Healthy", "Progressing", "Degraded", "Suspended"}
			if kind == unpausableKind {
				// The operator does not honour the paused annotation on PlatformConfig, so
				// it is never Suspended; a case shows the annotation is ignored instead.
				want = want[:3]
				if !slices.ContainsFunc(cases, func(c healthCase) bool {
					return c.status == "Healthy" && annotation(c.object, v1alpha1.AnnotationPaused) == "true"
				}) {
					t.Errorf("no case showing the paused annotation does not suspend a %s", kind)
				}
			}
			for _, s := range want {
				if !slices.ContainsFunc(cases, func(c healthCase) bool { return c.status == s }) {
					t.Errorf("no %s case", s)
				}
			}
			if !slices.ContainsFunc(cases, func(c healthCase) bool {
				gen, observed := number(c.object, "metadata", "generation"), number(c.object, "status", "observedGeneration")
				return c.status == "Progressing" && gen > 0 && observed > 0 && gen > observed && readyStatus(c.object) == "True"
			}) {
				t.Errorf("no case where metadata.generation is newer than status.observedGeneration while Ready=True (must be Progressing)")
			}

			// Every testdata file is used by a case.
			used := map[string]bool{}
			for _, c := range cases {
				used[filepath.Clean(c.inputPath)] = true
			}
			files, err := filepath.Glob(filepath.Join(customizationsDir(), kind, "testdata", "*"))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if rel := filepath.Join("testdata", filepath.Base(f)); !used[rel] {
					t.Errorf("%s is not used by health_test.yaml", f)
				}
			}
		})
	}
}

func field(obj map[string]any, path ...string) any {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func number(obj map[string]any, path ...string) int64 {
	switch v := field(obj, path...).(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func annotation(obj map[string]any, name string) string {
	s, _ := field(obj, "metadata", "annotations", name).(string)
	return s
}

func readyStatus(obj map[string]any) string {
	conds, _ := field(obj, "status", "conditions").([]any)
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == v1alpha1.ConditionReady {
			s, _ := m["status"].(string)
			return s
		}
	}
	return ""
}

// TestNoStringLibrary guards the script against the libraries argocd-cm scripts lack:
// in that mode a call to string.*, math.* or a method on a string fails at run time, so
// it must also fail here for a case that reaches it.
func TestNoStringLibrary(t *testing.T) {
	_, _, err := runHealth(`local hs = {}; hs.status = string.upper("healthy"); return hs`, map[string]any{}, false)
	if err == nil {
		t.Fatal("string library is available without openLibs; the harness does not match Argo CD")
	}
	// The field tree Argo CD passes is what the script expects.
	status, message, err := runHealth(`local hs = {}; hs.status = "Healthy"; hs.message = obj.metadata.name .. "/" .. obj.metadata.generation; return hs`,
		map[string]any{"metadata": map[string]any{"name": "acme", "generation": int64(7)}}, false)
	if err != nil || status != "Healthy" || message != "acme/7" {
		t.Fatalf("got %q %q %v", status, message, err)
	}
}
