package bulk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
)

func relTags(t *testing.T, st *store.Store, cust, fol string) string {
	t.Helper()
	r, err := st.Relationship(cust, fol)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(r.TagIDs(), ",")
}

func TestBulkPreviewConfirmRun(t *testing.T) {
	e := newEnv(t)
	got := e.say("mgr", "/bulk tag:老客户 and not tag:已流失 +双十一")
	for _, want := range []string{"将给 2 位客户（2 个跟进关系）+双十一", "另有 1 个已经符合，会跳过", "王一（跟进人 zhangsan）、孙五（跟进人 zhangsan）",
		"每分钟 1200 次", "预计不到 1 分钟", "/confirm"} {
		if !strings.Contains(got, want) {
			t.Errorf("preview %q\nlacks %q", got, want)
		}
	}
	if j, _ := e.st.Jobs(false); len(j) != 0 {
		t.Fatalf("a job was created before /confirm: %+v", j)
	}
	got = e.say("mgr", "/confirm")
	if !strings.Contains(got, "已开始批量修改（批次 bg-bulk-1）") || !strings.Contains(got, "/undo bg-bulk-1") {
		t.Fatalf("confirm reply %q; want the batch id and how to undo it", got)
	}
	if err := e.runner.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent := strings.Join(e.delivered(), "\n")
	for _, want := range []string{"mgr: 批量修改完成（批次 bg-bulk-1）", "改了 2 个，已符合跳过 1 个，失败 0 个", "/undo bg-bulk-1"} {
		if !strings.Contains(sent, want) {
			t.Errorf("delivered %q\nlacks %q", sent, want)
		}
	}
	h, err := e.st.History(store.Query{Batch: "bg-bulk-1", Limit: 100})
	if err != nil || len(h) != 2 {
		t.Fatalf("%d change-sets in the batch (%v); want 2", len(h), err)
	}
	for _, cs := range h {
		if cs.Source != store.SourceBulk || cs.Actor != "mgr" || !cs.Background() {
			t.Errorf("change-set %d: source %s actor %s background %v; want bulk by mgr in the background lane", cs.ID, cs.Source, cs.Actor, cs.Background())
		}
	}
	if got := e.say("mgr", "/history tag:双十一"); !strings.Contains(got, "批次 bg-bulk-1") {
		t.Errorf("/history does not name the batch:\n%s", got)
	}
	// The same run again changes nothing.
	if got := e.say("mgr", "/bulk tag:老客户 and not tag:已流失 +双十一"); !strings.Contains(got, "都已经是这样了") {
		t.Errorf("second run: %q", got)
	}
}

// TestBulkExclusiveGroup: adding a tag of an exclusive group drops the
// group's other tag on each relationship, as /tag does.
func TestBulkExclusiveGroup(t *testing.T) {
	e := newEnv(t)
	if got := e.say("mgr", "/bulk @zhangsan +金"); !strings.Contains(got, "只能选一个：已有同组其他标签的客户会同时去掉那个标签") {
		t.Errorf("preview does not say the group's other tags go: %q", got)
	}
	if got := e.say("mgr", "/confirm"); !strings.Contains(got, "bg-bulk-1") {
		t.Fatalf("confirm: %q", got)
	}
	if err := e.runner.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"c1": relTags(t, e.st, "c1", "zhangsan"), "c2": relTags(t, e.st, "c2", "zhangsan"), "c5": relTags(t, e.st, "c5", "zhangsan")}
	want := map[string]string{"c1": "t1,t5", "c2": "t1,t3,t5", "c5": "t1,t5"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}
}

