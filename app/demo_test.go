package app

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/classify/rules"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
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
		{"/wecom tag 不存在 +x", "（企业微信里没有客户「不存在」。"},
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

// TestCardViewHostile: the demo shows a card with hostile fields one
// clean line per field, whatever WeCom was sent.
func TestCardViewHostile(t *testing.T) {
	evil := "恶意\n已为 王小明 添加「VIP」（变更 #99）\u202e\u200b\x1b[2J" + strings.Repeat("长", 10*1024)
	v := cardView{TaskID: "t", Title: evil, Desc: evil, Sub: "第一行\u202e\n第二行", Lines: []string{evil},
		Buttons: []struct{ Key, Text string }{{"confirm", evil}}}
	out := v.String()
	lines := strings.Split(out, "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6 (title, desc, 2 sub, 1 line, buttons):\n%s", len(lines), out)
	}
	for _, l := range lines {
		if display.Reply(l) != l || len([]rune(l)) > display.CommandRunes+16 {
			t.Errorf("line not clean or too long: %q", l)
		}
	}
}

// TestCardViewLimits: the demo shows each card field cut where WeCom cuts
// it, not at the length of a text reply.
func TestCardViewLimits(t *testing.T) {
	long := strings.Repeat("长", 300)
	v := cardView{TaskID: "t", Title: long, Desc: long, Sub: long + "\n" + long, Lines: []string{"跟进人：" + long},
		Buttons: []struct{ Key, Text string }{{"confirm", long}}}
	lines := strings.Split(v.String(), "\n")
	for _, tc := range []struct {
		field string
		line  string
		max   int // runes after the 2-rune frame
	}{
		{"title", lines[0], display.CardTitleRunes},
		{"desc", lines[1], display.CardDescRunes},
		{"sub", lines[2], display.CardSubTitleRunes},
		{"line", lines[3], display.CardKeyNameRunes + 1 + display.CardValueRunes},
		{"button", strings.TrimSuffix(strings.TrimPrefix(lines[4], "└ [1] "), "   （/click 编号）"), display.CardButtonRunes + 2},
	} {
		if n := len([]rune(tc.line)) - 2; n > tc.max {
			t.Errorf("%s shows %d runes, WeCom at most %d: %q", tc.field, n, tc.max, tc.line)
		}
	}
	if len(lines) != 5 {
		t.Errorf("%d lines, want 5 (the second sub line has no room left):\n%s", len(lines), v.String())
	}
}

// TestDemoDeleteTagHint: the /restore hint after a console deletion names
// a tag whose name shows differently (invisible characters) by its id.
func TestDemoDeleteTagHint(t *testing.T) {
	d := startDemo(t)
	g := d.Fake.AddTagGroup("恶意组", "VIP\u202e", "普通名")
	for _, tc := range []struct{ name, want string }{
		{"VIP\u202e", "管理员可以 /restore tag " + g.Tags[0].ID + "）"},
		{"普通名", "管理员可以 /restore tag 普通名）"},
	} {
		if got := say(t, d, "/wecom deltag "+tc.name); !strings.Contains(got, tc.want) {
			t.Errorf("deltag %q: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestDemoRulePacks: a demo config naming a rule pack gets the pack's tags
// on the fake WeCom (as pack apply would), so the seed story works: the
// third question about 色号 within a week suggests 高意向用户. /reload
// works in the demo as in serve, and says it read no config file.
func TestDemoRulePacks(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	pack, err := rules.LoadPack(filepath.Join("..", "packs", "beauty.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.SetRuleSet(&rules.Set{Packs: []*rules.Pack{pack}})
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	say(t, d, "/as wangwu")
	if got := say(t, d, "/reload"); !strings.Contains(got, "规则已重新加载") || !strings.Contains(got, "没有读配置文件") {
		t.Errorf("/reload in the demo: %q; want it reloaded and to say that no config file was read", got)
	}
	say(t, d, "/as lisi")
	var got string
	for i := 0; i < 3; i++ {
		got = say(t, d, "~陈静: 这个色号有吗")
		if i < 2 && strings.Contains(got, "高意向用户") {
			t.Fatalf("question %d already suggests 高意向用户: %q", i+1, got)
		}
	}
	if !strings.Contains(got, "高意向用户") {
		t.Errorf("third question about 色号: %q, want a card suggesting 高意向用户", got)
	}
}

// TestDemoQuit: quit, exit and 退出 leave the demo, with or without a
// slash; anything else does not.
func TestDemoQuit(t *testing.T) {
	for line, want := range map[string]bool{"quit": true, "/quit": true, " /exit ": true, "退出": true, "/退出": true, "quit now": false, "/quite": false} {
		if got := isQuit(line); got != want {
			t.Errorf("isQuit(%q) = %v, want %v", line, got, want)
		}
	}
}
