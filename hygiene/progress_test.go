package hygiene

import (
	"context"
	"reflect"
	"testing"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

func TestProgressEveryTenPercent(t *testing.T) {
	e := newEnv(t)
	var got []string
	h := New(Options{Store: e.st, Jobs: &jobs.Runner{Store: e.st}, Logger: quiet(),
		Deliver: func(_ context.Context, _ string, rs []commands.Reply) { got = append(got, joinReplies(rs)) }})
	job := store.Job{ID: "bg-undo-9", Kind: KindUndo, Actor: "mgr", Title: "撤销 批次 bg-bulk-1", State: store.JobRunning, Total: 2000}
	for _, next := range []int{100, 200, 250, 400, 1999} {
		job.Next = next
		h.undoProgress(context.Background(), job)
	}
	want := []string{
		"撤销 批次 bg-bulk-1（批次 bg-undo-9）进行中：200 / 2,000（10%）。",
		"撤销 批次 bg-bulk-1（批次 bg-undo-9）进行中：400 / 2,000（20%）。",
		"撤销 批次 bg-bulk-1（批次 bg-undo-9）进行中：1,999 / 2,000（90%）。",
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
