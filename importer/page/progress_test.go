package page

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// TestJobProgressInChat: a running import reports its progress in chat
// each time it passes another 10% or after a minute without a report,
// then its summary once.
func TestJobProgressInChat(t *testing.T) {
	f := newFixture(t)
	job := store.Job{ID: "bg-import-1", Kind: "import", Actor: "zhangsan", State: store.JobRunning, Total: 400}
	for _, step := range []struct {
		next  int
		after time.Duration
	}{{20, 0}, {40, 0}, {60, 0}, {80, 0}, {84, time.Minute}, {399, 0}} {
		f.clock.Advance(step.after)
		job.Next = step.next
		f.srv.JobProgress(job)
	}
	job.State, job.Next, job.Applied = store.JobDone, 400, 400
	f.srv.JobProgress(job)
	got := f.chat["zhangsan"]
	want := []string{
		"导入 bg-import-1 进度 10%：已处理 40 / 400（修改 0，已一致跳过 0，失败 0）。完成后发送结果。",
		"导入 bg-import-1 进度 20%：已处理 80 / 400（修改 0，已一致跳过 0，失败 0）。完成后发送结果。",
		"导入 bg-import-1 进度 21%：已处理 84 / 400（修改 0，已一致跳过 0，失败 0）。完成后发送结果。",
		"导入 bg-import-1 进度 99%：已处理 399 / 400（修改 0，已一致跳过 0，失败 0）。完成后发送结果。",
	}
	if len(got) < len(want) || !reflect.DeepEqual(got[:len(want)], want) {
		t.Fatalf("progress in chat = %q\nwant %q then the summary", got, want)
	}
	if rest := got[len(want):]; len(rest) == 0 || !strings.HasPrefix(rest[0], "导入完成（bg-import-1）") {
		t.Errorf("after the progress: %q; want the summary", rest)
	}
}
