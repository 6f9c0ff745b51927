package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIDUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    ID
		wantErr string // substring of the error; "" means success
	}{
		{name: "string", in: `"103"`, want: "103"},
		{name: "32-hex string (seed 002)", in: `"59cd72485007a239fb00282ed480da1f"`, want: "59cd72485007a239fb00282ed480da1f"},
		{name: "opaque string (seed 003)", in: `"xC5kfGz7w2Nz"`, want: "xC5kfGz7w2Nz"},
		{name: "escaped string", in: `"a\u0062c"`, want: "abc"},
		{name: "empty string", in: `""`, want: ""},
		{name: "integer (seed 001)", in: `103`, want: "103"},
		{name: "zero", in: `0`, want: "0"},
		{name: "negative", in: `-5`, want: "-5"},
		{name: "max int64", in: `9223372036854775807`, want: "9223372036854775807"},
		{name: "beyond float64 precision", in: `9007199254740993`, want: "9007199254740993"},
		{name: "beyond int64", in: `12345678901234567890`, want: "12345678901234567890"},
		{name: "surrounding space", in: " 12\n", want: "12"},

		{name: "null", in: `null`, wantErr: "got null"},
		{name: "true", in: `true`, wantErr: "got a boolean"},
		{name: "false", in: `false`, wantErr: "got a boolean"},
		{name: "object", in: `{}`, wantErr: "got an object"},
		{name: "object with id", in: `{"id":1}`, wantErr: "got an object"},
		{name: "array", in: `[]`, wantErr: "got an array"},
		{name: "array of id", in: `[1]`, wantErr: "got an array"},
		{name: "fraction", in: `1.5`, wantErr: "got the number 1.5"},
		{name: "exponent", in: `1e3`, wantErr: "got the number 1e3"},
		{name: "integral float", in: `12.0`, wantErr: "got the number 12.0"},
		{name: "empty", in: ``, wantErr: "got nothing"},
		{name: "unterminated string", in: `"12`, wantErr: "invalid id"},
		{name: "leading zero", in: `012`, wantErr: "invalid id"},
		{name: "bare minus", in: `-`, wantErr: "invalid id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ID("unchanged")
			err := got.UnmarshalJSON([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("UnmarshalJSON(%s) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				if got != "unchanged" {
					t.Errorf("UnmarshalJSON(%s) failed but set the id to %q", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("UnmarshalJSON(%s) = %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("UnmarshalJSON(%s) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestIDMarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "numeric text is a string", in: ID("12"), want: `"12"`},
		{name: "big number text is a string", in: ID("12345678901234567890"), want: `"12345678901234567890"`},
		{name: "hex", in: ID("59cd72485007a239fb00282ed480da1f"), want: `"59cd72485007a239fb00282ed480da1f"`},
		{name: "empty", in: ID(""), want: `""`},
		{name: "escaped", in: ID(`a"b`), want: `"a\"b"`},
		{name: "pointer", in: func() *ID { id := ID("7"); return &id }(), want: `"7"`},
		{name: "list", in: []ID{"1", "b2"}, want: `["1","b2"]`},
		{name: "generated model", in: UserGroup{Id: "103", Name: "Sales Team"}, want: `{"id":"103","name":"Sales Team"}`},
		{name: "optional id omitted", in: V3UserResult{}, want: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Marshal (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIDRoundTrip: a number decodes to its digits and is sent back as a string.
func TestIDRoundTrip(t *testing.T) {
	for _, in := range []string{`12345678901234567890`, `"12345678901234567890"`, `-1`, `"x"`} {
		var id ID
		if err := json.Unmarshal([]byte(in), &id); err != nil {
			t.Fatalf("Unmarshal(%s) = %v", in, err)
		}
		out, err := json.Marshal(id)
		if err != nil {
			t.Fatal(err)
		}
		want := in
		if !strings.HasPrefix(in, `"`) {
			want = `"` + in + `"`
		}
		if diff := cmp.Diff(want, string(out)); diff != "" {
			t.Errorf("round trip of %s (-want +got):\n%s", in, diff)
		}
	}
}

// TestIDNullInModels: null is no id. An optional id (a pointer field) decodes null
// to nil; a required id (a value field) rejects it.
func TestIDNullInModels(t *testing.T) {
	var r V3UserResult
	if err := json.Unmarshal([]byte(`{"resultCode":"OK","userId":null}`), &r); err != nil {
		t.Fatalf("optional null id: %v", err)
	}
	if r.UserId != nil {
		t.Errorf("optional null id = %q, want nil", *r.UserId)
	}

	var g UserGroup
	if err := json.Unmarshal([]byte(`{"id":null,"name":"Sales Team"}`), &g); err == nil {
		t.Errorf("required null id decoded as %q, want an error", g.Id)
	}
	var members GroupMemberIds
	if err := json.Unmarshal([]byte(`[[111,null]]`), &members); err == nil {
		t.Errorf("null member id decoded as %v, want an error", members)
	}
	if err := json.Unmarshal([]byte(`{"id":true,"name":"x"}`), &g); err == nil {
		t.Errorf("boolean id decoded as %q, want an error", g.Id)
	}
}

// TestSeed001Models decodes seed 001's literal example answers, which carry numeric
// ids, into the generated models.
func TestSeed001Models(t *testing.T) {
	t.Run("listEnterpriseUsersV3", func(t *testing.T) {
		var got V3UserList
		if err := json.Unmarshal(seed001(t, "users.json"), &got); err != nil {
			t.Fatal(err)
		}
		users := *got.Users
		if len(users) != 1 {
			t.Fatalf("users = %d, want 1", len(users))
		}
		u := users[0]
		type ids struct{ ID, UserID, ProfileID, EnterpriseID ID }
		want := ids{ID: "12", UserID: "12", ProfileID: "25", EnterpriseID: "12"}
		gotIDs := ids{ID: deref(u.Id), UserID: deref(u.UserId), ProfileID: deref(u.ProfileId), EnterpriseID: deref(u.Enterprise.Id)}
		if diff := cmp.Diff(want, gotIDs); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
	})
	t.Run("listEnterpriseGroups", func(t *testing.T) {
		var got []UserGroup
		if err := json.Unmarshal(seed001(t, "groups.json"), &got); err != nil {
			t.Fatal(err)
		}
		var ids []ID
		for _, g := range got {
			ids = append(ids, g.Id)
		}
		if diff := cmp.Diff([]ID{"103", "104"}, ids); diff != "" {
			t.Errorf("group ids (-want +got):\n%s", diff)
		}
	})
	t.Run("listEnterpriseGroupMembers", func(t *testing.T) {
		var got GroupMemberIds
		if err := json.Unmarshal(seed001(t, "group_members.json"), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(GroupMemberIds{{"111", "123"}}, got); diff != "" {
			t.Errorf("members (-want +got):\n%s", diff)
		}
	})
	t.Run("getCurrentUser", func(t *testing.T) {
		var got CurrentUserV3
		if err := json.Unmarshal(seed001(t, "me.json"), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]ID{"12", "15"}, []ID{got.UserId, got.EnterpriseId}); diff != "" {
			t.Errorf("userId, enterpriseId (-want +got):\n%s", diff)
		}
	})
	t.Run("getUserIdByEmail", func(t *testing.T) {
		var got UserIdLookup
		if err := json.Unmarshal(seed001(t, "user_id.json"), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]ID{"12", "18"}, []ID{got.UserId, deref(got.EnterpriseOd)}); diff != "" {
			t.Errorf("userId, enterpriseOd (-want +got):\n%s", diff)
		}
	})
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// seed001 reads one of seed 001's example answers, copied verbatim from
// /work/shared/seeds/001_afceb4f8ef3c2ecc.txt into internal/platform/testdata/seed001.
func seed001(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "seed001", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
