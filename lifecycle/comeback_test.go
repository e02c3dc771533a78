package lifecycle

import (
	"context"
	"reflect"
	"testing"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/config"
)

// comebackYAML is the way out of a lifecycle state: an ordinary
// classification rule (admins' `mode: auto`) that fires on any message of
// a 待激活客户 and adds 怀旧型用户; 会员状态 is exclusive, so applying it
// takes 待激活客户 off, and the suggestion service tells the follower.
const comebackYAML = `
groups:
  会员状态: {exclusive: true}
rules:
  - name: 老客回归
    when: has_tag("待激活客户")
    mode: auto
    tags: [怀旧型用户]
`

func TestComebackRule(t *testing.T) {
	cfg, err := config.Parse([]byte(comebackYAML), "config.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := classify.Compile(cfg.RuleSet().All(), classify.NewTagNames(names(testLibrary.Tags)))
	if err != nil {
		t.Fatal(err)
	}
	eng := classify.NewEngine(set, classify.EngineOptions{})
	msg := classify.Message{Customer: "c1", Employee: "zhangsan", From: classify.FromCustomer, Text: "好久不见，最近有什么新品？", Time: t0}
	for _, tt := range []struct {
		name string
		tags []string
		want []string // rules matched
	}{
		{"a dormant customer writes", []string{"待激活客户"}, []string{"老客回归"}},
		{"an active customer writes", []string{"活跃会员"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			facts := &classify.SliceFacts{Cust: classify.CustomerFacts{ID: "c1", Tags: tt.tags}, Messages: []classify.Message{msg}, At: t0}
			ms, err := eng.Classify(context.Background(), classify.Input{Message: &msg}, facts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				if m.Mode != classify.ModeAuto || !reflect.DeepEqual(m.Tags, []string{"怀旧型用户"}) {
					t.Errorf("match %+v; want auto 怀旧型用户", m)
				}
				got = append(got, m.Rule)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rules matched %q; want %q", got, tt.want)
			}
		})
	}
}