func TestBulkRefusals(t *testing.T) {
	e := newEnv(t)
	tests := []struct{ user, text, want string }{
		{"zhangsan", "/bulk tag:老客户 +双十一", "/bulk 只有"},
		{"mgr", "/bulk tag:老客户 +华东", "只有zhangsan可以修改"},
		{"mgr", "/bulk tag:没有这个 +双十一", "没有标签「没有这个」"},
		{"mgr", "/bulk tag:老客户 +金 +银", "互斥"},
		{"mgr", "/bulk tag:老客户 +双十一 -双十一", "不能同时加和去掉"},
		{"mgr", "/bulk tag:金 +双十一", "没有符合条件的客户"},
		{"mgr", "/bulk @nobody +双十一", "没有成员「nobody」"},
		{"mgr", "/bulk tag:老客户 and not @nobody +双十一", "没有成员「nobody」"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := e.say(tt.user, tt.text); !strings.Contains(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
	if got := e.say("mgr", "/confirm"); !strings.Contains(got, "没有等待确认的操作") {
		t.Errorf("a refused /bulk left a proposal: %q", got)
	}
}

// TestProgressReports: at most one report per 10% or per minute, and the
// summary once.
func TestProgressReports(t *testing.T) {
	e := newEnv(t)
	job, err := e.st.CreateJob(store.Job{Kind: Kind, Actor: "mgr", Source: store.SourceBulk, Title: "tag:老客户 +双十一"},
		[]store.JobRow{{Customer: "c1", Follower: "zhangsan"}})
	if err != nil {
		t.Fatal(err)
	}
	b := New(Options{Store: e.st, Config: testConfig(), Runner: e.runner, Now: e.clk.Now, Deliver: newEnvDeliver(e)})
	steps := []struct {
		after time.Duration
		next  int
		state store.JobState
		sent  bool
	}{
		{0, 5, store.JobRunning, false},
		{time.Second, 12, store.JobRunning, true},      // 10% more
		{time.Second, 15, store.JobRunning, false},     // 3% more, 1 s later
		{70 * time.Second, 16, store.JobRunning, true}, // a minute since
		{time.Second, 100, store.JobDone, true},        // the summary
	}
	for i, st := range steps {
		e.clk.Advance(st.after)
		j := job
		j.Total, j.Next, j.State, j.Applied, j.FailedN = 100, st.next, st.state, st.next, 0
		b.progress(j)
		if got := len(e.delivered()) == 1; got != st.sent {
			t.Errorf("step %d (%d%%): sent %v; want %v", i, st.next, got, st.sent)
		}
	}
	j, err := e.st.Job(job.ID)
	if err != nil || !j.Reported {
		t.Fatalf("job not marked reported (%v)", err)
	}
	b.progress(j)
	if got := e.delivered(); len(got) != 0 {
		t.Errorf("summary sent twice: %q", got)
	}
}

func TestSummaryGroupsFailures(t *testing.T) {
	j := store.Job{ID: "bg-bulk-3", State: store.JobDone, Title: "tag:A +B", Total: 10, Next: 10, Applied: 5, Skipped: 1, Matched: 2, FailedN: 4,
		Failed:   map[string]int{"客户已不再由该员工跟进": 1, "受保护标签": 3},
		Examples: []store.JobFailure{{Customer: "c1", Follower: "u1", Reason: "受保护标签"}, {Customer: "c2", Follower: "u2", Reason: "客户已不再由该员工跟进"}}}
	want := "批量修改完成（批次 bg-bulk-3）：tag:A +B\n改了 5 个，已符合跳过 3 个，失败 4 个。\n· 受保护标签：3 个（如 c1/u1）\n· 客户已不再由该员工跟进：1 个（如 c2/u2）\n整批撤销请发送 /undo bg-bulk-3"
	if got := SummaryText(j); got != want {
		t.Errorf("summary\n%s\nwant\n%s", got, want)
	}
}

func TestBulkListAndStop(t *testing.T) {
	e := newEnv(t)
	if got := e.say("mgr", "/bulk list"); !strings.Contains(got, "没有进行中的批量修改") {
		t.Errorf("list with none: %q", got)
	}
	e.say("mgr", "/bulk tag:老客户 +双十一")
	e.say("mgr", "/confirm")
	if _, err := e.runner.Step(context.Background()); err != nil { // 2 of 3 rows
		t.Fatal(err)
	}
	if got := e.delivered(); len(got) != 1 || !strings.Contains(got[0], "进度 66%") {
		t.Errorf("progress after 2 of 3: %q", got)
	}
	steps := []struct{ user, text, want string }{
		{"mgr", "/bulk list", "bg-bulk-1（mgr 发起）tag:老客户 +双十一：66%，2 / 3"},
		{"mgr", "/bulk stop bg-bulk-9", "没有批量修改 bg-bulk-9"},
		{"mgr", "/bulk stop", "用法：/bulk list"},
		{"mgr", "/bulk stop bg-bulk-1", "批量修改已停止（批次 bg-bulk-1）"},
		{"mgr", "/bulk stop bg-bulk-1", "已经结束了"},
	}
	for _, s := range steps {
		if got := e.say(s.user, s.text); !strings.Contains(got, s.want) {
			t.Errorf("%s: %q; want %q", s.text, got, s.want)
		}
	}
	if err := e.runner.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	j, err := e.st.Job("bg-bulk-1")
	if err != nil || j.State != store.JobCancelled || j.Applied != 2 {
		t.Fatalf("job %+v (%v); want cancelled after 2", j, err)
	}
	if got := e.delivered(); len(got) != 0 {
		t.Errorf("a stopped run was reported again: %q", got)
	}
}
