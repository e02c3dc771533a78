package wecomtest

import (
	"net/url"
	"reflect"
	"testing"
)

// TestDepartments checks user/get's department list: root by default,
// then what SetDepartments says, for a known and a new member.
func TestDepartments(t *testing.T) {
	s := fake(t, Options{})
	s.AddUser("u1", "一")
	tests := []struct {
		name, user string
		set        []int
		want       []any
	}{
		{"default root", "u1", nil, []any{float64(1)}},
		{"set", "u1", []int{3, 7}, []any{float64(3), float64(7)}},
		{"new member", "fin", []int{9}, []any{float64(9)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.set != nil {
				s.SetDepartments(tc.user, tc.set...)
			}
			r := get(t, s, "user/get", url.Values{"userid": {tc.user}})
			if got := r["department"]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("department = %v, want %v", got, tc.want)
			}
		})
	}
}
