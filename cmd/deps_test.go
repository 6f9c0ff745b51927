package main

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// managerPackage is this command, named by import path so that go list reads
// the build graph of the binary and not that of its tests.
const managerPackage = "enterprise-operator/cmd"

// The manager runs in customers' clusters: it should link the platform client,
// not the simulator, the server generated for it, or kin-openapi, which only the
// simulator's request validation needs. Nothing breaks when one of them slips
// in through an import, so only this test notices.
func TestManagerDoesNotLinkSimulatorOrServer(t *testing.T) {
	deps := managerDeps(t)
	// Without the client in the list, the list is not the manager's, and an
	// empty answer below would prove nothing.
	if !slices.Contains(deps, "enterprise-operator/internal/platform/api") {
		t.Fatalf("go list -deps %s does not list the platform client; got %d packages", managerPackage, len(deps))
	}

	tests := []struct {
		name    string
		subtree string
	}{
		{name: "kin-openapi", subtree: "github.com/getkin/kin-openapi"},
		// The subtree holds the generated server too (internal/platformsim/apiserver).
		{name: "simulator and its generated server", subtree: "enterprise-operator/internal/platformsim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff([]string(nil), under(deps, tt.subtree)); diff != "" {
				t.Errorf("%s links packages under %s (-want +got):\n%s", managerPackage, tt.subtree, diff)
			}
		})
	}
}

// managerDeps lists the import paths of every package the manager binary links.
func managerDeps(t *testing.T) []string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{.ImportPath}}", managerPackage)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", managerPackage, err, stderr.String())
	}
	return strings.Fields(stdout.String())
}

// under returns the paths that are subtree or below it (not a sibling that
// merely shares its prefix).
func under(paths []string, subtree string) []string {
	var out []string
	for _, p := range paths {
		if p == subtree || strings.HasPrefix(p, subtree+"/") {
			out = append(out, p)
		}
	}
	return out
}
