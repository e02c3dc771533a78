package classify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/tagbot/tagbot/classify/rules"
)

// engineFrom compiles the YAML list of rules src (no tag check).
func engineFrom(t *testing.T, src string) *Engine {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	rs, err := rules.ParseRules(doc.Content[0], "test.yaml", "")
	if err != nil {
		t.Fatalf("ParseRules: %v", err)
	}
	set, err := Compile(rs, nil)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return NewEngine(set, EngineOptions{})
}

func ruleNames(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Rule)
	}
	return out
}

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a Monday, 18:00 in China

func custMsg(text string, at time.Time) Message {
	return Message{Customer: "wm1", Employee: "zhangsan", From: FromCustomer, Text: text, Time: at}
}

func TestConditions(t *testing.T) {
	e := engineFrom(t, `
- name: 三问色号
  keywords: [色号]
  when: count("色号", "7d") >= 3
  tags: [高意向]
- name: 深夜
  keywords: [睡不着]
  when: hour(message.time) < 5
  tags: [深夜失眠求助者]
- name: 周末
  regex: '.'
  when: weekday(message.time) == 0 or weekday(message.time) == 6
  tags: [周末客户]
- name: 老客户
  keywords: [你好]
  when: days_since(customer.added) > 180 and customer.state == "展会"
  tags: [老客户]
- name: 未购
  keywords: [下单]
  when: not has_tag("已购")
  tags: [待成交]
- name: 员工说
  keywords: [已发货]
  from: employee
  tags: [已发货]
- name: 包含
  when: message.text contains "ＶＩＰ" or includes(message.text, "ＳＶＩＰ")
  tags: [问VIP]
- name: 坏条件
  keywords: [坏]
  when: event.attrs.x > 1
  tags: [x]
`)
	added := t0.Add(-200 * 24 * time.Hour)
	tests := []struct {
		name    string
		msg     Message
		history []Message // earlier messages (the input is appended)
		cust    CustomerFacts
		want    []string
	}{
		{"third 色号 in 7 days fires", custMsg("这个色号有吗", t0),
			[]Message{custMsg("色号多少", t0.Add(-48*time.Hour)), custMsg("有别的色号吗", t0.Add(-time.Hour))}, CustomerFacts{}, []string{"三问色号"}},
		{"second 色号 does not", custMsg("这个色号有吗", t0),
			[]Message{custMsg("色号多少", t0.Add(-time.Hour))}, CustomerFacts{}, nil},
		{"old 色号 outside window", custMsg("色号", t0),
			[]Message{custMsg("色号", t0.Add(-8*24*time.Hour)), custMsg("色号", t0.Add(-time.Hour))}, CustomerFacts{}, nil},
		{"03:00 in China", custMsg("睡不着", time.Date(2026, 3, 1, 19, 0, 0, 0, time.UTC)), nil, CustomerFacts{}, []string{"深夜"}},
		{"10:00 in China", custMsg("睡不着", time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)), nil, CustomerFacts{}, nil},
		{"Saturday in China", custMsg("嗨", time.Date(2026, 2, 28, 1, 0, 0, 0, time.UTC)), nil, CustomerFacts{}, []string{"周末"}},
		{"customer facts", custMsg("你好", t0), nil, CustomerFacts{Added: added, State: "展会"}, []string{"老客户"}},
		{"customer too new", custMsg("你好", t0), nil, CustomerFacts{Added: t0.Add(-time.Hour), State: "展会"}, nil},
		{"has_tag false", custMsg("想下单", t0), nil, CustomerFacts{Tags: []string{"VIP"}}, []string{"未购"}},
		{"has_tag true", custMsg("想下单", t0), nil, CustomerFacts{Tags: []string{"已购"}}, nil},
		{"from customer only by default", Message{From: FromEmployee, Text: "想下单", Time: t0}, nil, CustomerFacts{}, nil},
		{"from employee", Message{From: FromEmployee, Text: "已发货", Time: t0}, nil, CustomerFacts{}, []string{"员工说"}},
		{"contains normalised", custMsg("vip怎么办", t0), nil, CustomerFacts{}, []string{"包含"}},
		{"run-time error is no match", custMsg("坏", t0), nil, CustomerFacts{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &SliceFacts{Cust: tt.cust, Messages: append(tt.history, tt.msg), At: tt.msg.Time}
			ms, err := e.Classify(context.Background(), Input{Message: &tt.msg}, f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ruleNames(ms)); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
	if e.ConditionErrors() == 0 {
		t.Error("ConditionErrors() = 0, want the failed condition counted")
	}
}

func TestEventRules(t *testing.T) {
	e := engineFrom(t, `
- name: 秒领券
  on: event:coupon_claim
  when: event.attrs.delay_seconds <= 3
  tags: [价格敏感型]
- name: 观望
  on: event:coupon_claim
  when: event.attrs.delay_seconds > 86400 or events("doc_view", "24h") >= 2
  tags: [观望型]
- name: 任何下单
  on: event:order
  tags: [已购]
  when: "true"
`)
	ev := func(typ string, attrs map[string]any) Event {
		return Event{Customer: "wm1", Type: typ, Time: t0, Attrs: attrs}
	}
	docView := ev("doc_view", nil)
	tests := []struct {
		name  string
		event Event
		prior []Event
		want  []string
	}{
		{"claimed in 3 s", ev("coupon_claim", map[string]any{"delay_seconds": 3}), nil, []string{"秒领券"}},
		{"claimed next day", ev("coupon_claim", map[string]any{"delay_seconds": 90000}), nil, []string{"观望"}},
		{"two doc views", ev("coupon_claim", map[string]any{"delay_seconds": 60}), []Event{docView, docView}, []string{"观望"}},
		{"missing attr is no match", ev("coupon_claim", nil), nil, nil},
		{"other type", ev("order", nil), nil, []string{"任何下单"}},
		{"unknown type", ev("refund", nil), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &SliceFacts{Evts: append(tt.prior, tt.event), At: t0}
			ms, err := e.Classify(context.Background(), Input{Event: &tt.event}, f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ruleNames(ms)); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			for _, m := range ms {
				if !strings.Contains(m.Evidence.Snippet, tt.event.Type) {
					t.Errorf("evidence %q does not name the event", m.Evidence.Snippet)
				}
			}
		})
	}
}
