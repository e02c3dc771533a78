package app

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
)

// TestGroupPoliciesEndToEnd runs the demo company with 客户来源 required
// and 消费特征 visible to department 7 only: the first sync reads the
// departments from user/get, /groups hides the group from others, and the
// daily digest reaches each follower once through message/send — not
// again after a restart, again the next day.
func TestGroupPoliciesEndToEnd(t *testing.T) {
	fake, cfg := fakeCompany(t)
	cfg.Groups["客户来源"] = config.GroupPolicy{Required: true}
	cfg.Groups["消费特征"] = config.GroupPolicy{VisibleTo: []string{"dept:7"}}
	cfg.Roles = config.Roles{Admins: []string{"wangwu"}, Managers: []string{"lisi"}}
	fake.SetDepartments("lisi", 2, 7)
	clk := clocktest.New(time.Date(2026, 12, 2, 9, 31, 0, 0, config.ChinaZone))
	ctx := context.Background()

	m, err := New(cfg, Options{Logger: discard(), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SyncIfNeeded(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user string
		sees bool
	}{{"lisi", true}, {"zhangsan", false}, {"wangwu", true}} { // wangwu: the demo's admin
		if got := strings.Contains(replyText(m.Router.HandleText(ctx, tc.user, "/groups")), "消费特征"); got != tc.sees {
			t.Errorf("%s sees 消费特征 in /groups: %v, want %v", tc.user, got, tc.sees)
		}
	}
	if out := replyText(m.Router.HandleText(ctx, "zhangsan", "/todo")); !strings.Contains(out, "有 2 位还缺必选标签") {
		t.Errorf("/todo: %s", out)
	}

	digests := func() map[string]int {
		m.Sender.Flush(ctx)
		n := map[string]int{}
		for _, msg := range fake.Messages() {
			if strings.Contains(msg.Text, "今日提醒") {
				n[msg.ToUser]++
			}
		}
		return n
	}
	if n, err := m.Todo.Digest(ctx); err != nil || n != 3 {
		t.Fatalf("first digest: sent %d, err %v; want 3 (zhangsan, lisi, zhaoliu)", n, err)
	}
	want := map[string]int{"zhangsan": 1, "lisi": 1, "zhaoliu": 1}
	if got := digests(); !maps.Equal(got, want) {
		t.Fatalf("digests on WeCom = %v, want %v", got, want)
	}

	// Restart the same day: nothing is sent again.
	if err := m.Store.Close(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(3 * time.Hour)
	if m, err = New(cfg, Options{Logger: discard(), Now: clk.Now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Store.Close() })
	if n, err := m.Todo.Digest(ctx); err != nil || n != 0 {
		t.Fatalf("after restart: sent %d, err %v; want 0", n, err)
	}
	// The next day, once.
	clk.Advance(24 * time.Hour)
	if n, err := m.Todo.Digest(ctx); err != nil || n != 3 {
		t.Fatalf("next day: sent %d, err %v; want 3", n, err)
	}
	want = map[string]int{"zhangsan": 2, "lisi": 2, "zhaoliu": 2}
	if got := digests(); !maps.Equal(got, want) {
		t.Fatalf("digests on WeCom = %v, want %v", got, want)
	}
}

// replyText joins the reply texts.
func replyText(rs []commands.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}
