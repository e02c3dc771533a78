package hygiene

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// internAfternoon: zhangsan tags three customers this afternoon; lisi
// (another employee) later re-tags c2's VIP, the same tag on the same
// relationship: a conflict.
func internAfternoon(e *env) {
	e.apply("setup", store.SourceCommand, "c3", "zhangsan", []string{"普通"}, nil)
	e.clk.Advance(2 * time.Hour) // 12:00, before "since:13:00"
	e.apply("zhangsan", store.SourceCommand, "c1", "zhangsan", []string{"高意向"}, nil)
	e.apply("zhangsan", store.SourceCommand, "c2", "zhangsan", []string{"VIP"}, nil)
	e.apply("zhangsan", store.SourceCommand, "c3", "zhangsan", []string{"VIP"}, []string{"普通"})
	e.apply("lisi", store.SourceCommand, "c2", "zhangsan", nil, []string{"VIP"})
	e.apply("lisi", store.SourceCommand, "c2", "zhangsan", []string{"VIP"}, nil)
	e.settle()
}

func TestMassUndoConflicts(t *testing.T) {
	e := newEnv(t)
	e.clk.Set(time.Date(2026, 12, 2, 11, 0, 0, 0, e.clk.Now().Location()))
	internAfternoon(e)
	type state struct{ C1, C2, C3 []string }
	read := func() state {
		return state{e.tagNames("c1", "zhangsan"), e.tagNames("c2", "zhangsan"), e.tagNames("c3", "zhangsan")}
	}

	preview := e.say("mgr", "/undo @zhangsan since:今天")
	for _, want := range []string{"将撤销 zhangsan 做的 自 12-02 00:00 起 的 2 项变更", "冲突 1 项", "赵敏（跟进人 zhangsan）", "之后 lisi", "force",
		"例如：钱多多（跟进人 zhangsan）撤销 #", "（添加「VIP」，移除「普通」）"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	if got := e.say("mgr", "/confirm"); !strings.Contains(got, "bg-undo-") {
		t.Fatalf("confirm = %q", got)
	}
	e.settle()
	want := state{C1: nil, C2: []string{"VIP"}, C3: []string{"普通"}}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Errorf("after mass undo = %+v\nwant %+v (c2 left alone: lisi changed VIP since)", got, want)
	}
	if got := e.wecomTagNames("c3", "zhangsan"); !reflect.DeepEqual(got, []string{"普通"}) {
		t.Errorf("WeCom c3 = %v, want [普通]", got)
	}
	undos, err := e.st.History(store.Query{Actor: "mgr"})
	if err != nil {
		t.Fatal(err)
	}
	batch := ""
	for _, cs := range undos {
		if cs.Source != store.SourceUndo || !strings.HasPrefix(cs.Batch, "bg-undo-") || (batch != "" && cs.Batch != batch) {
			t.Errorf("undo change-set #%d source %q batch %q, want one bg-undo batch", cs.ID, cs.Source, cs.Batch)
		}
		batch = cs.Batch
	}
	if len(undos) != 2 {
		t.Errorf("mass undo wrote %d change-sets, want 2", len(undos))
	}

	// force takes the conflicting one too.
	preview = e.say("mgr", "/undo @zhangsan since:今天 force")
	if !strings.Contains(preview, "将撤销 zhangsan 做的 自 12-02 00:00 起 的 1 项变更") || !strings.Contains(preview, "将覆盖") {
		t.Errorf("forced preview = %q", preview)
	}
	e.say("mgr", "/confirm")
	e.settle()
	want.C2 = nil
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Errorf("after forced undo = %+v\nwant %+v", got, want)
	}
	forced, err := e.st.History(store.Query{Customer: "c2", Limit: 1})
	if err != nil || len(forced) != 1 || !forced[0].Forced {
		t.Errorf("forced undo change-set = %+v (%v), want Forced", forced, err)
	}
	if err := e.st.Verify(); err != nil {
		t.Error(err)
	}
}

