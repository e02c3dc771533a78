package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestGroupPolicyKeys checks required, max, visible_to and todo: as parsed
// and refused.
func TestGroupPolicyKeys(t *testing.T) {
	tests := []struct {
		name, yaml, want string // want: a problem in the error, "" for none
	}{
		{"all keys", "groups:\n  婚姻状况:\n    required: true\n    max: 2\n    visible_to: [managers, lisi, \"dept:7\"]\ntodo:\n  digest_at: \"08:15\"\n", ""},
		{"negative max", "groups:\n  爱好:\n    max: -1\n", "groups.爱好.max: must be a positive number"},
		{"exclusive with max", "groups:\n  爱好:\n    exclusive: true\n    max: 3\n", "exclusive already allows only one tag"},
		{"bad department", "groups:\n  爱好:\n    visible_to: [\"dept:x\"]\n", "groups.爱好.visible_to[0]: want dept:<department id>"},
		{"role typo", "groups:\n  爱好:\n    visible_to: [manager]\n", "did you mean \"managers\""},
		{"twice", "groups:\n  爱好:\n    visible_to: [lisi, lisi]\n", "visible_to[1]: \"lisi\" listed twice"},
		{"empty", "groups:\n  爱好:\n    visible_to: [\"\"]\n", "visible_to[0]: must not be empty"},
		{"bad digest time", "todo:\n  digest_at: \"9点\"\n", "todo.digest_at: want HH:MM"},
		{"unknown todo key", "todo:\n  at: \"09:00\"\n", "todo.at: unknown key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "config.yaml", nil)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want it to contain %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := GroupPolicy{Required: true, Max: 2, VisibleTo: []string{"managers", "lisi", "dept:7"}}
			if got := c.Groups["婚姻状况"]; !reflect.DeepEqual(got, want) {
				t.Errorf("group = %+v, want %+v", got, want)
			}
			if !c.UsesDepartments() || c.Todo.DigestAt != "08:15" || !c.Todo.Digest {
				t.Errorf("UsesDepartments %v, todo %+v", c.UsesDepartments(), c.Todo)
			}
		})
	}
}

// TestDeptID reads visible_to department entries.
func TestDeptID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		id   int
		want bool
	}{{"dept:7", 7, true}, {"dept:0", 0, false}, {"dept:", 0, false}, {"lisi", 0, false}, {"dept:-3", 0, false}} {
		if id, ok := DeptID(tc.in); ok != tc.want || (ok && id != tc.id) {
			t.Errorf("DeptID(%q) = %d, %v; want %d, %v", tc.in, id, ok, tc.id, tc.want)
		}
	}
}
