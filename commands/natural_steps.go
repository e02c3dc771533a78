package commands

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// NaturalStep is one command of a sentence holding several
// ("给张三打上高意向，再把李四的VIP去掉"); Write when it changes tags.
// 一句话中的一条命令。
type NaturalStep struct {
	Cmd   Command
	Write bool
}

// naturalSteps answers a sentence of several commands. The reads run at
// once, each with its command shown; the writes are proposed together as
// one 确认 listing each (unless /set confirm off and the parser did not
// ask Confirm), and run in order when confirmed, each through its own
// permission check and the ledger exactly like the typed command.
func (r *Router) naturalSteps(ctx context.Context, userID string, res Natural, now time.Time, seq uint64) []Reply {
	var out []Reply
	var writes []Command
	for _, st := range res.Steps {
		cmd := r.pinTarget(userID, st.Cmd)
		if !st.Write {
			out = append(out, withNote(r.dispatch(ctx, userID, cmd, now, seq), "即 "+cmd.Display()+r.scopeNote(userID, cmd))...)
			continue
		}
		writes = append(writes, cmd)
	}
	if len(writes) == 0 {
		return out
	}
	for _, c := range writes { // a refused or ambiguous one is answered now; none is proposed
		if refused, ok := r.refusedNow(ctx, userID, c, now, seq, true); ok {
			return append(out, withNote(refused, "即 "+c.Display()+"；整句话的修改都没有提交")...)
		}
	}
	runAll := func(ctx context.Context, now time.Time, seq uint64) []Reply {
		return r.runPlan(ctx, userID, writes, now, seq)
	}
	if !res.Confirm && !r.confirmOn(userID) {
		return append(out, runAll(ctx, now, seq)...)
	}
	shown := make([]string, len(writes))
	lines := make([]string, len(writes))
	for i, c := range writes {
		shown[i] = c.Display()
		lines[i] = fmt.Sprintf("%d. %s", i+1, c.Display())
	}
	r.sess.propose(userID, now, strings.Join(shown, "；"), func(ctx context.Context, req *Request) ([]Reply, error) {
		req.listed = true // each command keeps or clears its own numbered list
		return runAll(ctx, req.Now, req.seq), nil
	})
	text := fmt.Sprintf("要执行这 %d 条命令：\n%s\n确认吗？回复 确认 / 取消（%d 分钟内有效，一起确认或一起取消；有一条执行不了就停在那里，后面的不执行）",
		len(writes), strings.Join(lines, "\n"), int(ProposalTTL/time.Minute))
	return append(out, Reply{Text: text})
}
