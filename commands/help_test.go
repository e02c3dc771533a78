package commands

import (
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
)

func TestHelpIsGeneratedFromSpecs(t *testing.T) {
	e := newEnv(t)
	got := e.say("zhangsan", "/help")
	for _, s := range e.r.Specs() {
		if !strings.Contains(got, s.Usage+" — "+s.Summary) {
			t.Errorf("/help lacks %s:\n%s", s.Name, got)
		}
	}
	if !strings.Contains(got, "/rollback <客户> <时间> [@跟进人] — 把客户的标签恢复到过去某个时间（主管）（你没有权限）") {
		t.Errorf("/help does not mark commands the employee may not use:\n%s", got)
	}
	if strings.Contains(e.say("boss", "/help"), "你没有权限") {
		t.Error("/help marks commands for the admin")
	}
	e.mustSay("zhangsan", "/help tag", "也可以写：/打标签、/加标签")
	e.mustSay("zhangsan", "/帮助 /rollback", "仅限主管和管理员。")
	e.mustSay("zhangsan", "/help 撤销", "/undo [变更号] [force]")
	e.mustSay("zhangsan", "/help tga", "没有这个命令 /tga，你是不是想用 /tag？")
	e.mustSay("zhangsan", "/Help", "可以用的命令")
}

func TestWhoami(t *testing.T) {
	e := newEnv(t)
	tests := []struct{ user, want, not string }{
		{"zhangsan", "你是 zhangsan，角色：员工。", "标签组「区域」"},
		{"lisi", "标签组「区域」只有zhangsan可以修改", ""},
		{"lisi", "标签组「渠道」只有主管可以修改", ""},
		{"mgr", "角色：主管。\n你可以修改所有客户的标签（包括受保护标签）", "受保护标签 VIP"},
		{"boss", "恢复被删除的标签（/restore）", "不能修改"},
	}
	for _, tc := range tests {
		got := e.mustSay(tc.user, "/whoami", tc.want)
		if tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("%s /whoami mentions %q:\n%s", tc.user, tc.not, got)
		}
	}
}

func TestNewRouterValidation(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		mod  func(*config.Config)
		err  string
	}{
		{"unknown group is fine", func(c *config.Config) { c.Groups["还没同步"] = config.GroupPolicy{Exclusive: true} }, ""},
		{"empty editor", func(c *config.Config) { c.Groups["渠道"] = config.GroupPolicy{EditableBy: []string{" "}} }, "groups.渠道.editable_by[0]: empty"},
		{"singular role", func(c *config.Config) { c.Groups["渠道"] = config.GroupPolicy{EditableBy: []string{"manager"}} }, `did you mean "managers"`},
		{"duplicate editor", func(c *config.Config) {
			c.Groups["渠道"] = config.GroupPolicy{EditableBy: []string{"zhangsan", "zhangsan"}}
		}, "listed twice"},
		{"empty protected", func(c *config.Config) { c.Groups["客户等级"] = config.GroupPolicy{Protected: []string{""}} }, "protected[0]: empty"},
		{"empty group name", func(c *config.Config) { c.Groups[""] = config.GroupPolicy{} }, "group name is empty"},
	}
	for _, tc := range tests {
		cfg := testConfig()
		tc.mod(cfg)
		_, err := NewRouter(Options{Store: e.st, Config: cfg})
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
	}
	if _, err := NewRouter(Options{Config: testConfig()}); err == nil {
		t.Error("NewRouter without a store succeeded")
	}
	if _, err := NewRouter(Options{Store: e.st}); err == nil {
		t.Error("NewRouter without a config succeeded")
	}
}

func TestGroupsListsPolicies(t *testing.T) {
	e := newEnv(t)
	got := e.say("zhangsan", "/标签库")
	for _, want := range []string{
		"【意向程度】中意向、低意向、高意向（互斥：只能选一个）",
		"【渠道】展会（仅主管可改）",
		"【区域】华东（仅zhangsan可改）",
		"【兴趣】保健品、咖啡\n",
		"配置了规则但标签库里还没有的组：未同步的组",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/groups lacks %q:\n%s", want, got)
		}
	}
}
