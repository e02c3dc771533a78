package stats

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/store"
)

// row is one tag of an overview, flattened for comparison.
type row struct {
	Group                        string
	Customers, Change7, Change30 int
}

func flatten(ov *Overview) map[string]row {
	out := map[string]row{}
	for _, g := range ov.Groups {
		for _, tc := range g.Tags {
			out[tc.Tag.Name] = row{g.Group, tc.Customers, tc.Change7, tc.Change30}
		}
	}
	return out
}

func TestOverviewKnownAnswer(t *testing.T) {
	f := seed(t)
	for _, tc := range []struct {
		name      string
		sc        Scope
		customers int
		want      map[string]row
	}{
		{"manager", Scope{}, 6, map[string]row{
			"高意向": {"意向", 4, 2, 4}, "VIP": {"意向", 1, 0, 0},
			"健身": {"兴趣", 3, 0, 3}, "咖啡": {"兴趣", 3, 1, 3},
		}},
		{"employee zs", Scope{Follower: "zs"}, 4, map[string]row{
			"高意向": {"意向", 2, 0, 2}, "VIP": {"意向", 1, 0, 0},
			"健身": {"兴趣", 1, -1, 1}, "咖啡": {"兴趣", 1, 0, 1},
		}},
		{"employee ls", Scope{Follower: "ls"}, 3, map[string]row{
			"高意向": {"意向", 2, 1, 2}, "VIP": {"意向", 0, 0, 0},
			"健身": {"兴趣", 2, 1, 2}, "咖啡": {"兴趣", 2, 1, 2},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ov, err := f.s.Overview(tc.sc)
			if err != nil {
				t.Fatal(err)
			}
			if ov.Customers != tc.customers {
				t.Errorf("Customers = %d, want %d", ov.Customers, tc.customers)
			}
			if d := cmp.Diff(tc.want, flatten(ov)); d != "" {
				t.Errorf("per-tag rows differ (-want +got; fields Group, Customers, Change7, Change30):\n%s", d)
			}
		})
	}
}

func TestCrossKnownAnswer(t *testing.T) {
	f := seed(t)
	tags := []store.Tag{testLibrary.Tags[0], testLibrary.Tags[2], testLibrary.Tags[3]} // 高意向 健身 咖啡
	type want struct {
		Customers int
		Counts    [][]int
		All       int
		Page      []string
	}
	for _, tc := range []struct {
		name string
		tags []store.Tag
		page int
		sc   Scope
		want want
	}{
		{"three tags", tags, 1, Scope{}, want{6, [][]int{{4, 2, 2}, {2, 3, 2}, {2, 2, 3}}, 1, []string{"c5"}}},
		{"past the last page", tags, 2, Scope{}, want{6, [][]int{{4, 2, 2}, {2, 3, 2}, {2, 2, 3}}, 1, nil}},
		{"employee sees own relationships", tags[:2], 1, Scope{Follower: "zs"}, want{4, [][]int{{2, 0}, {0, 1}}, 0, nil}},
		{"employee ls", tags[1:], 1, Scope{Follower: "ls"}, want{3, [][]int{{2, 2}, {2, 2}}, 2, []string{"c4", "c5"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := f.s.Cross(tc.tags, tc.page, tc.sc)
			if err != nil {
				t.Fatal(err)
			}
			got := want{c.Customers, c.Counts, c.All, c.Page}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("cross differs (-want +got):\n%s", d)
			}
		})
	}
	c, err := f.s.Cross(tags, 1, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		name      string
		got, want float64
	}{
		{"share 高意向→健身", c.Share(0, 1), 0.5},
		{"share 健身→咖啡", c.Share(1, 2), 2.0 / 3},
		{"lift 高意向×健身", c.Lift(0, 1), 1},
		{"lift 健身×咖啡", c.Lift(1, 2), 2.0 * 6 / 9},
	} {
		if diff := x.got - x.want; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("%s = %v, want %v", x.name, x.got, x.want)
		}
	}
	for _, bad := range [][]store.Tag{tags[:1], append(tags[:1:1], tags[0]), append(append(tags[:3:3], tags...), tags[0])} {
		if _, err := f.s.Cross(bad, 1, Scope{}); err == nil {
			t.Errorf("Cross with %d tags (ids repeated or out of range) succeeded, want ErrQuery", len(bad))
		}
	}
}

