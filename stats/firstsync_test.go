package stats

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/store"
)

// firstSyncFixture: the first full sync on 11-05 finds 高意向 on c1, c2, c3
// (sync change-sets) and ends at 11-05 10:00; zs tags c6 on 11-15; now is
// 11-21 10:00, so the 30-day window reaches back before the first sync.
func firstSyncFixture(t *testing.T) (*fixture, time.Time) {
	first := time.Date(2026, 11, 5, 10, 0, 0, 0, cst)
	f := newFixture(t, first.Add(-time.Minute))
	for _, c := range []string{"c1", "c2", "c3"} {
		f.apply("sync", store.SourceSync, c, "zs", []string{"t1"}, nil)
	}
	f.clk.Set(first)
	if err := f.st.SetSyncedAt(first); err != nil {
		t.Fatal(err)
	}
	f.clk.Set(time.Date(2026, 11, 15, 10, 0, 0, 0, cst))
	f.tag("zs", "c6", "t1")
	f.clk.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, cst))
	return f, first
}

func TestFirstSyncIsNotGrowth(t *testing.T) {
	f, first := firstSyncFixture(t)
	const note = "历史从 11-05 首次同步开始"
	t.Run("overview", func(t *testing.T) {
		ov, err := f.s.Overview(Scope{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := flatten(ov)["高意向"], (row{"意向", 4, 1, 1}); got != want {
			t.Errorf("row {Group Customers Change7 Change30} = %+v, want %+v", got, want)
		}
		if !ov.HistoryFrom.Equal(first) {
			t.Errorf("HistoryFrom = %v, want %v", ov.HistoryFrom, first)
		}
		if text := Render(Result{Kind: KindOverview, Overview: ov}, cst, false); !strings.Contains(text, note) {
			t.Errorf("reply lacks %q:\n%s", note, text)
		}
	})
	t.Run("trend", func(t *testing.T) {
		tr, err := f.s.Trend(testLibrary.Tags[0], time.Time{}, time.Time{}, Scope{})
		if err != nil {
			t.Fatal(err)
		}
		var got []TrendPoint
		for _, p := range tr.Points {
			if p.Adds != 0 || p.Removes != 0 {
				p.Start = p.Start.In(cst)
				got = append(got, p)
			}
		}
		want := []TrendPoint{{Start: time.Date(2026, 11, 15, 0, 0, 0, 0, cst), Adds: 1}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("trend points differ (-want +got; fields Start, Adds, Removes):\n%s", d)
		}
		if text := Render(Result{Kind: KindTrend, Trend: tr}, cst, false); !strings.Contains(text, note) {
			t.Errorf("reply lacks %q:\n%s", note, text)
		}
	})
	t.Run("team", func(t *testing.T) {
		tm, err := f.s.People("", time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range tm.People {
			got = append(got, p.UserID)
		}
		if d := cmp.Diff([]string{"zs"}, got); d != "" {
			t.Errorf("people differ (-want +got; the first sync's actor must not appear):\n%s", d)
		}
		if text := Render(Result{Kind: KindTeam, Team: tm}, cst, false); !strings.Contains(text, note) {
			t.Errorf("reply lacks %q:\n%s", note, text)
		}
	})
	t.Run("since: before the first sync is clamped and said", func(t *testing.T) {
		rs, err := f.s.Rules(time.Date(2026, 10, 1, 0, 0, 0, 0, cst), Scope{})
		if err != nil {
			t.Fatal(err)
		}
		if !rs.HistoryFrom.Equal(first) || !rs.Since.After(first) {
			t.Errorf("HistoryFrom = %v, Since = %v; want %v and just after it", rs.HistoryFrom, rs.Since, first)
		}
		if text := Render(Result{Kind: KindRules, Rules: rs}, cst, false); !strings.Contains(text, note) {
			t.Errorf("reply lacks %q:\n%s", note, text)
		}
	})
	t.Run("window after the first sync has no note", func(t *testing.T) {
		tr, err := f.s.Trend(testLibrary.Tags[0], time.Date(2026, 11, 10, 0, 0, 0, 0, cst), time.Time{}, Scope{})
		if err != nil {
			t.Fatal(err)
		}
		if !tr.HistoryFrom.IsZero() || tr.Since.Before(first) {
			t.Errorf("HistoryFrom = %v, Since = %v; want zero and the asked 11-10", tr.HistoryFrom, tr.Since)
		}
	})
}
