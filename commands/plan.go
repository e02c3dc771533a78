package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tagbot/tagbot/store"
)

// A sentence of several writes ("给张三打上高意向，把李四的观望型去掉")
// runs as a plan recorded in the store (store.PlanBegin) before its first
// command: each command's change-sets mark its step done in their own
// transaction, so a crash between two commands loses none and runs none
// twice. ResumePlans, called at start, runs what a crash left.

// runPlan records writes as a plan for userID and runs them in order.
func (r *Router) runPlan(ctx context.Context, userID string, writes []Command, now time.Time, seq uint64) []Reply {
	cmds := make([]string, len(writes))
	for i, c := range writes {
		cmds[i] = storedStep(c)
	}
	plan, err := r.st.PlanBegin(userID, cmds, store.InboxOf(ctx))
	if err != nil {
		return r.errorReplies(ctx, userID, "", fmt.Errorf("record plan: %w", err))
	}
	steps := make([]store.PlanStep, len(plan.Steps))
	for i, id := range plan.Steps {
		steps[i] = store.PlanStep{ID: id, Plan: plan.ID, Command: cmds[i]}
	}
	return r.planSteps(ctx, userID, plan.ID, steps, writes, now, seq)
}

// planSteps runs the steps of plan that have not run (cmds[i] is step
// i's command), each with its step id standing for the inbox message, and
// ends the plan. A step that made no change-set is marked done after it.
func (r *Router) planSteps(ctx context.Context, userID string, plan store.ID, steps []store.PlanStep, cmds []Command, now time.Time, seq uint64) []Reply {
	var all []Reply
	for i, st := range steps {
		if st.Finished() {
			continue
		}
		replies, done := r.dispatchDone(store.WithInbox(ctx, st.ID), userID, cmds[i], now, seq)
		all = append(all, withNote(replies, "即 "+cmds[i].Display())...)
		if r.afterStep != nil {
			r.afterStep(i)
		}
		if err := r.st.PlanStepDone(st.ID); err != nil {
			return append(all, r.errorReplies(ctx, userID, "", fmt.Errorf("plan step done: %w", err))...)
		}
		if !done { // refused or failed: the commands after it do not run
			all = append(all, stoppedReply(i, cmds))
			break
		}
	}
	if err := r.st.PlanEnd(plan); err != nil {
		return append(all, r.errorReplies(ctx, userID, "", fmt.Errorf("end plan: %w", err))...)
	}
	return all
}

// stoppedReply tells, after step i of cmds was refused or failed, that
// the steps after it did not run and that those before it still hold.
func stoppedReply(i int, cmds []Command) Reply {
	text := fmt.Sprintf("第 %d 条（%s）没有执行，原因见上。", i+1, cmds[i].Display())
	if rest := cmds[i+1:]; len(rest) > 0 {
		lines := make([]string, len(rest))
		for j, c := range rest {
			lines[j] = c.Display()
		}
		text += fmt.Sprintf("后面的 %d 条也没有执行：\n%s\n", len(rest), strings.Join(lines, "\n"))
	}
	if i > 0 {
		text += fmt.Sprintf("已执行的前 %d 条仍然生效（各是一次变更，/undo 可撤销）。", i)
	}
	return Reply{Text: text + "请改好后重新发送没有执行的命令。"}
}

// ResumePlans runs the commands of confirmed plans a crash or restart cut
// short (store.PlansPending) and sends each user what they did through
// Options.Deliver; the steps that ran before are not run again. The app
// calls it at start. 重启后继续执行已确认但未执行完的命令。
func (r *Router) ResumePlans(ctx context.Context) error {
	plans, err := r.st.PlansPending()
	if err != nil {
		return fmt.Errorf("pending plans: %w", err)
	}
	for _, p := range plans {
		if err := ctx.Err(); err != nil {
			return err
		}
		replies, err := r.resumePlan(ctx, p)
		if err != nil { // a plan that cannot run must not stop every later start
			r.log.ErrorContext(ctx, "confirmed commands not resumed; dropped", "plan", uint64(p.ID), "user", p.User, "err", err)
			replies = []Reply{{Text: "服务重启前你确认的命令没能继续执行，请发送 /history 查看哪些已经生效，再重新发送其余的。"}}
			if err := r.st.PlanEnd(p.ID); err != nil {
				return fmt.Errorf("drop plan %d: %w", p.ID, err)
			}
		}
		r.log.InfoContext(ctx, "confirmed commands resumed after a restart", "plan", uint64(p.ID), "user", p.User)
		if r.deliver != nil && len(replies) > 0 {
			r.deliver(ctx, p.User, clean(replies))
		}
	}
	return nil
}

