package commands

import (
	"strings"
	"testing"
	"time"
)

// historyEnv writes 25 change-sets on 王小明/zhangsan, one per hour, ending
// at 2026-11-21 15:04 (the first at 11-20 15:04), plus a denied attempt.
func historyEnv(t *testing.T) *env {
	e := newEnv(t)
	e.clk.Advance(-24 * time.Hour)
	for i := 0; i < 25; i++ {
		if i > 0 {
			e.clk.Advance(time.Hour)
		}
		tag := []string{"t12", "-t12"}[i%2]
		e.apply("zhangsan", "c1", "zhangsan", tag)
	}
	e.mustSay("zhangsan", "/tag 王小明 +VIP", "受保护标签") // #26, denied
	return e
}

func TestHistoryPaging(t *testing.T) {
	e := historyEnv(t)
	got := e.mustSay("zhangsan", "/history 王小明", "王小明（新的在前）：\n11-21 15:04 zhangsan +VIP 王小明 [command] #26（被拒绝：受保护标签「VIP」只有主管可以修改）\n11-21 15:04 zhangsan +咖啡 王小明 [command] #25")
	if n := strings.Count(got, " [command] #"); n != historyPageSize {
		t.Fatalf("page 1 has %d lines:\n%s", n, got)
	}
	if !strings.Contains(got, "更多：/history 王小明 before:#17") {
		t.Fatalf("no more hint:\n%s", got)
	}
	got = e.mustSay("zhangsan", "/history 王小明 before:#17", "#16")
	if strings.Contains(got, "#17\n") || !strings.Contains(got, "#7\n") || !strings.Contains(got, "before:#7") {
		t.Fatalf("page via before:\n%s", got)
	}
	got = e.mustSay("zhangsan", "/history 王小明 page:3", "#6\n")
	if n := strings.Count(got, " [command] #"); n != 6 || strings.Contains(got, "更多") {
		t.Fatalf("page 3 has %d lines:\n%s", n, got)
	}
	e.mustSay("zhangsan", "/history 王小明 page:4", "没有第 4 页了")
	// Without a subject: the user's own changes.
	e.mustSay("zhangsan", "/history", "你做的变更（新的在前）：")
	e.mustSay("zhangsan", "/历史 @zhangsan", "zhangsan 做的变更")
	e.mustSay("zhangsan", "/history tag:VIP", "被拒绝")
	e.mustSay("zhangsan", "/history 王 小明", "看不懂「小明」（客户名里有空格请加引号）")
}

func TestHistoryTimeWords(t *testing.T) {
	e := historyEnv(t)
	count := func(cmd string) int {
		t.Helper()
		got := e.say("mgr", cmd+" page:1")
		n := 0
		for p := 1; ; p++ {
			n += strings.Count(got, " [command] #")
			if !strings.Contains(got, "更多：") {
				return n
			}
			got = e.say("mgr", strings.SplitN(got[strings.Index(got, "更多：")+len("更多："):], "\n", 2)[0])
		}
	}
	tests := []struct {
		cmd  string
		want int
	}{
		{"/history 王小明", 26},
		{"/history 王小明 since:今天", 17},              // 00:04 … 15:04 and the denied one
		{"/history 王小明 until:昨天", 9},               // 11-20 15:04 … 23:04
		{"/history 王小明 since:昨天 until:昨天", 9},      // the same day
		{"/history 王小明 since:3小时前", 5},             // 12:04 … 15:04 (inclusive) and #26
		{"/history 王小明 since:2026-11-21 10:00", 7}, // 10:04 … 15:04 and #26
		{"/history 王小明 since:11-21 until:11-21 12:00", 12},
		{"/history 王小明 since:前天 until:前天", 0},
		{"/history 王小明 since:上周", 26}, // from last Monday on
		{"/history 王小明 until:上周", 0},
		{"/history 王小明 since:本周", 26},
	}
	for _, tc := range tests {
		if got := count(tc.cmd); got != tc.want {
			t.Errorf("%s: %d lines, want %d", tc.cmd, got, tc.want)
		}
	}
	e.mustSay("mgr", "/history 王小明 since:前天 until:前天", "没有找到记录（王小明，自 11-19 00:00，到 11-20 00:00）")
	e.mustSay("mgr", "/history 王小明 since:大前天", "看不懂时间「大前天」")
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 11, 21, 15, 4, 0, 0, cst) // a Saturday
	day := func(m time.Month, d, h, mi int) time.Time { return time.Date(2026, m, d, h, mi, 0, 0, cst) }
	tests := []struct {
		in       string
		from, to time.Time
		err      string
	}{
		{in: "今天", from: day(11, 21, 0, 0), to: day(11, 22, 0, 0)},
		{in: "昨天", from: day(11, 20, 0, 0), to: day(11, 21, 0, 0)},
		{in: "前天", from: day(11, 19, 0, 0), to: day(11, 20, 0, 0)},
		{in: "昨天 9:30", from: day(11, 20, 9, 30), to: day(11, 20, 9, 30)},
		{in: "3天前", from: day(11, 18, 15, 4), to: day(11, 18, 15, 4)},
		{in: "2小时前", from: day(11, 21, 13, 4), to: day(11, 21, 13, 4)},
		{in: "2 个小时前", from: day(11, 21, 13, 4), to: day(11, 21, 13, 4)},
		{in: "30分钟前", from: day(11, 21, 14, 34), to: day(11, 21, 14, 34)},
		{in: "1周前", from: day(11, 14, 15, 4), to: day(11, 14, 15, 4)},
		{in: "本周", from: day(11, 16, 0, 0), to: day(11, 23, 0, 0)},
		{in: "上周", from: day(11, 9, 0, 0), to: day(11, 16, 0, 0)},
		{in: "2026-11-01", from: day(11, 1, 0, 0), to: day(11, 2, 0, 0)},
		{in: "2026/11/1", from: day(11, 1, 0, 0), to: day(11, 2, 0, 0)},
		{in: "11-01", from: day(11, 1, 0, 0), to: day(11, 2, 0, 0)},
		{in: "12-31", from: time.Date(2025, 12, 31, 0, 0, 0, 0, cst), to: time.Date(2026, 1, 1, 0, 0, 0, 0, cst)},
		{in: "2026-11-01 15:04", from: day(11, 1, 15, 4), to: day(11, 1, 15, 4)},
		{in: "11-21 15:04", from: day(11, 21, 15, 4), to: day(11, 21, 15, 4)},
		{in: "8:00", from: day(11, 21, 8, 0), to: day(11, 21, 8, 0)},
		{in: "Yesterday", from: day(11, 20, 0, 0), to: day(11, 21, 0, 0)},
		{in: "16:00", err: "还没到"},
		{in: "明天", err: "看不懂时间"},
		{in: "2026-02-30", err: "看不懂时间"},
		{in: "2026-11-01 25:00", err: "看不懂时间"},
		{in: "2026-11-01 xx", err: "看不懂时间"},
		{in: "", err: "看不懂时间"},
	}
	for _, tc := range tests {
		span, err := ParseTime(tc.in, now, cst)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTime(%q) = %v, %v; want error %q", tc.in, span, err, tc.err)
			}
			continue
		}
		if err != nil || !span.From.Equal(tc.from) || !span.To.Equal(tc.to) {
			t.Errorf("ParseTime(%q) = %v – %v, %v; want %v – %v", tc.in, span.From, span.To, err, tc.from, tc.to)
		}
	}
}
