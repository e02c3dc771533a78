package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// TestLifecycleDryRunCLI: `tagbot lifecycle --dry-run` names the customers
// the rules would change and changes nothing; a rule naming a tag the
// library lacks is a usage error naming the rule.
func TestLifecycleDryRunCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tagbot.db")
	long := time.Now().Add(-400 * 24 * time.Hour)
	st, err := store.Open(db, store.Options{Now: func() time.Time { return long }})
	if err != nil {
		t.Fatal(err)
	}
	lib := store.Library{Groups: []store.Group{{ID: "g1", Name: "会员状态"}}, Tags: []store.Tag{
		{ID: "t1", GroupID: "g1", GroupName: "会员状态", Name: "活跃会员"}, {ID: "t2", GroupID: "g1", GroupName: "会员状态", Name: "待激活客户"}}}
	if _, err := st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"王沉睡", "李沉睡"} {
		id := "id-" + c
		if err := st.UpsertCustomer(store.Customer{ID: id, Name: c}, []store.FollowInfo{{Follower: "zhangsan", CreateTime: long}}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceSync, Customer: id, Follower: "zhangsan", Add: []store.TagRef{{ID: "t1"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	rule := func(tag string) string {
		return "store:\n  path: " + db + "\nlifecycle:\n  - name: 沉睡会员\n    every: 1d\n" +
			"    when: days_since(customer.last_message) > 180 and has_tag(\"活跃会员\")\n    add: [" + tag + "]\n    remove: [活跃会员]\n"
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(rule("待激活客户")), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := LifecycleDryRun(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"会改 2 处", "王沉睡（跟进人 zhangsan）+待激活客户 -活跃会员 · 沉睡会员", "李沉睡"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := LifecycleDryRun(context.Background(), cfg, &out); err != nil || !strings.Contains(out.String(), "会改 2 处") {
		t.Errorf("second dry run: %v\n%s\nwant the same 2 changes (the first changed nothing)", err, out.String())
	}
	if err := os.WriteFile(cfg, []byte(rule("不存在的标签")), 0o600); err != nil {
		t.Fatal(err)
	}
	err = LifecycleDryRun(context.Background(), cfg, &out)
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), `"沉睡会员"`) || !strings.Contains(err.Error(), "不存在的标签") {
		t.Errorf("unknown tag: %v (exit %d); want a usage error naming the rule and the tag", err, ExitCode(err))
	}
}

// TestDemoLifecycle: the demo's lifecycle rule previews the customers
// quoted a price who went quiet; one who writes leaves the preview, and a
// run applies the rest as one batch.
func TestDemoLifecycle(t *testing.T) {
	d := startDemo(t)
	steps := []struct{ line, want, not string }{
		{"/lifecycle preview", "只有管理员", ""},
		{"~李华: 还在考虑", "李华", ""},
		{"/as wangwu", "管理员", ""},
		{"/lifecycle", "报价后沉默 · 每 1d", ""},
		{"/lifecycle preview", "陈静（跟进人 lisi）+低意向 · 报价后沉默", "李华"},
		{"/lifecycle run", "改 2 处客户关系", ""},
		{"/confirm", "已开始执行 bg-life-1", ""},
	}
	for _, s := range steps {
		got := say(t, d, s.line)
		if !strings.Contains(got, s.want) || (s.not != "" && strings.Contains(got, s.not)) {
			t.Fatalf("%s: %q\nwant %q without %q", s.line, got, s.want, s.not)
		}
	}
}

// TestReloadLifecycle: /reload (SIGHUP) re-reads lifecycle: with the
// rules; a rule naming a missing tag is refused, naming the rule and its
// line, and the running rules stay.
func TestReloadLifecycle(t *testing.T) {
	_, cfg := fakeCompany(t)
	file := filepath.Join(t.TempDir(), "config.yaml")
	m, err := New(cfg, Options{Logger: discard(), ConfigPath: file})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Store.Close() })
	if err := m.SyncIfNeeded(context.Background()); err != nil {
		t.Fatal(err)
	}
	rule := func(name, tag string) {
		t.Helper()
		y := "lifecycle:\n  - name: " + name + "\n    every: 1h\n    when: 'has_tag(\"" + tag + "\")'\n    add: [" + tag + "]\n"
		if err := os.WriteFile(file, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	names := func() []string {
		sts, err := m.Lifecycle.Statuses()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range sts {
			out = append(out, s.Rule.Name)
		}
		return out
	}
	rule("好", "高意向")
	if err := m.ReloadRules(); err != nil {
		t.Fatalf("ReloadRules: %v", err)
	}
	rule("坏", "不存在的标签")
	err = m.ReloadRules()
	if err == nil || !strings.Contains(err.Error(), `config.yaml:2: lifecycle rule "坏": tag "不存在的标签" is not in the tag library`) {
		t.Errorf("reload of a bad rule: %v; want the rule, line and tag named", err)
	}
	if got := names(); len(got) != 1 || got[0] != "好" {
		t.Errorf("after the refused reload the rules are %v; want the old [好]", got)
	}
}