// resumePlan runs what is left of plan p and returns the user's replies.
func (r *Router) resumePlan(ctx context.Context, p store.Plan) ([]Reply, error) {
	steps, err := r.st.PlanSteps(p.ID)
	if err != nil {
		return nil, fmt.Errorf("plan %d: %w", p.ID, err)
	}
	cmds := make([]Command, len(steps))
	left := 0
	for i, st := range steps {
		if cmds[i], err = readStep(st.Command); err != nil || !cmds[i].Slash {
			return nil, fmt.Errorf("plan %d step %d: unreadable command", p.ID, st.ID)
		}
		if !st.Finished() {
			left++
		}
	}
	now := r.now()
	switch {
	case left == 0: // every step ran; only the replies were lost
		if err := r.st.PlanEnd(p.ID); err != nil {
			return nil, fmt.Errorf("end plan %d: %w", p.ID, err)
		}
		return []Reply{{Text: fmt.Sprintf("服务重启前你确认的 %d 条命令都已执行，但回复没能发出。发送 /history 查看详情。", len(steps))}}, nil
	case now.Sub(p.Created) > ProposalTTL: // a confirmation this old no longer holds
		return r.dropStalePlan(p, steps, cmds, left)
	}
	seq := r.sess.begin(p.User, now)
	out := r.planSteps(ctx, p.User, p.ID, steps, cmds, now, seq)
	intro := Reply{Text: fmt.Sprintf("服务重启前你确认的 %d 条命令还有 %d 条没执行，现在接着执行：", len(steps), left)}
	return append([]Reply{intro}, out...), nil
}

// dropStalePlan ends plan p, confirmed longer than ProposalTTL ago, and
// tells its user which commands did not run (left of steps) and why.
func (r *Router) dropStalePlan(p store.Plan, steps []store.PlanStep, cmds []Command, left int) ([]Reply, error) {
	if err := r.st.PlanEnd(p.ID); err != nil {
		return nil, fmt.Errorf("drop stale plan %d: %w", p.ID, err)
	}
	lines := make([]string, 0, left)
	for i, st := range steps {
		if !st.Finished() {
			lines = append(lines, cmds[i].Display())
		}
	}
	return []Reply{{Text: fmt.Sprintf("服务重启前你确认的命令有 %d 条因超过 %d 分钟没有执行，请确认后重新发送：\n%s",
		left, int(ProposalTTL/time.Minute), strings.Join(lines, "\n"))}}, nil
}

// storedStep is c as a plan step keeps it: JSON of its tokens, which
// reads back exactly (the text form would lose what Parse drops, such as
// an invisible character in a customer's name, and name another customer).
func storedStep(c Command) string {
	b, err := json.Marshal(c)
	if err != nil { // a Command of strings and numbers always marshals
		panic(fmt.Sprintf("plan step: %v", err))
	}
	return string(b)
}

// readStep reads a stored step: JSON (storedStep), or the slash text
// that plans recorded before it, when it reads back to the same text (a
// name Parse would change, such as one holding an invisible character, is
// unreadable: the plan is dropped rather than run on another customer).
func readStep(s string) (Command, error) {
	if !strings.HasPrefix(s, "{") {
		c, err := Parse(s)
		if err == nil && c.String() != s {
			return c, fmt.Errorf("stored step %q reads back as %q", s, c.String())
		}
		return c, err
	}
	var c Command
	err := json.Unmarshal([]byte(s), &c)
	return c, err
}
