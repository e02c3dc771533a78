package stats

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// TestTrendOpensWithCount: "how many" is answered first, then the trend;
// a window without changes still reads as an answer.
func TestTrendOpensWithCount(t *testing.T) {
	f := seed(t)
	for _, tc := range []struct {
		name  string
		tag   store.Tag
		sc    Scope
		mine  bool
		first string
		has   []string
		not   []string
	}{
		{"manager, changes", testLibrary.Tags[0], Scope{}, false, "「高意向」：4 位客户（全部 6 位客户中）",
			[]string{"11-18    +2     0"}, nil},
		{"employee, changes", testLibrary.Tags[0], Scope{Follower: "zs"}, true, "「高意向」：2 位客户（你跟进的 4 位客户中）",
			nil, nil},
		{"no change in the window", testLibrary.Tags[1], Scope{}, false, "「VIP」：1 位客户（全部 6 位客户中）",
			[]string{"趋势 2026-10-22 至 2026-11-21：没有客户新增或移除这个标签"}, []string{"换个时间试试"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := f.s.Trend(tc.tag, time.Time{}, time.Time{}, tc.sc)
			if err != nil {
				t.Fatal(err)
			}
			text := Render(Result{Kind: KindTrend, Trend: tr}, cst, tc.mine)
			if first, _, _ := strings.Cut(text, "\n"); first != tc.first {
				t.Errorf("first line = %q, want %q\n%s", first, tc.first, text)
			}
			for _, s := range tc.has {
				if !strings.Contains(text, s) {
					t.Errorf("reply lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(text, s) {
					t.Errorf("reply has %q:\n%s", s, text)
				}
			}
		})
	}
}

// TestWindowEndIsLastDay: the headers print the last day the window
// includes, not its exclusive end.
func TestWindowEndIsLastDay(t *testing.T) {
	f := seed(t)
	day := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 0, 0, 0, 0, cst) }
	tr, err := f.s.Trend(testLibrary.Tags[2], day(11, 1), day(11, 12), Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if text := Render(Result{Kind: KindTrend, Trend: tr}, cst, false); !strings.Contains(text, "2026-11-01 至 2026-11-11") {
		t.Errorf("trend header lacks 2026-11-01 至 2026-11-11:\n%s", text)
	}
	tm, err := f.s.People("", day(11, 1), day(11, 19))
	if err != nil {
		t.Fatal(err)
	}
	if text := Render(Result{Kind: KindTeam, Team: tm}, cst, false); !strings.Contains(text, "11-01 至 11-18") {
		t.Errorf("team header lacks 11-01 至 11-18:\n%s", text)
	}
	tm, err = f.s.People("", time.Time{}, time.Time{}) // until now: today is the last day
	if err != nil {
		t.Fatal(err)
	}
	if text := Render(Result{Kind: KindTeam, Team: tm}, cst, false); !strings.Contains(text, "10-22 至 11-21") {
		t.Errorf("team header lacks 10-22 至 11-21:\n%s", text)
	}
}

// TestWindowBeforeHistory: a window ending before the first full sync is
// a HistoryError naming the first sync, not a bare query error.
func TestWindowBeforeHistory(t *testing.T) {
	f, first := firstSyncFixture(t)
	for _, q := range []Query{
		{Kind: KindTrend, Tags: testLibrary.Tags[:1], Until: time.Date(2020, 1, 1, 0, 0, 0, 0, cst)},
		{Kind: KindTeam, Until: first},
		{Kind: KindTeam, Since: time.Date(2026, 10, 1, 0, 0, 0, 0, cst), Until: first.Add(-time.Hour)},
	} {
		_, err := f.s.Run(q, Scope{})
		var h *HistoryError
		if !errors.As(err, &h) || !h.From.Equal(first) {
			t.Errorf("%s until %v: err = %v, want a HistoryError from %v", q.Kind, q.Until, err, first)
		}
	}
}

