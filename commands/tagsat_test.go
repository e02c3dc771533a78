package commands

import (
	"strings"
	"testing"
	"time"
)

// TestTagsAt: /tags <客户> at:<时间> shows the tags of that time from the
// ledger, says so, and offers the /rollback (to managers; employees are
// told who can) that the rollback itself then proposes with the same diff.
func TestTagsAt(t *testing.T) {
	e := newEnv(t)
	now := e.clk.Now()
	e.clk.Set(time.Date(2026, 11, 20, 10, 0, 0, 0, cst))
	e.apply("zhangsan", "c1", "zhangsan", "t3") // 高意向, yesterday
	e.clk.Set(time.Date(2026, 11, 21, 9, 0, 0, 0, cst))
	e.apply("zhangsan", "c1", "zhangsan", "-t3", "t4") // 低意向 instead, this morning
	e.clk.Set(now)
	for _, tc := range []struct {
		name, user, cmd string
		want            []string
		not             []string
	}{
		{"yesterday, employee", "zhangsan", "/tags 王小明 at:昨天",
			[]string{"王小明（小明科技，备注 王总） 在 11-21 00:00（昨天结束时） 的标签（按变更记录算出，不是现在的）：\n意向程度：高意向\n",
				"跟进人 zhangsan：+高意向 -低意向", "恢复需要主管发送 /rollback 王小明 11-21 00:00"}, []string{"跟进人 lisi"}},
		{"yesterday, manager", "mgr", "/tags 王小明 at:昨天",
			[]string{"跟进人 lisi：\n（没有标签）", "跟进人 zhangsan：\n意向程度：高意向", "恢复请发送 /rollback 王小明 11-21 00:00"}, nil},
		{"an instant before any change", "zhangsan", "/tags 王小明 at:\"2026-11-20 09:59\"",
			[]string{"在 11-20 09:59 的标签", "（没有标签）", "跟进人 zhangsan：-低意向"}, nil},
		{"today is now", "zhangsan", "/tags 王小明 at:今天",
			[]string{"在 现在 的标签", "意向程度：低意向", "和现在一样"}, []string{"/rollback"}},
		{"a time to come", "zhangsan", "/tags 王小明 at:2026-12-01", []string{"还没到"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.say(tc.user, tc.cmd)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s: reply lacks %q:\n%s", tc.cmd, w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("%s: reply has %q:\n%s", tc.cmd, n, got)
				}
			}
		})
	}
	e.mustSay("mgr", "/rollback 王小明 11-21 00:00", "跟进人 zhangsan：+高意向 -低意向")
}
