package lifecycle

import (
	"context"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
)

// router serves e's Service as an extension; boss is an admin.
func (e *env) router() func(user, text string) string {
	e.t.Helper()
	cfg := config.Default()
	cfg.Roles.Admins = []string{"boss"}
	r, err := commands.NewRouter(commands.Options{Store: e.st, Config: cfg, Now: e.clk.Now, Extensions: []commands.Extension{e.svc}})
	if err != nil {
		e.t.Fatal(err)
	}
	return func(user, text string) string {
		var parts []string
		for _, rep := range r.HandleText(context.Background(), user, text) {
			if rep.Card != nil {
				parts = append(parts, "[card] "+strings.Join(rep.Card.Lines, " | "))
			} else {
				parts = append(parts, rep.Text)
			}
		}
		return strings.Join(parts, "\n")
	}
}

func TestCommands(t *testing.T) {
	e := newEnv(t, testYAML)
	seedSleepers(e, 25)
	say := e.router()
	steps := []struct {
		name, user, text string
		want, not        []string
	}{
		{"list", "zhangsan", "/lifecycle", []string{"生命周期规则（3 条）", "沉睡会员 · 每天 09:00 · 下次 06-02 09:00", "童装尺码过期 · 每 1h", "还没有执行过"}, nil},
		{"preview is for admins", "zhangsan", "/lifecycle preview", []string{"只有管理员"}, []string{"沉睡0"}},
		{"preview page 1", "boss", "/lifecycle preview", []string{"会改 25 处", "沉睡会员：25 处", "第 1/2 页", "沉睡0（跟进人 zhangsan）+待激活客户 -活跃会员 · 沉睡会员", "下一页：/lifecycle preview page:2"}, []string{"活跃0"}},
		{"preview page 2", "boss", "/lifecycle preview page:2", []string{"第 2/2 页", "21. 沉睡20"}, []string{"下一页"}},
		{"preview one rule", "boss", "/lifecycle 预览 咖啡因依赖", []string{"会改 0 处"}, []string{"沉睡0"}},
		{"unknown rule", "boss", "/lifecycle preview 不存在", []string{"没有生命周期规则「不存在」", "/lifecycle"}, nil},
		{"bad verb", "boss", "/lifecycle delete", []string{"没有 /lifecycle delete"}, nil},
		{"run is proposed", "boss", "/lifecycle run", []string{"改 25 处客户关系", "+待激活客户 ×25", "/confirm"}, nil},
		{"nothing applied before confirm", "boss", "/lifecycle", []string{"还没有执行过"}, nil},
		{"confirm runs it", "boss", "/confirm", []string{"已开始执行 bg-life-1", "/undo bg-life-1"}, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got := say(s.user, s.text)
			for _, w := range s.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %q: reply lacks %q:\n%s", s.user, s.text, w, got)
				}
			}
			for _, n := range s.not {
				if strings.Contains(got, n) {
					t.Errorf("%s %q: reply has %q:\n%s", s.user, s.text, n, got)
				}
			}
		})
	}
	e.drain()
	got := say("zhangsan", "/lifecycle")
	if !strings.Contains(got, "bg-life-1：本规则计划改 25 处（+待激活客户 ×25，-活跃会员 ×25）；整批（已完成）已改 25、跳过 0 · 撤销 /undo bg-life-1") {
		t.Errorf("after the run /lifecycle says:\n%s", got)
	}
	if got := say("boss", "/lifecycle run"); !strings.Contains(got, "不会改动任何客户") {
		t.Errorf("a second run: %s; want nothing to do", got)
	}
}

// FuzzLifecycleCommand: whatever follows /lifecycle, an admin gets an
// answer, never an internal error, and nothing is applied without /confirm.
func FuzzLifecycleCommand(f *testing.F) {
	for _, s := range []string{"", "preview", "preview page:2", "run 沉睡会员", "预览 咖啡因依赖 page:0", "run +x -y @z #1", "preview \"沉 睡\""} {
		f.Add(s)
	}
	e := newEnv(f, testYAML)
	seedSleepers(e, 3)
	say := e.router()
	f.Fuzz(func(t *testing.T, args string) {
		got := say("boss", "/lifecycle "+args)
		if strings.Contains(got, "内部错误") {
			t.Fatalf("/lifecycle %q: %s", args, got)
		}
		if jobs, err := e.st.Jobs(false); err != nil || len(jobs) > 0 {
			t.Fatalf("/lifecycle %q created jobs %v (%v) without /confirm", args, jobs, err)
		}
	})
}

// TestListHidesHiddenGroups: a rule naming a tag of a group hidden from
// the user (visible_to), in its condition, its change or its last run,
// is left out of /lifecycle for them; admins see every rule.
func TestListHidesHiddenGroups(t *testing.T) {
	e := newEnv(t, testYAML)
	cfg := config.Default()
	cfg.Roles = config.Roles{Admins: []string{"boss"}, Managers: []string{"mgr", "lisi"}}
	cfg.Groups = map[string]config.GroupPolicy{"偏好": {VisibleTo: []string{"lisi"}}}
	r, err := commands.NewRouter(commands.Options{Store: e.st, Config: cfg, Now: e.clk.Now, Extensions: []commands.Extension{e.svc}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user      string
		want, not []string
	}{
		{"zhangsan", []string{"生命周期规则（2 条）", "沉睡会员", "童装尺码过期"}, []string{"咖啡因依赖"}},
		{"mgr", []string{"生命周期规则（2 条）", "沉睡会员"}, []string{"咖啡因依赖"}},
		{"lisi", []string{"生命周期规则（3 条）", "咖啡因依赖症"}, nil},
		{"boss", []string{"生命周期规则（3 条）", "咖啡因依赖症"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			var got string
			for _, rep := range r.HandleText(context.Background(), tt.user, "/lifecycle") {
				got += rep.Text
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("reply has %q:\n%s", n, got)
				}
			}
		})
	}
}
