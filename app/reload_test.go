package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// reloadRig is a serving Main whose config file a test rewrites, talked to
// through the callback as WeCom would (admin wangwu, employee zhangsan).
type reloadRig struct {
	m    *Main
	fake *wecomtest.Server
	file string
	n    int // callback message ids
}

func newReloadRig(t *testing.T) *reloadRig {
	t.Helper()
	fake, cfg := fakeCompany(t)
	r := &reloadRig{fake: fake, file: filepath.Join(t.TempDir(), "config.yaml")}
	r.write(t, "")
	cfg.Roles.Admins = []string{"wangwu"}
	m, err := New(cfg, Options{Logger: discard(), ConfigPath: r.file})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SyncIfNeeded(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown(context.Background()) })
	r.m = m
	return r
}

func (r *reloadRig) write(t *testing.T, yaml string) {
	t.Helper()
	if err := os.WriteFile(r.file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// say sends text from user through the callback and returns the bot's
// next message to user.
func (r *reloadRig) say(t *testing.T, user, text string) string {
	t.Helper()
	before := len(r.fake.Messages())
	r.n++
	resp, err := r.fake.Deliver(t.Context(), r.m.CallbackURL(), r.fake.CallbackText(user, text, fmt.Sprintf("reload-%d", r.n)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var got string
	waitFor(t, "the reply to "+text, func() bool {
		for _, msg := range r.fake.Messages()[before:] {
			if msg.ToUser == user {
				got = msg.Text
				return true
			}
		}
		return false
	})
	return got
}

// hasTag reports whether customer's relationship with zhangsan has the
// tag named name in tagbot.
func (r *reloadRig) hasTag(t *testing.T, customer, name string) bool {
	t.Helper()
	rel, err := r.m.Store.Relationship(customer, "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	tags, err := r.m.Store.Tags(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tags {
		if _, ok := rel.Tags[tag.ID]; ok && tag.Name == name {
			return true
		}
	}
	return false
}

const reloadTrigger = "triggers:\n  - name: 报价带展会\n    on_add: [已报价]\n    add: [展会]\n"

// TestReloadTriggersThroughRouter: an admin's /reload swaps config.yaml's
// triggers in; a new file whose triggers loop, or whose rules are bad, is
// refused whole, the reply naming what is wrong, and the running triggers
// keep firing (a new trigger of the refused file does not); a trigger
// naming a tag not in the library is loaded with a warning; a file
// without triggers turns them off.
func TestReloadTriggersThroughRouter(t *testing.T) {
	r := newReloadRig(t)
	r.write(t, reloadTrigger)
	if got := r.say(t, "wangwu", "/reload"); !strings.Contains(got, "触发器 1 个") {
		t.Fatalf("/reload = %q, want it to say 触发器 1 个", got)
	}
	r.say(t, "zhangsan", "/tag 李华 +已报价")
	if !r.hasTag(t, "wmDemo0002", "展会") {
		t.Fatal("after /reload, +已报价 did not fire 报价带展会 (李华 lacks 展会)")
	}
	refused := []struct {
		name, yaml, want string
		customer, who    string
	}{
		{"loop", reloadTrigger + "  - name: 展会带报价\n    on_add: [展会]\n    add: [已报价]\n",
			`"报价带展会" → "展会带报价" → "报价带展会"`, "wmDemo0003", "13800000003"},
		{"bad rule beside a new trigger", "rules:\n  - name: 坏\n    keywords: [x]\n    tags: [不存在的标签]\n" +
			"triggers:\n  - name: 报价带抖音\n    on_add: [已报价]\n    add: [抖音]\n",
			`config.yaml:4: rule "坏": tags`, "wmDemo0004", "13800000004"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r.write(t, tt.yaml)
			got := r.say(t, "wangwu", "/reload")
			if !strings.Contains(got, "新配置有错") || !strings.Contains(got, tt.want) {
				t.Fatalf("/reload = %q, want it refused naming %s", got, tt.want)
			}
			r.say(t, "zhangsan", "/tag "+tt.who+" +已报价")
			if !r.hasTag(t, tt.customer, "展会") || r.hasTag(t, tt.customer, "抖音") {
				t.Errorf("after the refused reload +已报价 on %s does not fire just the running trigger 报价带展会", tt.customer)
			}
		})
	}
	r.write(t, "triggers:\n  - name: 缺标签\n    on_add: [已报价]\n    add: [不存在的标签]\n")
	if got := r.say(t, "wangwu", "/reload"); !strings.Contains(got, "触发器 1 个") ||
		!strings.Contains(got, `config.yaml:2: trigger "缺标签": add: tag "不存在的标签" is not in the tag library`) {
		t.Fatalf("/reload of a trigger naming a missing tag = %q, want it loaded with a warning naming the tag and line", got)
	}
	r.write(t, "")
	if got := r.say(t, "wangwu", "/reload"); !strings.Contains(got, "触发器 0 个") {
		t.Fatalf("/reload of a file without triggers = %q, want 触发器 0 个", got)
	}
	r.say(t, "zhangsan", "/tag 赵小姐 +已报价")
	if r.hasTag(t, "wmDemo0007", "展会") {
		t.Error("a trigger removed from the file still fired after /reload")
	}
}

// TestReloadKeepsGroupsAndRoles: groups: and roles: are those of start-up
// until a restart (commands, the store's limits and the trigger notes all
// hold them), so a reload takes the rest and says that those wait.
func TestReloadKeepsGroupsAndRoles(t *testing.T) {
	r := newReloadRig(t)
	r.write(t, "roles:\n  admins: [wangwu]\ngroups:\n  跟进阶段: {max: 1}\n"+reloadTrigger)
	got := r.say(t, "wangwu", "/reload")
	if !strings.Contains(got, "groups: 的修改要重启") || strings.Contains(got, "roles:") {
		t.Fatalf("/reload = %q, want it to say groups: waits for a restart (roles: unchanged)", got)
	}
	r.say(t, "zhangsan", "/tag 李华 +已报价")
	if !r.hasTag(t, "wmDemo0002", "展会") {
		t.Fatal("the reloaded trigger did not fire")
	}
	if got := r.say(t, "zhangsan", "/tag 李华 +已成交"); strings.Contains(got, "最多") {
		t.Errorf("/tag = %q: the max of a group edited after start-up applied before a restart", got)
	}
}
