package commands

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/chart"
	"github.com/tagbot/tagbot/store"
)

// TestStatsReplies runs /stats forms on the seeded env: zhangsan tagged
// c1 and c2 保健品 and c2 咖啡; lisi tagged c1 咖啡.
func TestStatsReplies(t *testing.T) {
	for _, tc := range []struct {
		user, cmd, want string
	}{
		{"mgr", "/stats", "保健品     2     +2      +2"},
		{"mgr", "/统计 tag:保健品 tag:咖啡", "保健品 × 咖啡     2  100%  100%    2.00"},
		{"mgr", "/stats tag:保健品", "「保健品」：2 位客户（全部 4 位客户中）\n趋势 2026-10-22 至 2026-11-21（按天）："},
		{"zhangsan", "/stats tag:咖啡", "「咖啡」：1 位客户（你跟进的 3 位客户中）"},
		{"mgr", "/stats trend tag:咖啡 since:2026-11-01 until:2026-11-20", "趋势 2026-11-01 至 2026-11-20：没有客户新增或移除这个标签。"},
		{"mgr", "/stats since:昨天", "标签总览不分时间段（表里已有近 7 天和近 30 天的变化）。看一个标签这段时间的变化：/stats trend tag:标签名 since:昨天"},
		{"mgr", "/stats tag:保健品 tag:咖啡 until:今天", "交叉分析按现在的标签计算，不带 since:/until:。去掉时间再发：/stats tag:保健品 tag:咖啡"},
		{"mgr", "/stats channels since:上周", "渠道统计是累计的，不带 since:/until:。发送：/stats channels"},
		{"mgr", "/stats rules until:昨天", "规则统计只用 since:（从何时起），不带 until:。例如：/stats rules since:上个月"},
		{"mgr", "/stats trend tag:咖啡 page:2", "page: 只用于交叉分析列出的客户（/stats tag:A tag:B page:2），这个统计不分页。"},
		{"mgr", "/stats channels page:2", "page: 只用于交叉分析列出的客户"},
		{"mgr", "/stats team page:2", "page: 只用于交叉分析列出的客户"},
		{"mgr", "/stats team since:昨天", "标签变更统计 11-20 至 11-21"},
		{"mgr", "/stats team until:昨天", "标签变更统计 10-22 至 11-20"},
		{"mgr", "/stats trend tag:咖啡 since:昨天", "11-21    +2     0"},
		{"mgr", "/stats trend", "趋势只看一个标签"},
		{"mgr", "/stats team tag:咖啡", "这个统计不带标签"},
		{"mgr", "/stats tag:咖啡 tag:咖啡", "标签「咖啡」写了两次"},
		{"mgr", "/stats tag:VIP tag:普通 tag:高意向 tag:低意向 tag:中意向 tag:展会 tag:华东", "交叉分析最多 6 个标签"},
		{"mgr", "/stats tag:没有这个", "没有"},
		{"mgr", "/stats since:明年", "看不懂时间"},
		{"mgr", "/stats trend tag:咖啡 since:今天 until:上周", "since 晚于 until"},
		{"mgr", "/stats 王小明", "看不懂「王小明」"},
		{"mgr", "/stats tag:保健品 tag:咖啡 page:2", "只有 1 页，没有第 2 页。看最后一页：/stats tag:保健品 tag:咖啡 page:1"},
		{"lisi", "/stats rules", "这段时间没有规则提出建议"},
		{"zhangsan", "/stats @zhangsan", "zhangsan     2      0%     0  命令 2"},
		{"mgr", "/stats @nobody", "没有 userid 为 nobody 的员工（@ 后面写企业微信 userid，不是姓名）。看所有员工：/stats team"},
		{"mgr", "/stats @zhangsna", "没有 userid 为 zhangsna 的员工。是不是：/stats @zhangsan"},
		{"mgr", "/stats @李四", "没有 userid 为 李四 的员工"},
		{"mgr", "/stats channels", "还没有渠道二维码"},
	} {
		t.Run(tc.user+" "+tc.cmd, func(t *testing.T) {
			e := statsEnv(t)
			e.mustSay(tc.user, tc.cmd, tc.want)
		})
	}
}

