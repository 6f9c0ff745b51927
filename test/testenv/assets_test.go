package testenv

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFindRoot(t *testing.T) {
	root := t.TempDir()
	mkdir(t, filepath.Join(root, "repo", "test", "crd"))
	mkdir(t, filepath.Join(root, "elsewhere", "deep"))
	write(t, filepath.Join(root, "repo", "go.mod"), "module enterprise-operator\n", 0o644)
	for _, tc := range []struct {
		name, from, want string
		wantErr          bool
	}{
		{name: "the root itself", from: "repo", want: "repo"},
		{name: "a package two levels down", from: "repo/test/crd", want: "repo"},
		{name: "outside any module", from: "elsewhere/deep", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findRoot(filepath.Join(root, filepath.FromSlash(tc.from)))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			want := ""
			if !tc.wantErr {
				want = filepath.Join(root, tc.want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("root (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssetsDir(t *testing.T) {
	built := t.TempDir() // a directory the fake script "built"
	for _, b := range assetBinaries {
		write(t, filepath.Join(built, b), "", 0o755)
	}
	partial := t.TempDir()
	write(t, filepath.Join(partial, "etcd"), "", 0o755)
	external := filepath.Join(t.TempDir(), "from-the-makefile")

	for _, tc := range []struct {
		name string
		// env is KUBEBUILDER_ASSETS ("" unsets it).
		env string
		// script is the body of the fake hack/setup-envtest.sh; "" leaves it out.
		script  string
		want    string
		wantErr bool
	}{
		{name: "KUBEBUILDER_ASSETS wins without running the script", env: external, script: "exit 1", want: external},
		{name: "KUBEBUILDER_ASSETS is taken as it is", env: external, want: external},
		{name: "the directory the script prints", script: "echo building >&2\necho " + built, want: built},
		{name: "the last line the script prints", script: "echo noise\necho " + built + "\necho", want: built},
		{name: "the script fails", script: "echo " + built + "\nexit 3", wantErr: true},
		{name: "no script", wantErr: true},
		{name: "the script prints nothing", script: "true", wantErr: true},
		{name: "the printed directory lacks a binary", script: "echo " + partial, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvAssets, tc.env)
			if tc.env == "" {
				if err := os.Unsetenv(EnvAssets); err != nil {
					t.Fatal(err)
				}
			}
			root := t.TempDir()
			if tc.script != "" {
				mkdir(t, filepath.Join(root, "hack"))
				write(t, filepath.Join(root, filepath.FromSlash(setupEnvtest)), "#!/bin/sh\n"+tc.script+"\n", 0o755)
			}
			got, err := AssetsDir(context.Background(), root, nil)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("assets directory (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRandHex(t *testing.T) {
	hexDigits := regexp.MustCompile(`^[0-9a-f]*$`)
	for _, n := range []int{0, 1, 4, 16, 24} {
		got := RandHex(n)
		if diff := cmp.Diff(2*n, len(got)); diff != "" {
			t.Errorf("RandHex(%d) = %q: length (-want +got):\n%s", n, got, diff)
		}
		if !hexDigits.MatchString(got) {
			t.Errorf("RandHex(%d) = %q, want lowercase hex digits only", n, got)
		}
	}
	// 128 random bits: equal twice only if the randomness is broken.
	if a, b := RandHex(16), RandHex(16); a == b {
		t.Errorf("RandHex(16) returned %q twice", a)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}
