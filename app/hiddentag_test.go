package app

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
)

// TestHiddenTagIsUnknown: with 消费特征 visible to zhaoliu only, manager
// lisi naming 价格敏感型 gets the answer to a tag that does not exist.
func TestHiddenTagIsUnknown(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Groups = config.SampleGroups()
	cfg.Groups["消费特征"] = config.GroupPolicy{VisibleTo: []string{"zhaoliu"}}
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	say(t, d, "/as lisi")
	tests := []struct{ line, want string }{
		{"/qr 某渠道 +价格敏感型", "没有标签「价格敏感型」"},
		{"/bulk tag:价格敏感型 +展会", "没有标签「价格敏感型」"},
		{"/bulk tag:高意向 +价格敏感型", "没有标签「价格敏感型」"},
		{"有多少客户是价格敏感型", "没有标签「价格敏感型」。发送 /groups 查看标签库。"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			out := say(t, d, tc.line)
			mustContain(t, tc.line, out, tc.want)
			if strings.Contains(out, "无权查看") {
				t.Errorf("%s: %q confirms the hidden tag", tc.line, out)
			}
		})
	}
}

// TestTriggeredHiddenTagNotNamed: a trigger adding a tag hidden from the
// user (观望型 in 消费特征, visible to managers) is not told in zhangsan's
// /tag and /undo replies; the manager lisi sees it.
func TestTriggeredHiddenTagNotNamed(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Groups = config.SampleGroups()
	cfg.Groups["消费特征"] = config.GroupPolicy{VisibleTo: []string{config.EditorManagers}}
	cfg.Triggers = []config.Trigger{{Name: "观望转化", OnAdd: []string{"初次接触"}, Add: []string{"观望型"}}}
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	say(t, d, "/as zhangsan")
	for _, line := range []string{"/tag 李华 +初次接触", "/undo"} {
		out := say(t, d, line)
		for _, bad := range []string{"观望", "触发器"} {
			if strings.Contains(out, bad) {
				t.Errorf("zhangsan %s: %q names %q", line, out, bad)
			}
		}
		if !strings.Contains(out, "初次接触") {
			t.Errorf("zhangsan %s: %q lacks his own change", line, out)
		}
	}
	say(t, d, "/as lisi")
	mustContain(t, "lisi /tag", say(t, d, "/tag 李华 +初次接触"), "触发器「观望转化」：添加「观望型」")
}

// TestTriggerReasonHidesCause: the reason of a visible triggered
// change-set names neither the hidden tag that fired it nor its
// change-set, and /undo of that hidden change-set answers as /history.
func TestTriggerReasonHidesCause(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Groups = config.SampleGroups()
	cfg.Groups["消费特征"] = config.GroupPolicy{VisibleTo: []string{config.EditorManagers}}
	cfg.Triggers = []config.Trigger{{Name: "价格转化", OnAdd: []string{"价格敏感型"}, Add: []string{"已成交"}}}
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	say(t, d, "/as lisi")
	out := say(t, d, "/tag 李华 +价格敏感型 @zhangsan")
	ids := regexp.MustCompile(`#(\d+)`).FindAllStringSubmatch(out, -1)
	if len(ids) < 2 {
		t.Fatalf("lisi /tag: %q names no triggered change-set", out)
	}
	cause, caused := ids[0][1], ids[1][1]
	mustContain(t, "lisi /history", say(t, d, "/history cs:"+caused), "加上「价格敏感型」")
	say(t, d, "/as zhangsan")
	detail := say(t, d, "/history cs:"+caused)
	mustContain(t, "zhangsan /history cs:", detail, "原因：由触发器「价格转化」自动做出", "已成交")
	if strings.Contains(detail, "价格敏感型") || strings.Contains(detail, "#"+cause) {
		t.Errorf("zhangsan /history cs:%s: %q names the hidden cause", caused, detail)
	}
	mustContain(t, "zhangsan /history cs:cause", say(t, d, "/history cs:"+cause), "没有变更 #"+cause)
	mustContain(t, "zhangsan /undo cause", say(t, d, "/undo "+cause), "没有变更 #"+cause)
}
