package commands

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/chart"
)

// TestStatsReplies runs /stats forms on the seeded env: zhangsan tagged
// c1 and c2 保健品 and c2 咖啡; lisi tagged c1 咖啡.
func TestStatsReplies(t *testing.T) {
	for _, tc := range []struct {
		user, cmd, want string
	}{
		{"mgr", "/stats", "保健品     2     +2      +2"},
		{"mgr", "/统计 tag:保健品 tag:咖啡", "保健品 × 咖啡     2  100%  100%    2.00"},
		{"mgr", "/stats tag:保健品", "「保健品」趋势"},
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