func TestTrendAcrossUndoAndRollback(t *testing.T) {
	f := seed(t)
	day := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 0, 0, 0, 0, cst) }
	type point struct {
		Day           string
		Adds, Removes int
	}
	nonzero := func(tr *Trend) []point {
		var out []point
		for _, p := range tr.Points {
			if p.Adds > 0 || p.Removes > 0 {
				out = append(out, point{p.Start.Format("01-02"), p.Adds, p.Removes})
			}
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		tag       store.Tag
		since     time.Time
		until     time.Time
		sc        Scope
		points    int
		customers int
		want      []point
	}{
		{"高意向 manager", testLibrary.Tags[0], day(11, 1), time.Time{}, Scope{}, 21, 4,
			[]point{{"11-01", 2, 0}, {"11-11", 1, 1}, {"11-18", 2, 0}}},
		{"高意向 zs: c1 lost on zs only", testLibrary.Tags[0], day(11, 1), time.Time{}, Scope{Follower: "zs"}, 21, 2,
			[]point{{"11-01", 2, 0}, {"11-11", 1, 1}, {"11-18", 1, 1}}},
		{"健身 until 11-12: later rollback not shown", testLibrary.Tags[2], day(11, 1), day(11, 12), Scope{}, 11, 3,
			[]point{{"11-01", 2, 0}, {"11-11", 1, 0}}},
		{"健身 since 11-15", testLibrary.Tags[2], day(11, 15), time.Time{}, Scope{}, 7, 3,
			[]point{{"11-18", 1, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := f.s.Trend(tc.tag, tc.since, tc.until, tc.sc)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Weekly || len(tr.Points) != tc.points || tr.Customers != tc.customers {
				t.Errorf("Weekly %v, %d points, %d customers; want daily, %d, %d", tr.Weekly, len(tr.Points), tr.Customers, tc.points, tc.customers)
			}
			if d := cmp.Diff(tc.want, nonzero(tr)); d != "" {
				t.Errorf("days with changes differ (-want +got):\n%s", d)
			}
		})
	}
	tr, err := f.s.Trend(testLibrary.Tags[0], day(8, 1), time.Time{}, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	adds, removes := 0, 0
	for _, p := range tr.Points {
		adds, removes = adds+p.Adds, removes+p.Removes
		if p.Start.In(cst).Weekday() != time.Monday {
			t.Errorf("weekly point starts %v, not a Monday", p.Start)
		}
	}
	if !tr.Weekly || adds != 5 || removes != 1 {
		t.Errorf("since 08-01: weekly %v adds %d removes %d, want weekly, 5, 1", tr.Weekly, adds, removes)
	}
}

func TestPeople(t *testing.T) {
	f := seed(t)
	tm, err := f.s.People("", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Person{
		// Own changes exclude the undo; reverted: c2 -高意向 (undone) and
		// c3 +高意向 +健身 (mgr's rollback took 健身 back).
		{UserID: "zs", BySource: map[store.Source]int{store.SourceCommand: 5}, Changes: 5, Reverted: 2, Undos: 1, Denied: 1},
		{UserID: "ls", BySource: map[store.Source]int{store.SourceCommand: 3}, Changes: 3},
		{UserID: "mgr", BySource: map[store.Source]int{store.SourceRollback: 1}, Changes: 1},
	}
	if d := cmp.Diff(want, tm.People); d != "" {
		t.Errorf("team differs (-want +got):\n%s", d)
	}
	one, err := f.s.People("ls", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want[1:2], one.People); d != "" {
		t.Errorf("person ls differs (-want +got):\n%s", d)
	}
	if got := want[0].UndoRate(); got != 2.0/5 {
		t.Errorf("zs undo rate = %v, want 2/5", got)
	}
}

func TestLedgerCountsEqualProjection(t *testing.T) {
	f := seed(t)
	for _, sc := range []Scope{{}, {Follower: "zs"}, {Follower: "ls"}} {
		checkLedgerEqualsProjection(t, f, sc)
	}
}

// checkLedgerEqualsProjection compares the ledger replay with the
// projection's counts (tt: keys) within sc.
func checkLedgerEqualsProjection(t *testing.T, f *fixture, sc Scope) {
	t.Helper()
	fromLedger, err := f.s.LedgerCounts(sc)
	if err != nil {
		t.Fatal(err)
	}
	fromProjection, err := f.st.TagCustomerCounts(sc.Follower)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(fromProjection, fromLedger); d != "" {
		t.Errorf("scope %+v: ledger counts differ from the projection (-projection +ledger):\n%s", sc, d)
	}
	ids := []string{"t1", "t2", "t3", "t4"}
	lists, err := f.st.TagCustomers(ids, sc.Follower)
	if err != nil {
		t.Fatal(err)
	}
	scanned := map[string]int{}
	for _, id := range ids {
		if n := len(lists[id]); n > 0 {
			scanned[id] = n
		}
	}
	if d := cmp.Diff(scanned, fromProjection); d != "" {
		t.Errorf("scope %+v: counts (sn: counters for all) differ from a scan of tt: keys (-scan +counts):\n%s", sc, d)
	}
}

// TestWarm checks Warm fills the cache: afterwards a cross analysis and
// the overview read no more of the projection than the new change-sets.
func TestWarm(t *testing.T) {
	f := seed(t)
	if err := f.s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(f.s.cache.sets); got != len(testLibrary.Tags) {
		t.Errorf("after Warm the cache holds %d tags, want %d", got, len(testLibrary.Tags))
	}
	f.tag("zs", "c6", "t1")
	c, err := f.s.Cross([]store.Tag{testLibrary.Tags[0], testLibrary.Tags[1]}, 1, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]int{{5, 1}, {1, 1}}, c.Counts); d != "" {
		t.Errorf("cross after Warm and a new change-set differs (-want +got):\n%s", d)
	}
}

// TestConcurrentUse runs managers' /stats and cross analyses while tags
// change (go test -race finds shared state touched outside the lock).
func TestConcurrentUse(t *testing.T) {
	f := seed(t)
	done := make(chan struct{})
	errs := make(chan error, 2)
	for g := 0; g < 2; g++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := f.s.Overview(Scope{}); err != nil {
					errs <- err
					return
				}
				if _, err := f.s.Cross(testLibrary.Tags, 1, Scope{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < 40; i++ {
		c := []string{"c2", "c3"}[i%2]
		if (i/2)%2 == 0 {
			f.tag("zs", c, "t2")
		} else {
			f.untag("zs", c, "t2")
		}
	}
	close(done)
	for g := 0; g < 2; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	checkLedgerEqualsProjection(t, f, Scope{})
	got, err := f.s.Cross(testLibrary.Tags, 1, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := (&Stats{Store: f.st, Now: f.clk.Now, Location: cst}).Cross(testLibrary.Tags, 1, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want.Counts, got.Counts); d != "" {
		t.Errorf("cross after concurrent use differs from a fresh one (-fresh +used):\n%s", d)
	}
}
