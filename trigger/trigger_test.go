package trigger

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

// testTriggers are the seed articles' triggers.
var testTriggers = []config.Trigger{
	{Name: "成分党是精致育儿派", OnAdd: []string{"成分党"}, Add: []string{"精致育儿派"}},
	{Name: "成交去掉报价", OnAdd: []string{"已成交"}, Remove: []string{"已报价"}},
	{Name: "投诉升级即流失", OnAdd: []string{"投诉升级"}, Add: []string{"已流失"}},
	{Name: "缺陷转技术", OnAdd: []string{"产品缺陷投诉"}, Notify: []string{"wangwu", "managers", "follower"}},
	{Name: "解决后回访", OnAdd: []string{"已解决客户"}, RemindAfter: 72 * time.Hour, Remind: "3 天后回访"},
}

type env struct {
	t    *testing.T
	path string
	clk  *clocktest.Clock
	st   *store.Store
	w    *Worker
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, path: filepath.Join(t.TempDir(), "tagbot.db"), clk: clocktest.New(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))}
	e.open()
	lib := store.Library{
		Groups: []store.Group{{ID: "g1", Name: "育儿"}, {ID: "g2", Name: "阶段"}, {ID: "g3", Name: "客诉"}},
		Tags: []store.Tag{
			{ID: "t1", GroupID: "g1", GroupName: "育儿", Name: "成分党"},
			{ID: "t2", GroupID: "g1", GroupName: "育儿", Name: "精致育儿派"},
			{ID: "t3", GroupID: "g2", GroupName: "阶段", Name: "已报价"},
			{ID: "t4", GroupID: "g2", GroupName: "阶段", Name: "已成交"},
			{ID: "t5", GroupID: "g2", GroupName: "阶段", Name: "已流失"},
			{ID: "t6", GroupID: "g3", GroupName: "客诉", Name: "产品缺陷投诉"},
			{ID: "t7", GroupID: "g3", GroupName: "客诉", Name: "已解决客户"},
			{ID: "t8", GroupID: "g3", GroupName: "客诉", Name: "投诉升级"},
		},
	}
	if _, err := e.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"c1", "c2"} {
		if err := e.st.UpsertCustomer(store.Customer{ID: c, Name: "客户" + c}, []store.FollowInfo{{Follower: "zhangsan"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.SetSyncedAt(e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	return e
}

// open opens the store with the test triggers installed.
func (e *env) open() {
	st, err := store.Open(e.path, store.Options{Now: e.clk.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
	eng := New(testTriggers, Options{Admins: []string{"wangwu"}, Managers: []string{"lisi"},
		Exclusive: func(g string) bool { return g == "阶段" }})
	st.SetTriggers(eng.Fire)
	e.st = st
	e.w = &Worker{Store: st, Now: e.clk.Now}
}

func (e *env) apply(customer string, src store.Source, add, remove []string) store.ChangeSet {
	e.t.Helper()
	cs, err := e.st.Apply(store.ChangeSet{Actor: "zhangsan", Source: src, Customer: customer, Follower: "zhangsan", Add: refs(add), Remove: refs(remove)})
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

func (e *env) tags(customer string) []string {
	e.t.Helper()
	rel, err := e.st.Relationship(customer, "zhangsan")
	if err != nil {
		e.t.Fatal(err)
	}
	return rel.TagIDs()
}

func refs(ids []string) []store.TagRef {
	var out []store.TagRef
	for _, id := range ids {
		out = append(out, store.TagRef{ID: id})
	}
	return out
}

func TestTriggerChanges(t *testing.T) {
	tests := []struct {
		name   string
		before []string // tags first given (before the triggers matter)
		add    []string
		src    store.Source
		want   []string
		wantBy string // the trigger named in the reason of the caused change-set
	}{
		{"child implies parent", nil, []string{"t1"}, store.SourceCommand, []string{"t1", "t2"}, "成分党是精致育儿派"},
		{"deal removes quote", []string{"t3"}, []string{"t4"}, store.SourceCommand, []string{"t4"}, "成交去掉报价"},
		{"exclusive group of the added tag", []string{"t4"}, []string{"t8"}, store.SourceCommand, []string{"t5", "t8"}, "投诉升级即流失"},
		{"fired from the WeCom client too", nil, []string{"t1"}, store.SourceWeComUI, []string{"t1", "t2"}, "成分党是精致育儿派"},
		{"fired by a full sync's difference too", nil, []string{"t1"}, store.SourceSync, []string{"t1", "t2"}, "成分党是精致育儿派"},
		{"nothing to do", []string{"t2"}, []string{"t1"}, store.SourceCommand, []string{"t1", "t2"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.before != nil {
				e.apply("c1", store.SourceCommand, tc.before, nil)
			}
			cs := e.apply("c1", tc.src, tc.add, nil)
			if got := e.tags("c1"); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("tags = %v, want %v", got, tc.want)
			}
			caused, err := e.st.Caused(cs.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantBy == "" {
				if len(caused) != 0 {
					t.Fatalf("caused = %+v, want none", caused)
				}
				return
			}
			if len(caused) != 1 {
				t.Fatalf("caused = %+v, want one change-set", caused)
			}
			c := caused[0]
			wantReason := "触发器「" + tc.wantBy + "」"
			if c.Source != store.SourceTrigger || !strings.HasPrefix(c.Reason, wantReason) || !strings.Contains(c.Reason, "#"+cs.ID.String()) || c.Cause != cs.ID {
				t.Errorf("caused change-set source %q reason %q cause %d; want trigger, %q… naming #%d", c.Source, c.Reason, c.Cause, wantReason, cs.ID)
			}
			if c.Outbox == 0 {
				t.Errorf("caused change-set has no outbox entry: WeCom would never see it")
			}
		})
	}
}

func TestTriggerUndoTakesBack(t *testing.T) {
	e := newEnv(t)
	e.apply("c1", store.SourceCommand, []string{"t3"}, nil)
	cs := e.apply("c1", store.SourceCommand, []string{"t4"}, nil) // 已成交 removes 已报价
	if _, err := e.st.Revert(cs.ID, store.RevertOptions{Actor: "zhangsan"}); err != nil {
		t.Fatal(err)
	}
	if got, want := e.tags("c1"), []string{"t3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("tags after the undo = %v, want %v (已报价 back)", got, want)
	}
}

func TestTriggerNotify(t *testing.T) {
	e := newEnv(t)
	e.apply("c1", store.SourceCommand, []string{"t6"}, nil)
	rep, err := e.w.RunOnce(context.Background())
	if want := (NoteReport{Delivered: 1, Messages: 3}); err != nil || rep != want {
		t.Fatalf("RunOnce = %+v, %v; want %+v", rep, err, want)
	}
	q, err := e.st.RepliesPending(0)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, r := range q {
		to = append(to, r.User)
		if !strings.Contains(r.Text, "客户c1") || !strings.Contains(r.Text, "产品缺陷投诉") {
			t.Errorf("notice %q does not name the customer and the tag", r.Text)
		}
	}
	slices.Sort(to)
	if want := []string{"lisi", "wangwu", "zhangsan"}; !reflect.DeepEqual(to, want) {
		t.Fatalf("notified %v, want %v", to, want)
	}
}

func TestTriggerReminderAcrossRestart(t *testing.T) {
	e := newEnv(t)
	e.apply("c1", store.SourceCommand, []string{"t7"}, nil)
	e.apply("c2", store.SourceCommand, []string{"t7"}, nil)
	ctx := context.Background()
	if rep, _ := e.w.RunOnce(ctx); rep.Delivered != 0 {
		t.Fatalf("sent %d reminders at once, want none before 72h", rep.Delivered)
	}
	e.apply("c2", store.SourceCommand, nil, []string{"t7"})
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(72*time.Hour - time.Minute)
	e.open()
	if rep, _ := e.w.RunOnce(ctx); rep.Delivered != 0 {
		t.Fatalf("sent %d reminders a minute early", rep.Delivered)
	}
	e.clk.Advance(time.Minute)
	rep, err := e.w.RunOnce(ctx)
	if want := (NoteReport{Delivered: 1, Messages: 1, Dropped: 1}); err != nil || rep != want {
		t.Fatalf("after 72h and a restart: %+v, %v; want %+v (c1 sent, c2 dropped: it lost the tag)", rep, err, want)
	}
	q, _ := e.st.RepliesPending(0)
	if len(q) != 1 || q[0].User != "zhangsan" || !strings.Contains(q[0].Text, "3 天后回访") || !strings.Contains(q[0].Text, "客户c1") {
		t.Fatalf("queued = %+v, want the reminder for 客户c1 to zhangsan", q)
	}
	if rep, _ := e.w.RunOnce(ctx); rep.Delivered != 0 {
		t.Fatalf("a second pass sent %d more", rep.Delivered)
	}
}

// TestTriggerNoticeNotSentToWhoCannotSeeTheTag: the follower zhangsan may
// not see the group 客诉 (visible_to): the notice about 产品缺陷投诉 goes
// to the others only, and the reminder about 已解决客户 is not sent to him;
// the report counts those two withheld and the reminder as reaching nobody,
// not as sent.
func TestTriggerNoticeNotSentToWhoCannotSeeTheTag(t *testing.T) {
	e := newEnv(t)
	e.w.Sees = func(user string, tag store.TagRef) bool { return user != "zhangsan" || tag.Group != "客诉" }
	e.apply("c1", store.SourceCommand, []string{"t6", "t7"}, nil)
	e.clk.Advance(72 * time.Hour)
	rep, err := e.w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (NoteReport{Delivered: 1, Messages: 2, Withheld: 2, Unsent: 1}); rep != want {
		t.Errorf("RunOnce = %+v, want %+v", rep, want)
	}
	q, err := e.st.RepliesPending(0)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, r := range q {
		to = append(to, r.User)
	}
	slices.Sort(to)
	if want := []string{"lisi", "wangwu"}; !reflect.DeepEqual(to, want) {
		t.Fatalf("sent to %v, want %v (zhangsan cannot see 客诉)", to, want)
	}
}
