package app

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/rules"
	"github.com/tagbot/tagbot/config"
)

// demoRulesYAML are the demo's rules when its config has none, so that
// `~客户名: 文本` suggests tags out of the box.
const demoRulesYAML = `
- name: 价格咨询
  keywords: [多少钱, 价格, 优惠, 便宜, 打折, 贵]
  exclude: [不问价格, 不在乎价格, 不贵]
  tags: [价格敏感型]
- name: 购买意向
  keywords: [怎么买, 下单, 有货吗, 什么时候发货, 想要]
  tags: [高意向]
- name: 秒领优惠券
  on: event:coupon_claim
  when: 'event.attrs.delay_seconds <= 3'
  tags: [价格敏感型]
- name: 货比三家
  keywords: [货比三家, 比了几家]
  tags: [价格敏感型, 高意向]
- name: 隔天看券
  on: event:coupon_claim
  when: 'event.attrs.delay_seconds >= 86400'
  tags: [观望型]
`

// demoEngine is the rule engine of the demo: the config's rules, or
// demoRulesYAML when it has none.
func demoEngine(cfg *config.Config, log *slog.Logger) (*classify.Engine, error) {
	rs := cfg.RuleSet().All()
	if len(rs) == 0 {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(demoRulesYAML), &doc); err != nil {
			return nil, err
		}
		var err error
		if rs, err = rules.ParseRules(doc.Content[0], "demo rules", ""); err != nil {
			return nil, err
		}
	}
	set, err := classify.Compile(rs, nil)
	if err != nil {
		return nil, err
	}
	return classify.NewEngine(set, classify.EngineOptions{Logger: log}), nil
}

// injection is a demo line `~客户名: 文本` (a customer's message) or
// `~客户名 !type key=value …` (a behaviour event).
type injection struct {
	Customer  string
	Text      string         // the message; "" for an event
	EventType string         // the event's type; "" for a message
	Attrs     map[string]any // the event's attributes (numbers as float64)
}

// errInjection explains the demo's injection syntax.
var errInjection = errors.New("（客户消息写作 ~客户名: 文本，例如 ~王小明: 这个多少钱；客户行为写作 ~客户名 !coupon_claim delay_seconds=3）")

// parseInjection reads a demo injection line, without its leading ~.
func parseInjection(line string) (injection, error) {
	line = strings.TrimSpace(line)
	if i := strings.IndexAny(line, ":："); i >= 0 && !strings.Contains(line[:i], "!") {
		in := injection{Customer: strings.TrimSpace(line[:i]), Text: strings.TrimSpace(strings.TrimLeft(line[i:], ":："))}
		if in.Customer == "" || in.Text == "" {
			return injection{}, errInjection
		}
		return in, nil
	}
	cust, rest, ok := strings.Cut(line, "!")
	fields := strings.Fields(rest)
	if !ok || strings.TrimSpace(cust) == "" || len(fields) == 0 {
		return injection{}, errInjection
	}
	in := injection{Customer: strings.TrimSpace(cust), EventType: fields[0], Attrs: map[string]any{}}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return injection{}, fmt.Errorf("（看不懂「%s」：事件属性写作 key=value）", f)
		}
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			in.Attrs[k] = n
		} else {
			in.Attrs[k] = v
		}
	}
	return in, nil
}
