package stats

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/store"
)

func TestUndoRateCountsOwnChanges(t *testing.T) {
	revert := func(f *fixture, id store.ID, actor string) store.ChangeSet {
		t.Helper()
		cs, err := f.st.Revert(id, store.RevertOptions{Actor: actor})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	for _, tc := range []struct {
		name  string
		build func(f *fixture)
		want  Person
		text  string // in the rendered row
	}{
		{"undo redone: the change stands", func(f *fixture) {
			a := f.tag("zs", "c1", "t1")
			u := revert(f, a.ID, "zs")
			revert(f, u.ID, "zs") // /redo
		}, Person{UserID: "zs", BySource: map[store.Source]int{store.SourceCommand: 1}, Changes: 1, Undos: 1, Redos: 1}, "另撤销 1 次 · 重做 1 次"},
		{"one of two undone", func(f *fixture) {
			f.tag("zs", "c1", "t1")
			b := f.tag("zs", "c2", "t2")
			revert(f, b.ID, "zs")
		}, Person{UserID: "zs", BySource: map[store.Source]int{store.SourceCommand: 2}, Changes: 2, Reverted: 1, Undos: 1}, "50%"},
		{"rolled back by a manager", func(f *fixture) {
			f.tag("zs", "c2", "t1", "t4")
			f.tag("zs", "c3", "t1")
			f.apply("mgr", store.SourceRollback, "c2", "zs", nil, []string{"t4"})
		}, Person{UserID: "zs", BySource: map[store.Source]int{store.SourceCommand: 2}, Changes: 2, Reverted: 1}, "50%"},
		{"a later change by someone else is no rollback", func(f *fixture) {
			f.tag("zs", "c1", "t1")
			f.apply("ls", store.SourceCommand, "c1", "zs", nil, []string{"t1"})
		}, Person{UserID: "zs", BySource: map[store.Source]int{store.SourceCommand: 1}, Changes: 1}, "0%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, time.Date(2026, 11, 10, 10, 0, 0, 0, cst))
			tc.build(f)
			f.clk.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, cst))
			tm, err := f.s.People("zs", time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([]Person{tc.want}, tm.People); d != "" {
				t.Errorf("person differs (-want +got; fields BySource, Changes, Reverted, Denied):\n%s", d)
			}
			if text := Render(Result{Kind: KindPerson, Team: tm}, cst, false); !strings.Contains(text, tc.text) {
				t.Errorf("reply lacks %q:\n%s", tc.text, text)
			}
		})
	}
}

func TestPersonUnknownEmployee(t *testing.T) {
	f := seed(t)
	for _, tc := range []struct {
		name    string
		q       Query
		wantErr *UnknownEmployeeError // nil: a row for the userid
	}{
		{"nobody", Query{Kind: KindPerson, UserID: "nobody"}, &UnknownEmployeeError{UserID: "nobody"}},
		{"a name, not a userid", Query{Kind: KindPerson, UserID: "李四"}, &UnknownEmployeeError{UserID: "李四"}},
		{"close to a follower", Query{Kind: KindPerson, UserID: "zss"}, &UnknownEmployeeError{UserID: "zss", Suggest: "zs"}},
		{"an actor who follows nobody", Query{Kind: KindPerson, UserID: "mgr"}, nil},
		{"a follower with no changes in the window", Query{Kind: KindPerson, UserID: "ls", Since: time.Date(2026, 11, 19, 0, 0, 0, 0, cst)}, nil},
		{"oneself, before any customer", Query{Kind: KindPerson, UserID: "newbie", Asker: "newbie"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.s.Run(tc.q, Scope{})
			if tc.wantErr != nil {
				var got *UnknownEmployeeError
				if !errors.As(err, &got) {
					t.Fatalf("err = %v, want an UnknownEmployeeError", err)
				}
				if d := cmp.Diff(tc.wantErr, got); d != "" {
					t.Errorf("error differs (-want +got; fields UserID, Suggest):\n%s", d)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Team.People) != 1 || res.Team.People[0].UserID != tc.q.UserID {
				t.Errorf("people = %+v, want one row for %s", res.Team.People, tc.q.UserID)
			}
		})
	}
}

// TestTeamCountsOperations: 变更 and the sources count the same things
// (own changes, one per operation on a customer: a rollback over two
// relationships is one), undos apart.
func TestTeamCountsOperations(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 10, 10, 0, 0, 0, cst))
	f.tag("zs", "c1", "t1")
	f.tag("ls", "c1", "t2")
	b := f.tag("zs", "c2", "t4")
	if _, err := f.st.Revert(b.ID, store.RevertOptions{Actor: "zs"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.st.ApplyBatch([]store.ChangeSet{
		{Actor: "mgr", Source: store.SourceRollback, Customer: "c1", Follower: "zs", Remove: refs("t1"), Batch: "rollback-1"},
		{Actor: "mgr", Source: store.SourceRollback, Customer: "c1", Follower: "ls", Remove: refs("t2"), Batch: "rollback-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, cst))
	tm, err := f.s.People("", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Person{
		{UserID: "zs", BySource: map[store.Source]int{store.SourceCommand: 2}, Changes: 2, Reverted: 2, Undos: 1},
		{UserID: "ls", BySource: map[store.Source]int{store.SourceCommand: 1}, Changes: 1, Reverted: 1},
		{UserID: "mgr", BySource: map[store.Source]int{store.SourceRollback: 1}, Changes: 1},
	}
	if d := cmp.Diff(want, tm.People); d != "" {
		t.Errorf("team differs (-want +got):\n%s", d)
	}
	text := Render(Result{Kind: KindTeam, Team: tm}, cst, false)
	for _, s := range []string{"zs       2    100%     0  命令 2；另撤销 1 次", "mgr      1      0%     0  回滚 1"} {
		if !strings.Contains(text, s) {
			t.Errorf("reply lacks %q:\n%s", s, text)
		}
	}
}
