package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const triggersYAML = `triggers:
  - name: 成分党是精致育儿派
    on_add: [成分党]
    add: [精致育儿派]
  - name: 成交去掉报价
    on_add: [已成交]
    remove: [已报价]
  - name: 缺陷转技术
    on_add: [产品缺陷投诉]
    notify: [wangwu, managers]
  - name: 解决后回访
    on_add: [已解决客户]
    remind_after: 72h
    remind: 3 天后回访
`

func TestTriggersDecode(t *testing.T) {
	c, err := Parse([]byte(triggersYAML), "config.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Trigger{
		{Name: "成分党是精致育儿派", OnAdd: []string{"成分党"}, Add: []string{"精致育儿派"}, Line: 2},
		{Name: "成交去掉报价", OnAdd: []string{"已成交"}, Remove: []string{"已报价"}, Line: 5},
		{Name: "缺陷转技术", OnAdd: []string{"产品缺陷投诉"}, Notify: []string{"wangwu", "managers"}, Line: 8},
		{Name: "解决后回访", OnAdd: []string{"已解决客户"}, RemindAfter: 72 * time.Hour, Remind: "3 天后回访", Line: 11},
	}
	for i := range want {
		if i >= len(c.Triggers) {
			t.Fatalf("got %d triggers, want %d", len(c.Triggers), len(want))
		}
		if !reflect.DeepEqual(c.Triggers[i], want[i]) {
			t.Errorf("trigger %d = %+v\nwant %+v", i, c.Triggers[i], want[i])
		}
	}
}

func TestTriggersRefused(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"not a list", "triggers: {a: 1}\n", "triggers: want a list of triggers"},
		{"no name", "triggers:\n  - on_add: [A]\n    add: [B]\n", `config.yaml:2: triggers[0]: trigger "": name is required`},
		{"no event", "triggers:\n  - name: x\n    add: [B]\n", "needs on_add or on_remove"},
		{"no action", "triggers:\n  - name: x\n    on_add: [A]\n", "does nothing"},
		{"remind alone", "triggers:\n  - name: x\n    on_add: [A]\n    remind: hi\n", "remind and remind_after go together"},
		{"unknown key", "triggers:\n  - name: x\n    on_add: [A]\n    add: [B]\n    adds: [C]\n", "triggers[0].adds: unknown key"},
		{"long tag", "triggers:\n  - name: x\n    on_add: [A]\n    add: [" + strings.Repeat("长", 31) + "]\n", "must be 1 to 30 characters"},
		{"same name", "triggers:\n  - {name: x, on_add: [A], add: [B]}\n  - {name: x, on_add: [C], add: [D]}\n", `trigger "x": name used twice`},
		{"self loop", "triggers:\n  - {name: 自己, on_add: [A], add: [A2], remove: [B]}\n  - {name: 回来, on_add: [A2], add: [A]}\n",
			`triggers: triggers fire one another in a loop: "自己" → "回来" → "自己"`},
		{"remove loop", "triggers:\n  - {name: a, on_remove: [X], remove: [Y]}\n  - {name: b, on_remove: [Y], remove: [X]}\n",
			`in a loop: "a" → "b" → "a"`},
		{"too deep", "triggers:\n  - {name: t1, on_add: [A], add: [B]}\n  - {name: t2, on_add: [B], add: [C]}\n  - {name: t3, on_add: [C], add: [D]}\n  - {name: t4, on_add: [D], add: [E]}\n  - {name: t5, on_add: [E], add: [F]}\n",
			`a chain of 5 triggers is longer than 4: "t1" → "t2" → "t3" → "t4" → "t5"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "config.yaml", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestTriggerChainOfFourAccepted(t *testing.T) {
	y := "triggers:\n  - {name: t1, on_add: [A], add: [B]}\n  - {name: t2, on_add: [B], add: [C]}\n  - {name: t3, on_add: [C], add: [D]}\n  - {name: t4, on_add: [D], add: [E]}\n"
	if _, err := Parse([]byte(y), "config.yaml", nil); err != nil {
		t.Fatalf("a chain of %d: %v", MaxTriggerChain, err)
	}
}

// TestCheckTriggersAgainstLibrary: with the tag library's groups, a loop
// through an exclusive group's implicit removals and an add list that
// breaks a group's exclusive or max are refused; what the library cannot
// place is left to the run-time checks.
func TestCheckTriggersAgainstLibrary(t *testing.T) {
	groups := map[string]GroupPolicy{"意向程度": {Exclusive: true}, "关注产品": {Max: 2}}
	groupOf := map[string]string{"高意向": "意向程度", "中意向": "意向程度", "低意向": "意向程度",
		"化妆品": "关注产品", "3C数码": "关注产品", "母婴": "关注产品", "已成交": "跟进阶段"}
	lookup := func(tag string) []string {
		if g, ok := groupOf[tag]; ok {
			return []string{g}
		}
		return nil
	}
	tests := []struct {
		name string
		ts   []Trigger
		want string // "" = accepted
	}{
		{"loop through an exclusive removal", []Trigger{
			{Name: "T1", OnAdd: []string{"中意向"}, Add: []string{"高意向"}},
			{Name: "T2", OnRemove: []string{"中意向"}, Add: []string{"中意向"}},
		}, `triggers fire one another in a loop: "T1" → "T2" → "T1"`},
		{"exclusive removal that ends", []Trigger{
			{Name: "T1", OnAdd: []string{"已成交"}, Add: []string{"高意向"}},
			{Name: "T2", OnRemove: []string{"中意向"}, Notify: []string{"lisi"}},
		}, ""},
		{"two tags of an exclusive group", []Trigger{
			{Name: "两个意向", OnAdd: []string{"已成交"}, Add: []string{"高意向", "中意向"}},
		}, `trigger "两个意向": add: 「高意向」 and 「中意向」 are both in the exclusive group 「意向程度」`},
		{"more than max", []Trigger{
			{Name: "三个产品", OnAdd: []string{"已成交"}, Add: []string{"化妆品", "3C数码", "母婴"}},
		}, `trigger "三个产品": add: 3 tags of group 「关注产品」 (化妆品, 3C数码, 母婴), more than its max of 2`},
		{"max reached exactly", []Trigger{
			{Name: "两个产品", OnAdd: []string{"已成交"}, Add: []string{"化妆品", "3C数码"}},
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTriggerGroups(tc.ts, groups, lookup)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v, want accepted", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}
