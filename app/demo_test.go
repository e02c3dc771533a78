package app

import (
	"strings"
	"testing"
)

// TestDemoConsoleCommands: the demo's own lines work in any letter case and
// name roles in Chinese, as /whoami does.
func TestDemoConsoleCommands(t *testing.T) {
	d := startDemo(t)
	for _, tc := range []struct{ line, want string }{
		{"/AS lisi", "（现在你是 lisi 李四，角色：主管）"},
		{"/as wangwu", "（现在你是 wangwu 王五，角色：管理员）"},
		{"/As zhaoliu", "角色：员工）"},
		{"/as nobody", "（没有这个员工。可选："},
		{"/Click 1", "（没有可点的按钮"},
		{"/WECOM", "/wecom deltag <标签>"},
	} {
		if got := say(t, d, tc.line); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.line, got, tc.want)
		}
	}
	if d.User != "zhaoliu" {
		t.Fatalf("current user %s", d.User)
	}
	// Lines merely starting like a demo command go to the bot.
	if got := say(t, d, "/ask"); !strings.Contains(got, "没有这个命令 /ask") {
		t.Fatalf("/ask: %q", got)
	}
}
