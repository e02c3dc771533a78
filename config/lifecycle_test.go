package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLifecycle(t *testing.T) {
	rule := func(body string) string { return "lifecycle:\n  - name: 沉睡会员\n" + body }
	const ok = "    when: has_tag(\"活跃会员\")\n    add: [待激活客户]\n"
	tests := []struct {
		name, yaml string
		wantErr    string // "" for none
		want       []LifecycleRule
	}{
		{"every in days", rule("    every: 7d\n" + ok), "",
			[]LifecycleRule{{Name: "沉睡会员", Every: 7 * 24 * time.Hour, When: `has_tag("活跃会员")`, Add: []string{"待激活客户"}, Line: 2}}},
		{"at", rule("    at: \"09:30\"\n" + ok), "",
			[]LifecycleRule{{Name: "沉睡会员", At: "09:30", AtMinute: 9*60 + 30, When: `has_tag("活跃会员")`, Add: []string{"待激活客户"}, Line: 2}}},
		{"no schedule", rule(ok), `c.yaml:2: lifecycle[0]: rule "沉睡会员": needs every:`, nil},
		{"both", rule("    every: 1h\n    at: \"09:00\"\n" + ok), `c.yaml:4: lifecycle[0].at: rule "沉睡会员": give every: or at:, not both`, nil},
		{"bad at", rule("    at: \"25:00\"\n" + ok), `c.yaml:3: lifecycle[0].at: rule "沉睡会员": want a time of day like "09:00"`, nil},
		{"every too short", rule("    every: 10s\n" + ok), `c.yaml:3: lifecycle[0].every: rule "沉睡会员": want a period like 1h or 7d: at least 1m0s`, nil},
		{"no tags", rule("    every: 1h\n    when: has_tag(\"a\")\n"), `needs add: or remove:`, nil},
		{"add and remove the same tag", rule("    every: 1h\n" + ok + "    remove: [待激活客户]\n"), `tag "待激活客户" is both in add and remove`, nil},
		{"unknown function with column", rule("    every: 1h\n    when: days_snce(customer.last_message) > 180\n    add: [a]\n"),
			"c.yaml:4: lifecycle[0].when: rule \"沉睡会员\": unknown name days_snce (column 1)\n  | days_snce(customer.last_message) > 180\n  | ^", nil},
		{"unknown field", rule("    every: 1h\n    when: days_since(customer.last_mesage) > 180\n    add: [a]\n"),
			`customer has no field last_mesage (column 21)`, nil},
		{"bad window", rule("    every: 1h\n    when: count_events(\"order\", \"90x\") == 0\n    add: [a]\n"),
			`lifecycle[0].when: rule "沉睡会员": window "90x"`, nil},
		{"block scalar line", rule("    every: 1h\n    when: |\n      has_tag(\"a\") and\n      bogus > 1\n    add: [a]\n"),
			`c.yaml:6: lifecycle[0].when: rule "沉睡会员": unknown name bogus (column 1)`, nil},
		{"unknown key", rule("    every: 1h\n" + ok + "    notify: [lisi]\n"), `c.yaml:6: lifecycle[0].notify: unknown key`, nil},
		{"duplicate name", "lifecycle:\n  - {name: a, every: 1h, when: 'true', add: [x]}\n  - {name: a, every: 2h, when: 'true', add: [y]}\n",
			`c.yaml:3: lifecycle[1].name: rule "a" is defined twice (first at line 2)`, nil},
		{"not a list", "lifecycle: 3\n", `lifecycle: want a list of rules`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "c.yaml", nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Parse error = %v\nwant it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := c.Lifecycle
			for i := range got {
				if got[i].Program() == nil {
					t.Errorf("rule %d: condition not compiled", i)
				}
				got[i].prog = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rules\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
