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
	e.mustSay("zhangsan", "/history 王小明 page:4", "只有 3 页，没有第 4 页。看最后一页：/history 王小明 page:3")
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
	e.mustSay("mgr", "/history 王小明 since:前天 until:前天", "没有找到记录（王小明，自 11-19 00:00，到 11-19）。可以放宽时间")
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
		{in: "11-25", err: "还没到"}, // later this month: this year's, not last year's
		{in: "11月22日", err: "还没到"},
		{in: "2026-11-01 15:04", from: day(11, 1, 15, 4), to: day(11, 1, 15, 4)},
		{in: "11-21 15:04", from: day(11, 21, 15, 4), to: day(11, 21, 15, 4)},
		{in: "8:00", from: day(11, 21, 8, 0), to: day(11, 21, 8, 0)},
		{in: "Yesterday", from: day(11, 20, 0, 0), to: day(11, 21, 0, 0)},
		{in: "三天前", from: day(11, 18, 15, 4), to: day(11, 18, 15, 4)},
		{in: "两天前", from: day(11, 19, 15, 4), to: day(11, 19, 15, 4)},
		{in: "十天前", from: day(11, 11, 15, 4), to: day(11, 11, 15, 4)},
		{in: "两小时前", from: day(11, 21, 13, 4), to: day(11, 21, 13, 4)},
		{in: "二十分钟前", from: day(11, 21, 14, 44), to: day(11, 21, 14, 44)},
		{in: "一周前", from: day(11, 14, 15, 4), to: day(11, 14, 15, 4)},
		{in: "2个月前", from: day(9, 21, 15, 4), to: day(9, 21, 15, 4)},
		{in: "本月", from: day(11, 1, 0, 0), to: day(12, 1, 0, 0)},
		{in: "这个月", from: day(11, 1, 0, 0), to: day(12, 1, 0, 0)},
		{in: "上个月", from: day(10, 1, 0, 0), to: day(11, 1, 0, 0)},
		{in: "上月", from: day(10, 1, 0, 0), to: day(11, 1, 0, 0)},
		{in: "２０２６－１１－０１", from: day(11, 1, 0, 0), to: day(11, 2, 0, 0)},
		{in: "１１．０１ １５：０４", from: day(11, 1, 15, 4), to: day(11, 1, 15, 4)},
		{in: "３天前", from: day(11, 18, 15, 4), to: day(11, 18, 15, 4)},
		{in: "零天前", err: "看不懂时间"},
		{in: "十十天前", err: "看不懂时间"},
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

