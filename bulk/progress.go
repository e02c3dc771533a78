package bulk

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// progress receives the runner's report after each chunk of a /bulk run:
// it sends a progress line when one is due (jobs.Throttle) and the summary
// at the end.
func (b *Bulk) progress(job store.Job) {
	if !job.State.Runnable() {
		b.finish(job)
		return
	}
	if b.throttle.Due(job, b.opts.Now()) {
		b.deliver(job.Actor, b.progressText(job))
	}
}

// progressText is one progress line.
func (b *Bulk) progressText(j store.Job) string {
	return fmt.Sprintf("批量修改 %s 进度 %d%%：已处理 %d / %d（改了 %d，已符合跳过 %d，失败 %d），剩余%s。",
		j.ID, jobs.Percent(j), j.Next, j.Total, j.Applied, j.Skipped, j.FailedN, b.eta(j.Total-j.Next))
}

// finish sends the summary of an ended run once (store.Job.Reported).
func (b *Bulk) finish(job store.Job) {
	b.throttle.Forget(job.ID)
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