func TestMassUndoSelections(t *testing.T) {
	e := newEnv(t)
	internAfternoon(e)
	e.apply("boss", store.SourceImport, "c4", "zhangsan", []string{"低意向"}, nil)
	e.apply("boss", store.SourceCommand, "c4", "zhangsan", []string{"华南"}, nil)
	if _, err := e.st.ApplyBatch([]store.ChangeSet{
		{Actor: "mgr", Source: store.SourceBulk, Customer: "c1", Follower: "lisi", Add: []store.TagRef{{ID: e.lib["VIP"]}}, Batch: "bg-bulk-7"},
		{Actor: "mgr", Source: store.SourceBulk, Customer: "c2", Follower: "zhangsan", Add: []store.TagRef{{ID: e.lib["低意向"]}}, Batch: "bg-bulk-7"},
	}); err != nil {
		t.Fatal(err)
	}
	e.apply("zhangsan", store.SourceCommand, "c4", "zhangsan", []string{"展会"}, nil)
	tests := []struct {
		name, user, text string
		want             string
	}{
		{"group policy", "mgr", "/undo @zhangsan since:今天 tag:展会", "无权修改的标签：你没有权限修改「展会」"},
		{"admin passes the policy", "boss", "/undo @zhangsan since:今天 tag:展会", "将撤销 zhangsan 做的 自 12-02 00:00 起 涉及「展会」 的 1 项变更"},
		{"by source", "mgr", "/undo source:import since:今天", "将撤销 来源 import 自 12-02 00:00 起 的 1 项变更"},
		{"by tag", "mgr", "/undo @zhangsan since:今天 tag:高意向", "的 1 项变更"},
		{"until before everything", "mgr", "/undo @zhangsan since:昨天 until:昨天", "没有找到"},
		{"employee own", "zhangsan", "/undo since:今天", "将撤销"},
		{"employee someone else", "zhangsan", "/undo @lisi since:今天", "你只能批量撤销自己的变更"},
		{"employee source", "lisi", "/undo source:import since:今天", "没有找到"},
		{"employee force", "zhangsan", "/undo since:今天 force", "只有主管可以强制撤销"},
		{"unknown batch", "mgr", "/undo bg-merge-9", "没有找到"},
		{"bulk batch", "mgr", "/undo bg-bulk-7", "将撤销 批次 bg-bulk-7 的 2 项变更"},
		{"employee others' batch", "zhangsan", "/undo bg-bulk-7", "批次 bg-bulk-7 里有别人的变更"},
		{"no since", "mgr", "/undo @zhangsan", "since:"},
		{"unknown source", "mgr", "/undo source:fax since:今天", "没有来源「fax」"},
		{"bad time", "mgr", "/undo @zhangsan since:明年春天", "看不懂"},
		{"a member's name after @", "mgr", "/undo @张三 since:今天 tag:高意向", "将撤销 zhangsan 做的"},
		{"no member of that name", "mgr", "/undo @赵六六 since:今天", "@ 后面要写 userid，例如 @zhangsan"},
	}
	if err := e.st.SetMemberName("zhangsan", "张三"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.say(tt.user, tt.text)
			if !strings.Contains(got, tt.want) {
				t.Errorf("%s: %q = %q, want it to contain %q", tt.user, tt.text, got, tt.want)
			}
			e.say(tt.user, "/cancel")
		})
	}
}

func TestPlainUndoUnchanged(t *testing.T) {
	e := newEnv(t)
	cs := e.apply("zhangsan", store.SourceCommand, "c1", "zhangsan", []string{"高意向"}, nil)
	if got := e.say("zhangsan", "/undo "+cs.ID.String()); !strings.Contains(got, "已撤销 #"+cs.ID.String()) {
		t.Errorf("/undo N = %q", got)
	}
	if got := e.tagNames("c1", "zhangsan"); len(got) != 0 {
		t.Errorf("tags after /undo N = %v", got)
	}
}

func TestUndoBulkBatch(t *testing.T) {
	e := newEnv(t)
	e.apply("setup", store.SourceCommand, "c1", "zhangsan", []string{"VIP"}, nil)
	e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"VIP", "低意向"}, nil)
	e.settle()
	type state struct{ C1, C2, C3 []string }
	read := func(tags func(c, f string) []string) state {
		return state{tags("c1", "zhangsan"), tags("c2", "zhangsan"), tags("c3", "zhangsan")}
	}
	before := read(e.tagNames)
	e.say("mgr", "/bulk tag:VIP +高意向")
	started := e.say("mgr", "/confirm")
	batch := regexp.MustCompile(`bg-bulk-\d+`).FindString(started)
	if batch == "" {
		t.Fatalf("bulk confirm = %q", started)
	}
	e.settle()
	bulked := state{C1: []string{"VIP", "高意向"}, C2: []string{"VIP", "高意向"}}
	if got := read(e.tagNames); !reflect.DeepEqual(got, bulked) {
		t.Fatalf("after /bulk = %+v, want %+v", got, bulked)
	}
	preview := e.say("mgr", "/undo "+batch)
	if !strings.Contains(preview, "将撤销 批次 "+batch+" 的 2 项变更") || !strings.Contains(preview, "「低意向」") {
		t.Errorf("preview = %q, want 2 change-sets, 低意向 put back", preview)
	}
	e.say("mgr", "/confirm")
	e.settle()
	if got := read(e.tagNames); !reflect.DeepEqual(got, before) {
		t.Errorf("store after /undo %s = %+v, want %+v", batch, got, before)
	}
	if got := read(e.wecomTagNames); !reflect.DeepEqual(got, before) {
		t.Errorf("WeCom after /undo %s = %+v, want %+v", batch, got, before)
	}
}

