package suggestion

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
)

func TestRulesCommand(t *testing.T) {
	e := newEnv(t)
	// 价格咨询: 1 confirmed, 2 rejected → 33%, flagged. 犹豫: 1 confirmed, 1 expired → 50%.
	e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型")
	e.say("zhangsan", "/confirm 1")
	e.offer("act:2", "c2", "zhangsan", "价格咨询", "", "价格敏感型")
	e.say("zhangsan", "/reject 2")
	e.offer("act:3", "c1", "lisi", "价格咨询", "", "价格敏感型")
	e.say("lisi", "/reject 3")
	e.offer("act:4", "c3", "lisi", "犹豫", "", "观望型")
	e.say("lisi", "/confirm 4")
	e.offer("act:5", "c1", "lisi", "犹豫", "", "观望型")
	e.offer("act:6", "c2", "zhangsan", "旧规则", "", "高意向")
	e.clk.Advance(4 * 24 * time.Hour)
	if _, err := e.svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ user, want string }{
		{"mgr", "打标规则（近 30 天：确认 / 忽略 / 过期）：\n" +
			"价格咨询 → 价格敏感型：1 / 2 / 0，确认率 33% ⚠ 低于 50%，建议修改规则\n" +
			"犹豫 → 观望型：1 / 0 / 1，确认率 50%\n" +
			"旧规则（已不在规则里）：0 / 0 / 1，确认率 0% ⚠ 低于 50%，建议修改规则"},
		{"boss", "价格咨询 → 价格敏感型：1 / 2 / 0"},
		{"zhangsan", "/rules 只有主管和管理员可以使用"},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			if got := e.say(tt.user, "/rules"); !strings.Contains(got, tt.want) {
				t.Errorf("/rules as %s =\n%s\nwant it to contain\n%s", tt.user, got, tt.want)
			}
		})
	}
	e.clk.Advance(31 * 24 * time.Hour)
	if got := e.say("mgr", "/rules"); !strings.Contains(got, "价格咨询 → 价格敏感型：0 / 0 / 0\n") {
		t.Errorf("/rules after 35 days = %q, want nothing counted", got)
	}
	t.Run("filter", func(t *testing.T) {
		got := e.say("mgr", "/rules 观望")
		if !strings.Contains(got, "犹豫 → 观望型") || strings.Contains(got, "价格咨询") {
			t.Errorf("/rules 观望 = %q, want only the rule tagging 观望型", got)
		}
		if got := e.say("mgr", "/rules 没有这种"); !strings.Contains(got, "没有名字或标签含「没有这种」的规则") {
			t.Errorf("/rules 没有这种 = %q", got)
		}
	})
}

func TestClassifyCommand(t *testing.T) {
	tests := []struct {
		name, user, cmd, want string
		sent                  []classify.Message
	}{
		{"followed", "zhangsan", "/classify 王小明 这个 多少钱？", "已提交 王小明 的这句话",
			[]classify.Message{{Customer: "c1", Employee: "zhangsan", From: "customer", Text: "这个 多少钱？", Time: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}}},
		{"not followed", "zhangsan", "/classify 赵敏 多少钱", "你跟进的客户里没有「赵敏」", nil},
		{"no text", "zhangsan", "/classify 王小明", "请写客户和客户说的话", nil},
		{"plus kept", "lisi", "/classify 赵敏 +1 有货吗", "已提交 赵敏",
			[]classify.Message{{Customer: "c3", Employee: "lisi", From: "customer", Text: "+1 有货吗", Time: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if got := e.say(tt.user, tt.cmd); !strings.Contains(got, tt.want) {
				t.Errorf("%s = %q, want %q", tt.cmd, got, tt.want)
			}
			acts, err := e.st.ActivitiesAfter(0, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []classify.Message
			for _, a := range acts {
				got = append(got, classify.Message{Customer: a.Customer, Employee: a.Employee, From: a.From, Text: a.Text, Time: a.Time})
			}
			if !reflect.DeepEqual(got, tt.sent) {
				t.Errorf("queued %+v, want %+v", got, tt.sent)
			}
		})
	}
}

type reloader struct{ err error }

func (r reloader) ReloadRules() error { return r.err }

func TestReloadCommand(t *testing.T) {
	tests := []struct {
		name, user string
		err        error
		want       string
	}{
		{"ok", "boss", nil, "规则已重新加载，现在共 2 条。"},
		{"bad rules", "boss", errors.New("rules[2] 价格: when: line 1, column 9: unknown name cnt"), "新配置有错，仍在使用原来的规则、触发器和生命周期规则：\nrules[2] 价格: when: line 1, column 9: unknown name cnt"},
		{"manager", "mgr", nil, "/reload 只有管理员可以使用"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.svc.SetRules(e.svc.opts.Rules, reloader{tt.err})
			if got := e.say(tt.user, "/reload"); !strings.HasPrefix(got, tt.want) {
				t.Errorf("/reload = %q, want %q…", got, tt.want)
			}
		})
	}
}

func TestConfirmWithoutNumberKeepsItsMeaning(t *testing.T) {
	e := newEnv(t)
	e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型")
	if got := e.say("zhangsan", "/confirm"); !strings.Contains(got, "没有等待确认的操作") {
		t.Errorf("/confirm = %q, want the proposal answer", got)
	}
	if got := e.relTags("c1", "zhangsan"); len(got) != 0 {
		t.Errorf("tags = %v, want none", got)
	}
	if got := e.say("zhangsan", "/confirm abc"); !strings.Contains(got, "「abc」不是建议号") {
		t.Errorf("/confirm abc = %q, want a usage hint", got)
	}
}
