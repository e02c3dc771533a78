package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

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

// demoRules gives the demo its rules: the config's, or demoRulesYAML when
// it has none (set into cfg, so Start compiles them against the tag library
// and /reload works as in serve).
func demoRules(cfg *config.Config) error {
	if len(cfg.RuleSet().All()) > 0 {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(demoRulesYAML), &doc); err != nil {
		return err
	}
	rs, err := rules.ParseRules(doc.Content[0], "demo rules", "")
	if err != nil {
		return err
	}
	set := cfg.RuleSet()
	if set == nil {
		set = &rules.Set{}
	}
	cfg.SetRuleSet(&rules.Set{Rules: rs, Packs: set.Packs})
	return nil
}

// applyDemoPacks creates the tags of the config's rule packs on the fake
// WeCom (as tagbot pack apply would), so a demo config naming packs works.
func (d *DemoBot) applyDemoPacks(ctx context.Context) error {
	for _, p := range d.Main.Config.RuleSet().Packs {
		if _, err := applyPack(ctx, d.Main.Store, d.Main.Syncer, p); err != nil {
			return err
		}
	}
	return nil
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
