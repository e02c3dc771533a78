package bulk

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// Progress reports: at most one per ProgressStep of the run or per
// ProgressEvery, whichever comes first, so a member gets at most ten
// reports for a fast run and one a minute for a slow one (far within
// WeCom's 30 messages a minute to one member).
const (
	ProgressStep  = 10 // percent
	ProgressEvery = time.Minute
)

// report is the last progress sent for a job.
type report struct {
	at      time.Time
	percent int
}

// progress receives the runner's report after each chunk of a /bulk run:
// it sends a progress line when one is due and the summary at the end.
func (b *Bulk) progress(job store.Job) {
	if !job.State.Runnable() {
		b.finish(job)
		return
	}
	now := b.opts.Now()
	pct := percent(job)
	b.mu.Lock()
	last, seen := b.reported[job.ID]
	if !seen { // the run starts (or resumes after a restart) now
		last = report{at: now}
		b.reported[job.ID] = last
	}
	due := pct < 100 && (pct >= last.percent+ProgressStep || now.Sub(last.at) >= ProgressEvery)
	if due {
		b.reported[job.ID] = report{at: now, percent: pct}
	}
	b.mu.Unlock()
	if due {
		b.deliver(job.Actor, b.progressText(job))
	}
}

// percent is how much of the job is handled, 0-100.
func percent(j store.Job) int {
	if j.Total == 0 {
		return 100
	}
	return j.Next * 100 / j.Total
}

// progressText is one progress line.
func (b *Bulk) progressText(j store.Job) string {
	return fmt.Sprintf("批量修改 %s 进度 %d%%：已处理 %d / %d（改了 %d，已符合跳过 %d，失败 %d），剩余%s。",
		j.ID, percent(j), j.Next, j.Total, j.Applied, j.Skipped, j.FailedN, b.eta(j.Total-j.Next))
}

// finish sends the summary of an ended run once (store.Job.Reported).
func (b *Bulk) finish(job store.Job) {
	b.mu.Lock()
	delete(b.reported, job.ID)
	b.mu.Unlock()
	if job.Reported {
		return
	}
	b.deliver(job.Actor, SummaryText(job))
	if err := b.opts.Store.MarkJobReported(job.ID); err != nil {
		b.log.Error("bulk summary sent but not recorded; it may be sent again", "job", job.ID, "err", err)
	}
}

// SummaryText is the final report of a bulk run: counts, failures grouped
// by reason with a few examples, and how to undo it.
func SummaryText(j store.Job) string {
	var sb strings.Builder
	head := "批量修改完成"
	if j.State == store.JobCancelled {
		head = "批量修改已停止"
	}
	fmt.Fprintf(&sb, "%s（批次 %s）：%s\n改了 %d 个，已符合跳过 %d 个，失败 %d 个。", head, j.ID, display.Line(j.Title, 200),
		j.Applied, j.Skipped+j.Matched, j.FailedN)
	if j.State == store.JobCancelled && j.Next < j.Total {
		fmt.Fprintf(&sb, "\n有 %d 个没有执行。", j.Total-j.Next)
	}
	reasons := make([]string, 0, len(j.Failed))
	for r := range j.Failed {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(a, c int) bool {
		if j.Failed[reasons[a]] != j.Failed[reasons[c]] {
			return j.Failed[reasons[a]] > j.Failed[reasons[c]]
		}
		return reasons[a] < reasons[c]
	})
	for _, r := range reasons {
		fmt.Fprintf(&sb, "\n· %s：%d 个", display.Line(r, 80), j.Failed[r])
		var ex []string
		for _, e := range j.Examples {
			if e.Reason == r && len(ex) < 3 {
				ex = append(ex, display.Name(e.Customer)+"/"+display.Name(e.Follower))
			}
		}
		if len(ex) > 0 {
			sb.WriteString("（如 " + strings.Join(ex, "、") + "）")
		}
	}
	if j.Applied > 0 {
		fmt.Fprintf(&sb, "\n整批撤销请发送 /undo %s", j.ID)
	}
	return sb.String()
}

// deliver sends text to userID, or logs it without a sender.
func (b *Bulk) deliver(userID, text string) {
	if b.opts.Deliver == nil {
		b.log.Info("bulk report not delivered: no sender", "user", userID)
		return
	}
	b.opts.Deliver(context.Background(), userID, []commands.Reply{{Text: text}})
}
