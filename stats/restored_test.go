package stats

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/store"
)

// restoredFixture: 高意向 (t1) on c1, c2, c3 on 10-01; then for each step
// the live tag is deleted in WeCom at del and recreated as id at del+23h
// (/restore: a restore change-set per customer); now is 11-21 10:00.
func restoredFixture(t *testing.T, steps ...struct {
	del time.Time
	id  string
}) (*fixture, store.Tag) {
	f := newFixture(t, time.Date(2026, 10, 1, 10, 0, 0, 0, cst))
	for _, c := range []string{"c1", "c2", "c3"} {
		f.tag("zs", c, "t1")
	}
	live := testLibrary.Tags[0]
	for _, st := range steps {
		f.clk.Set(st.del)
		lib := store.Library{Groups: testLibrary.Groups, Tags: testLibrary.Tags[1:]}
		if _, err := f.st.PutLibrary(lib, "sync"); err != nil { // deletes the live one
			t.Fatal(err)
		}
		f.clk.Set(st.del.Add(23 * time.Hour))
		tag := store.Tag{ID: st.id, GroupID: "g1", GroupName: "意向", Name: "高意向", Order: 2}
		if err := f.st.PutTag(testLibrary.Groups[0], tag); err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"c1", "c2", "c3"} {
			f.apply("mgr", store.SourceRestore, c, "zs", []string{st.id}, nil)
		}
		if err := f.st.MarkRestored(live.ID, st.id); err != nil {
			t.Fatal(err)
		}
		live = tag
	}
	f.clk.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, cst))
	return f, live
}

type step = struct {
	del time.Time
	id  string
}

func TestRestoredTagKeepsHistory(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, cst) }
	for _, tc := range []struct {
		name  string
		steps []step
		want  []TrendPoint // days with a change
	}{
		{"restored once", []step{{time.Date(2026, 11, 20, 10, 0, 0, 0, cst), "t9"}}, []TrendPoint{
			{Start: day(10, 1), Adds: 3}, {Start: day(11, 20), Removes: 3}, {Start: day(11, 21), Adds: 3},
		}},
		{"restored twice (chain)", []step{
			{time.Date(2026, 11, 10, 10, 0, 0, 0, cst), "t9"}, {time.Date(2026, 11, 20, 10, 0, 0, 0, cst), "t10"},
		}, []TrendPoint{
			{Start: day(10, 1), Adds: 3}, {Start: day(11, 10), Removes: 3}, {Start: day(11, 11), Adds: 3},
			{Start: day(11, 20), Removes: 3}, {Start: day(11, 21), Adds: 3},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, live := restoredFixture(t, tc.steps...)
			ov, err := f.s.Overview(Scope{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := flatten(ov)["高意向"], (row{"意向", 3, 0, 0}); got != want {
				t.Errorf("overview row {Group Customers Change7 Change30} = %+v, want %+v", got, want)
			}
			tr, err := f.s.Trend(live, day(9, 30), time.Time{}, Scope{})
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
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("trend points differ (-want +got; fields Start, Adds, Removes):\n%s", d)
			}
		})
	}
}
