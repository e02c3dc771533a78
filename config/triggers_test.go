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