// TestProgressEveryTenPercentOrMinute: a large mass undo reports its
// progress each time it passes another 10%, or after a minute without a
// report (jobs.Throttle); a small one reports only its summary.
func TestProgressEveryTenPercentOrMinute(t *testing.T) {
	e := newEnv(t)
	var got []string
	h := New(Options{Store: e.st, Jobs: &jobs.Runner{Store: e.st}, Logger: quiet(), Now: e.clk.Now,
		Deliver: func(_ context.Context, _ string, rs []commands.Reply) { got = append(got, joinReplies(rs)) }})
	job := store.Job{ID: "bg-undo-9", Kind: KindUndo, Actor: "mgr", Title: "撤销 批次 bg-bulk-1", State: store.JobRunning, Total: 2000}
	for _, step := range []struct {
		next  int
		after time.Duration
	}{{100, 0}, {200, 0}, {250, 0}, {400, 0}, {420, time.Minute}, {1999, 0}} {
		e.clk.Advance(step.after)
		job.Next = step.next
		h.undoProgress(context.Background(), job)
	}
	want := []string{
		"撤销 批次 bg-bulk-1（批次 bg-undo-9）进行中：200 / 2,000（10%）。",
		"撤销 批次 bg-bulk-1（批次 bg-undo-9）进行中：400 / 2,000（20%）。",
		"撤销 批次 bg-bulk-1（批次 bg-undo-9）进行中：420 / 2,000（21%）。",
		"撤销 批次 bg-bulk-1（批次 bg-undo-9）进行中：1,999 / 2,000（99%）。",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("progress messages = %q\nwant %q", got, want)
	}
	small := store.Job{ID: "bg-undo-10", Kind: KindUndo, Actor: "mgr", State: store.JobRunning, Total: 10, Next: 5}
	h.undoProgress(context.Background(), small)
	if len(got) != len(want) {
		t.Errorf("a 10-row job reported progress: %q", got[len(want):])
	}
}

// TestMassUndoExclusiveGroup: after zhangsan took c1's 低意向 off, the
// manager set 高意向 (意向程度 is exclusive); taking zhangsan's change back
// would put 低意向 beside it, so it is left alone, as /undo refuses it. On
// c2 zhangsan's two changes are taken back in turn and 低意向 returns.
func TestMassUndoExclusiveGroup(t *testing.T) {
	e := newEnv(t)
	e.apply("setup", store.SourceCommand, "c1", "zhangsan", []string{"低意向"}, nil)
	e.apply("setup", store.SourceCommand, "c2", "zhangsan", []string{"低意向"}, nil)
	e.clk.Advance(time.Hour)
	since := e.clk.Now().Add(-time.Minute).In(e.clk.Now().Location()).Format("15:04")
	e.apply("zhangsan", store.SourceCommand, "c1", "zhangsan", []string{"VIP"}, []string{"低意向"})
	e.apply("mgr", store.SourceCommand, "c1", "zhangsan", []string{"高意向"}, nil)
	e.apply("zhangsan", store.SourceCommand, "c2", "zhangsan", []string{"高意向"}, []string{"低意向"})
	e.apply("zhangsan", store.SourceCommand, "c2", "zhangsan", nil, []string{"高意向"})
	e.settle()

	preview := e.say("mgr", "/undo @zhangsan since:"+since)
	for _, want := range []string{"的 2 项变更", "互斥冲突 1 项", "互斥的标签组「意向程度」已有「高意向」，不能再加回「低意向」"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	e.say("mgr", "/confirm")
	e.settle()
	if got := e.tagNames("c1", "zhangsan"); !reflect.DeepEqual(got, []string{"VIP", "高意向"}) {
		t.Errorf("c1 = %v, want [VIP 高意向] (left alone)", got)
	}
	if got := e.tagNames("c2", "zhangsan"); !reflect.DeepEqual(got, []string{"低意向"}) {
		t.Errorf("c2 = %v, want [低意向] (both swaps taken back)", got)
	}
}
