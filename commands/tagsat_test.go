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
			[]string{"王小明（小明科技，备注 王总） 现在的标签：\n意向程度：低意向"}, []string{"/rollback", "在 现在", "不是现在的", "和现在一样"}},
		{"this month is now", "zhangsan", "/tags 王小明 at:本月",
			[]string{"王小明（小明科技，备注 王总） 现在的标签：\n意向程度：低意向"}, []string{"/rollback", "在 现在", "不是现在的"}},
		{"this week is now", "mgr", "/tags 王小明 at:这周",
			[]string{"现在的标签：", "跟进人 zhangsan：\n意向程度：低意向"}, []string{"/rollback", "在 现在", "不是现在的"}},
		{"a date to come", "zhangsan", "/tags 王小明 at:2026-12-01",
			[]string{"时间「2026-12-01」还没到。王小明（小明科技，备注 王总） 现在的标签：\n意向程度：低意向"}, []string{"/rollback"}},
		{"tomorrow", "zhangsan", "/tags 王小明 at:明天", []string{"时间「明天」还没到。", "现在的标签：\n意向程度：低意向"}, nil},
		{"next week", "zhangsan", "/tags 王小明 at:下周", []string{"时间「下周」还没到。", "现在的标签：\n意向程度：低意向"}, nil},
		{"tonight", "zhangsan", "/tags 王小明 at:今天晚上11点", []string{"还没到。", "现在的标签：\n意向程度：低意向"}, nil},
		{"later this month", "zhangsan", "/tags 王小明 at:11月25日", []string{"还没到。", "现在的标签：\n意向程度：低意向"}, nil},
		{"unreadable", "zhangsan", "/tags 王小明 at:早些时候", []string{"看不懂时间「早些时候」"}, []string{"现在的标签"}},
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

// TestTagsAtBeforeFirstSync: a time before the first sync offers the
// earliest /tags at: that can be answered, and /rollback only to those
// who may run it.
func TestTagsAtBeforeFirstSync(t *testing.T) {
	e := newEnv(t)
	e.apply("sync", "c1", "zhangsan", "t12")
	e.clk.Advance(30 * time.Second)
	if err := e.st.SetSyncedAt(e.clk.Now()); err != nil { // 11-21 15:04:30
		t.Fatal(err)
	}
	e.clk.Advance(25 * time.Hour)
	for _, tc := range []struct {
		user      string
		want, not string
	}{
		{"zhangsan", "王小明 的标签记录从 11-21 15:04（首次同步）开始，更早的状态不知道。最早可以查 11-21 15:05：/tags 王小明 at:\"11-21 15:05\"", "/rollback"},
		{"mgr", "最早可以查 11-21 15:05：/tags 王小明 at:\"11-21 15:05\"（回滚到那时：/rollback 王小明 11-21 15:05）", ""},
	} {
		t.Run(tc.user, func(t *testing.T) {
			got := e.say(tc.user, "/tags 王小明 at:2020-01-01")
			if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
				t.Errorf("reply %q, want it to hold %q and not %q", got, tc.want, tc.not)
			}
		})
	}
}