func TestChineseNumber(t *testing.T) {
	for in, want := range map[string]int{"一": 1, "两": 2, "九": 9, "十": 10, "十一": 11, "二十": 20, "二十五": 25, "九十九": 99, "12": 12} {
		if got, ok := number(in); !ok || got != want {
			t.Errorf("number(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "零", "十十", "一一", "百", "二十十"} {
		if got, ok := number(in); ok {
			t.Errorf("number(%q) = %d, want no number", in, got)
		}
	}
}

func TestHistoryTimeBoundsAndEmptyReplies(t *testing.T) {
	e := historyEnv(t)
	for _, tc := range []struct{ user, cmd, want string }{
		{"mgr", "/history 王小明 since:今天 until:昨天", "since 晚于 until，请检查时间"},
		{"mgr", "/history 王小明 until:2020-01-01", "没有找到记录（王小明，到 2020-01-01）。可以放宽时间（since:/until:）再查"},
		{"mgr", "/history 王小明 until:２０２６－１１－２０", "王小明，到 11-20（新的在前）"},
		{"mgr", "/history 王小明 until:2026-11-21 10:00", "王小明，到 11-21 10:00（新的在前）"},
		{"mgr", "/history 王小明 since: 今天", "王小明，自 11-21 00:00（新的在前）"},
		{"mgr", "/history 王小明 since:三天前 until:两天前", "没有找到记录（王小明，自 11-18 15:04，到 11-19 15:04）"},
		{"mgr", "/history 王小明 page:9", "只有 3 页，没有第 9 页。看最后一页：/history 王小明 page:3"},
		{"mgr", "/history", "没有找到记录（你做的变更）。你还没有做过标签变更。打标签：/tag 客户 +标签；查看某位客户的记录：/history 客户名。"},
		{"mgr", "/history 王大明", "没有找到记录（王大明）。可以换个客户、标签或时间再查"},
	} {
		e.mustSay(tc.user, tc.cmd, tc.want)
	}
}

// TestHistoryUndoHint: "撤销某条" shows only when a listed change-set is
// one the user may undo.
func TestHistoryUndoHint(t *testing.T) {
	e := newEnv(t)
	e.apply("sync", "c2", "zhangsan", "t12")
	e.mustSay("zhangsan", "/tag 王小红 +VIP", "受保护标签") // denied
	for _, tc := range []struct {
		user, cmd string
		hint      bool
	}{
		{"zhangsan", "/history", false},     // a denied attempt only
		{"zhangsan", "/history 王小红", false}, // and a sync record
		{"mgr", "/history 王小红", true},       // managers may undo the sync record
	} {
		got := e.say(tc.user, tc.cmd)
		if !strings.Contains(got, "（新的在前）") || strings.Contains(got, "撤销某条：/undo 变更号") != tc.hint {
			t.Errorf("%s %s: hint %v wanted:\n%s", tc.user, tc.cmd, tc.hint, got)
		}
	}
	e.mustSay("zhangsan", "/tag 王小红 +高意向", "#3")
	e.mustSay("zhangsan", "/history", "撤销某条：/undo 变更号")
}

// TestHistoryTagCoversDeletedAndRestored: tag:咖啡 after the tag was
// deleted and restored (a new id) lists the old tag's and the new tag's
// records together, newest first, page by page.
func TestHistoryTagCoversDeletedAndRestored(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 7; i++ { // #1 … #7 on the old tag, ending with it on
		e.apply("zhangsan", "c1", "zhangsan", []string{"t12", "-t12"}[i%2])
	}
	e.clk.Advance(time.Hour)
	e.deleteTag("t12")                                // #8
	e.mustSay("boss", "/restore tag 咖啡", "已恢复标签「咖啡」") // #9
	for i := 0; i < 4; i++ {                          // #10 … #13 on the new tag
		e.apply("zhangsan", "c1", "zhangsan", []string{"-tnew1", "tnew1"}[i%2])
	}
	got := e.mustSay("mgr", "/history tag:咖啡", "标签「咖啡」（含已删除的同名标签）（新的在前）：\n")
	for _, want := range []string{"-咖啡 王小明 [command] #10", "boss +咖啡 王小明 [restore] #9", "sync -咖啡 王小明 [sync] #8", "+咖啡 王小明 [command] #7", "更多：/history tag:咖啡 before:#4"} {
		if !strings.Contains(got, want) {
			t.Fatalf("page 1 lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "] #"); n != historyPageSize {
		t.Fatalf("page 1 has %d lines:\n%s", n, got)
	}
	for _, cmd := range []string{"/history tag:咖啡 before:#4", "/history tag:咖啡 page:2"} {
		got = e.mustSay("zhangsan", cmd, "#3")
		if n := strings.Count(got, "] #"); n != 3 || !strings.Contains(got, "#1") || strings.Contains(got, "更多") {
			t.Fatalf("%s:\n%s", cmd, got)
		}
	}
	e.mustSay("mgr", "/history tag:咖啡 page:3", "只有 2 页，没有第 3 页。看最后一页：/history tag:咖啡 page:2")
	e.mustSay("mgr", "/history tag:咖啡 王小明 since:今天", "#13")
	e.mustSay("mgr", "/history tag:咖啡啡", "没有标签「咖啡啡」")
}