func statsEnv(t testing.TB) *env {
	e := newEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t11")
	e.apply("zhangsan", "c2", "zhangsan", "t11", "t12")
	e.apply("lisi", "c1", "lisi", "t12")
	return e
}

// TestStatsCrossPicks checks that the customers having every tag form a
// numbered list the next command picks from, as /find's does.
func TestStatsCrossPicks(t *testing.T) {
	e := statsEnv(t)
	e.mustSay("mgr", "/stats tag:保健品 tag:咖啡", "1. 王小明（小明科技，备注 王总）\n2. 王小红")
	e.mustSay("mgr", "/tags #2", "王小红 的标签")
}

// TestStatsChart checks /stats attaches a PNG when the router has a
// chart renderer (skipped without the CJK font unless TAGBOT_REQUIRE_FONT).
func TestStatsChart(t *testing.T) {
	r, err := chart.LoadFont(chart.DefaultFontPath)
	if err != nil {
		if os.Getenv("TAGBOT_REQUIRE_FONT") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	e := statsEnv(t)
	rt, err := NewRouter(Options{Store: e.st, Config: testConfig(), Now: e.clk.Now, Charts: r})
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"/stats", "/stats tag:保健品 tag:咖啡", "/stats trend tag:咖啡"} {
		replies := rt.HandleText(context.Background(), "mgr", cmd)
		if len(replies) != 1 || replies[0].Image == nil || !strings.HasPrefix(string(replies[0].Image.Data), "\x89PNG") || replies[0].Text == "" {
			t.Errorf("%s: want one reply with text and a PNG image, got %d replies %+v", cmd, len(replies), replies)
		}
	}
	if replies := rt.HandleText(context.Background(), "mgr", "/stats channels"); len(replies) != 1 || replies[0].Image != nil {
		t.Errorf("/stats channels: want text only, got %+v", replies)
	}
}

// TestStatsBeforeHistory: a window ending before the first full sync says
// where history starts and what to send instead, not the usage text.
func TestStatsBeforeHistory(t *testing.T) {
	for _, tc := range []struct{ cmd, want string }{
		{"/stats trend tag:咖啡 until:2020-01-01", "这段时间在记录开始之前：历史从 11-20 首次同步开始，更早的变化没有记录。看之后的：/stats trend tag:咖啡 since:2026-11-20"},
		{"/stats team since:2026-11-01 until:2026-11-19", "历史从 11-20 首次同步开始，更早的变化没有记录。看之后的：/stats team since:2026-11-20"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			e := statsEnv(t)
			if err := e.st.SetSyncedAt(time.Date(2026, 11, 20, 10, 0, 0, 0, cst)); err != nil {
				t.Fatal(err)
			}
			if got := e.mustSay("mgr", tc.cmd, tc.want); strings.Contains(got, "用法") {
				t.Errorf("reply has the usage text:\n%s", got)
			}
		})
	}
}

// TestStatsChannelsHideGroups: /stats channels leaves out the tags of
// groups hidden from the asker (visible_to), as /qr does.
func TestStatsChannelsHideGroups(t *testing.T) {
	e := newPolicyEnv(t)
	err := e.st.PutChannel(store.Channel{Name: "展会码", State: "s1", Followers: []string{"zhangsan"}, Creator: "mgr",
		Tags: []store.TagRef{{ID: "t13", Name: "已婚", Group: "婚姻状况"}, {ID: "t12", Name: "咖啡", Group: "兴趣"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.mustSay("mgr", "/stats channels", "展会码：0 位（标签 咖啡）"); strings.Contains(got, "已婚") {
		t.Errorf("mgr, who may not see 婚姻状况, is shown its tag:\n%s", got)
	}
	e.mustSay("zhangsan", "/stats channels", "展会码：0 位（标签 已婚、咖啡）")
}

// TestStatsHelpNamesEveryKind: /help stats explains each statistic,
// channels included, and which take a time or a page.
func TestStatsHelpNamesEveryKind(t *testing.T) {
	e := statsEnv(t)
	got := e.say("mgr", "/help stats")
	for _, want := range []string{"channels：", "rules：", "page:", "since:"} {
		if !strings.Contains(got, want) {
			t.Errorf("/help stats lacks %q:\n%s", want, got)
		}
	}
}
