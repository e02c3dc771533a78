package hygiene

import (
	"context"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// mergeProgress finishes a merge job: once every row is handled it
// deletes the merged-away tag in WeCom (the outbox leaves deleted tags out
// of calls still queued), then reports. It runs again at start for a job
// that ended unreported, so a crash before the deletion is made good.
func (h *Hygiene) mergeProgress(ctx context.Context, j store.Job) {
	if !ended(j) {
		h.progress(ctx, j)
		return
	}
	lines := []string{fmt.Sprintf("%s（批次 %s）%s：%s", display.Name(j.Title), j.ID, stateWord(j), counts(j, "改动"))}
	if j.State == store.JobDone && len(j.Remove) == 1 {
		if left := h.stillCarrying(j); left != "" {
			lines = append(lines, left)
		} else {
			lines = append(lines, h.deleteMerged(ctx, j))
		}
	}
	h.finish(ctx, j, lines)
}

// stillCarrying is what to tell when relationships still carry the
// merged-away tag after the job (given it while the job ran, or rows that
// failed): the tag is then not deleted, and merging again moves them. ""
// when none does.
func (h *Hygiene) stillCarrying(j store.Job) string {
	from := j.Remove[0]
	if t, err := h.st.Tag(from.ID); err != nil || t.Deleted {
		return ""
	}
	rels, err := h.st.CustomersWithTags([]string{from.ID}, "", mergePage)
	if err != nil {
		h.log.Warn("merge: relationships left", "job", j.ID, "err", err)
		return fmt.Sprintf("无法确认「%s」是否还有客户，没有删除。请再发送 /dupes 查看后重新合并。", display.Name(from.Name))
	}
	if len(rels) == 0 {
		return ""
	}
	n := countText(len(rels))
	if len(rels) == mergePage {
		n = "至少 " + n
	}
	again := "/merge " + h.typedID(from.ID)
	if len(j.Add) == 1 {
		again += " into " + h.typedID(j.Add[0].ID)
	}
	return fmt.Sprintf("还有 %s 个客户关系带着「%s」（合并期间新加的，或上面失败的），所以没有删除它。请再发送 %s，把它们也移过去并删除「%s」。",
		n, display.Name(from.Name), again, display.Name(from.Name))
}

// deleteMerged deletes the merged-away tag and says what happened.
func (h *Hygiene) deleteMerged(ctx context.Context, j store.Job) string {
	from := j.Remove[0]
	name := display.Name(from.Name)
	if t, err := h.st.Tag(from.ID); err == nil && t.Deleted {
		return fmt.Sprintf("「%s」已不在标签库里。撤销：/undo %s（需先 /restore tag %s）", name, j.ID, name)
	}
	if h.tags == nil {
		return fmt.Sprintf("没有连接企业微信，「%s」未删除。", name)
	}
	if err := h.tags.DeleteTag(ctx, from.ID); err != nil {
		h.log.Warn("merge: delete tag failed", "job", j.ID, "tag", from.ID, "err", err)
		return fmt.Sprintf("在企业微信删除「%s」失败，请稍后在企业微信后台删除，或再发送 /merge。", name)
	}
	return fmt.Sprintf("已在企业微信删除「%s」（/restore tag %s 可恢复）。撤销整批：先 /restore tag %s，再 /undo %s。", name, name, name, j.ID)
}

// undoProgress reports an ended mass undo.
func (h *Hygiene) undoProgress(ctx context.Context, j store.Job) {
	if !ended(j) {
		h.progress(ctx, j)
		return
	}
	h.finish(ctx, j, []string{fmt.Sprintf("%s（批次 %s）%s：%s。要撤回这次撤销请 /undo %s。",
		display.Name(j.Title), j.ID, stateWord(j), counts(j, "撤销"), j.ID)})
}

// progressMin is the smallest job whose progress is reported before its
// summary.
const progressMin = 1000

// progress tells the job's actor how far a large running job got, when a
// report is due (jobs.Throttle: every 10% or every minute, well within
// WeCom's 30 messages a minute).
func (h *Hygiene) progress(ctx context.Context, j store.Job) {
	if j.State != store.JobRunning || j.Total < progressMin || !h.throttle.Due(j, h.now()) {
		return
	}
	h.deliverTo(ctx, j.Actor, []commands.Reply{{Text: fmt.Sprintf("%s（批次 %s）进行中：%s / %s（%d%%）。",
		display.Name(j.Title), j.ID, countText(j.Next), countText(j.Total), jobs.Percent(j))}})
}

// finish sends the summary to the job's actor and marks it reported.
func (h *Hygiene) finish(ctx context.Context, j store.Job, lines []string) {
	if len(j.Failed) > 0 {
		lines = append(lines, "失败原因："+failures(j))
	}
	h.deliverTo(ctx, j.Actor, []commands.Reply{{Text: strings.Join(lines, "\n")}})
	h.throttle.Forget(j.ID)
	if err := h.st.MarkJobReported(j.ID); err != nil {
		h.log.Warn("mark job reported", "job", j.ID, "err", err)
	}
}

// ended reports whether a job is over and its summary not yet sent.
func ended(j store.Job) bool {
	return !j.Reported && (j.State == store.JobDone || j.State == store.JobCancelled)
}

// stateWord is 已完成 or 已停止.
func stateWord(j store.Job) string {
	if j.State == store.JobCancelled {
		return "已停止"
	}
	return "已完成"
}

// counts is "<verb> N 项变更，跳过 M 项（已是目标状态），失败 K 项": it
// counts the job's rows and change-sets, not relationships (a mass undo
// may take back several change-sets of one customer).
func counts(j store.Job, verb string) string {
	s := fmt.Sprintf("%s %s 项变更", verb, countText(j.Applied))
	if j.Skipped > 0 {
		s += fmt.Sprintf("，跳过 %s 项（已是目标状态）", countText(j.Skipped))
	}
	if j.FailedN > 0 {
		s += fmt.Sprintf("，失败 %s 项", countText(j.FailedN))
	}
	return s
}

// failures is "原因 ×N、…", by reason.
func failures(j store.Job) string {
	var parts []string
	for _, r := range sortedKeys(j.Failed) {
		parts = append(parts, fmt.Sprintf("%s ×%d", r, j.Failed[r]))
	}
	return strings.Join(parts, "、")
}