// TestLiftUndefined: a tag with no customers has no lift ("—"), not 0.00.
func TestLiftUndefined(t *testing.T) {
	f := seed(t)
	extra := store.Tag{ID: "t5", GroupID: "g2", GroupName: "兴趣", Name: "露营", Order: 0}
	lib := testLibrary
	lib.Tags = append(lib.Tags[:len(lib.Tags):len(lib.Tags)], extra)
	if _, err := f.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	c, err := f.s.Cross([]store.Tag{testLibrary.Tags[0], extra}, 1, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if c.HasLift(0, 1) {
		t.Errorf("HasLift = true for a tag without customers")
	}
	text := Render(Result{Kind: KindCross, Cross: c}, cst, false)
	if !strings.Contains(text, "高意向 × 露营     0   0%    —       —") {
		t.Errorf("pair row lacks the undefined share and lift as —:\n%s", text)
	}
}

// TestOverviewOrderAndZeros: groups and tags follow WeCom's order (larger
// Order first, as /groups lists them), tags without customers or change
// are left out with a count, and a large library is cut.
func TestOverviewOrderAndZeros(t *testing.T) {
	f := seed(t)
	f.untag("zs", "c6", "t2") // VIP: no customer, −1 over 30 days: still listed
	lib := testLibrary
	lib.Tags = append(lib.Tags[:len(lib.Tags):len(lib.Tags)],
		store.Tag{ID: "t5", GroupID: "g2", GroupName: "兴趣", Name: "露营"},
		store.Tag{ID: "t6", GroupID: "g3", GroupName: "空组", Name: "无人"})
	lib.Groups = append(lib.Groups[:len(lib.Groups):len(lib.Groups)], store.Group{ID: "g3", Name: "空组", Order: 3})
	if _, err := f.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	ov, err := f.s.Overview(Scope{})
	if err != nil {
		t.Fatal(err)
	}
	text := Render(Result{Kind: KindOverview, Overview: ov}, cst, false)
	last := -1
	for _, name := range []string{"【意向】", "高意向", "VIP", "【兴趣】", "健身", "咖啡"} {
		i := strings.Index(text, name)
		if i < 0 {
			t.Errorf("reply lacks %s:\n%s", name, text)
			continue
		}
		if i < last {
			t.Errorf("%s out of WeCom order 意向(高意向, VIP) then 兴趣(健身, 咖啡):\n%s", name, text)
		}
		last = i
	}
	for _, gone := range []string{"露营", "无人", "【空组】"} {
		if strings.Contains(text, gone) {
			t.Errorf("reply lists %s, a tag (group) without customers:\n%s", gone, text)
		}
	}
	if !strings.Contains(text, "另有 2 个标签没有客户") {
		t.Errorf("reply lacks 另有 2 个标签没有客户:\n%s", text)
	}

	big := &Overview{Customers: 1000}
	for g := 0; g < 10; g++ {
		gc := GroupCounts{Group: fmt.Sprintf("组%d", g)}
		for i := 0; i < 10; i++ {
			gc.Tags = append(gc.Tags, TagCount{Tag: store.Tag{Name: fmt.Sprintf("标签%d-%d", g, i)}, Customers: 100 - g*10 - i})
		}
		big.Groups = append(big.Groups, gc)
	}
	text = Render(Result{Kind: KindOverview, Overview: big}, cst, false)
	if n := strings.Count(text, "\n  标签"); n != OverviewRows {
		t.Errorf("a 100-tag library lists %d tags, want %d:\n%s", n, OverviewRows, text)
	}
	for _, want := range []string{"标签0-0", fmt.Sprintf("另有 %d 个标签客户较少，没有列出", 100-OverviewRows), "/stats tag:"} {
		if !strings.Contains(text, want) {
			t.Errorf("cut reply lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "标签9-9") {
		t.Errorf("cut reply lists the smallest tag 标签9-9:\n%s", text)
	}
	if len(text) > 2000 {
		t.Errorf("cut reply is %d bytes, want one message (≤ 2000)", len(text))
	}
}
