package commands

import (
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// /history cs:N shows one change-set in full with its place in the ledger's
// hash chain: its own hash, the hash of the change-set before it, and the
// two as `tagbot check --anchor` prints a head ("<seq>:<hash>"), so an
// operator who wrote down an anchor can compare it with what the ledger
// holds now.

// reasonRunes bounds the reason shown in a change-set's detail.
const reasonRunes = 200

// zeroHash is the prev of the first change-set of a ledger born chained.
var zeroHash = strings.Repeat("0", 64)

// historyDetail answers /history cs:N within the viewer's sight.
func (r *Router) historyDetail(req *Request, id store.ID) ([]Reply, error) {
	cs, err := r.st.Get(id)
	if isNotFound(err) {
		return nil, userErr(CodeNotFound, "没有变更 #%d。发送 /history 查看变更号。", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read change-set %d: %w", id, err)
	}
	if !req.Viewer().SeesChange(cs) {
		return textReply(fmt.Sprintf("你不能查看变更 #%d：员工只能查看自己跟进关系上的和自己做的变更。查看你的记录：/history", id)), nil
	}
	cs, shown := req.Viewer().ShowChange(cs)
	if !shown { // only tags of groups hidden from the user: as if it did not exist
		return nil, userErr(CodeNotFound, "没有变更 #%d。发送 /history 查看变更号。", id)
	}
	cs.Reason = r.reasonFor(req.Viewer(), cs)
	return textReply(r.renderDetail(cs)), nil
}

// reasonFor is cs.Reason as v may read it. A tag trigger's reason names
// the tag that fired it and the change-set that added or removed it
// ("触发器「X」：加上「T」（变更 #N）"); when v may not see that
// change-set or that tag, only the trigger is named.
func (r *Router) reasonFor(v Viewer, cs store.ChangeSet) string {
	if cs.Source != store.SourceTrigger || cs.Cause == 0 || !strings.HasPrefix(cs.Reason, "触发器") {
		return cs.Reason
	}
	trigger, rest, _ := strings.Cut(cs.Reason, "：")
	neutral := "由" + trigger + "自动做出"
	cause, err := r.st.Get(cs.Cause)
	if err != nil || !v.SeesChange(cause) {
		return neutral
	}
	shown, ok := v.ShowChange(cause)
	if !ok {
		return neutral
	}
	_, fired, _ := strings.Cut(rest, "「")
	fired, _, _ = strings.Cut(fired, "」")
	for _, ref := range append(append([]store.TagRef(nil), shown.Add...), shown.Remove...) {
		if ref.Name == fired {
			return cs.Reason
		}
	}
	return neutral
}

// renderDetail writes every field of a change-set a user can act on, then
// its hashes.
func (r *Router) renderDetail(cs store.ChangeSet) string {
	lines := []string{
		fmt.Sprintf("变更 #%d", cs.ID),
		"时间：" + cs.Time.In(r.tf.loc).Format("2006-01-02 15:04:05"),
		fmt.Sprintf("操作人：%s（来源 %s）", dn(cs.Actor), dn(string(cs.Source))),
		fmt.Sprintf("客户：%s（跟进人 %s）", r.cust.name(cs.Customer), dn(cs.Follower)),
	}
	if change := changeText(cs); change != "" && cs.Denied != "" {
		lines = append(lines, "想改的标签："+change)
	} else if change != "" {
		lines = append(lines, "标签："+change)
	}
	if cs.Reason != "" {
		lines = append(lines, "原因："+display.Line(cs.Reason, reasonRunes))
	}
	if cs.Reverts != 0 {
		forced := ""
		if cs.Forced {
			forced = "（强制）"
		}
		lines = append(lines, fmt.Sprintf("撤销：#%d%s", cs.Reverts, forced))
	}
	if cs.Batch != "" {
		lines = append(lines, "批次："+dn(cs.Batch))
	}
	if cs.Denied != "" {
		lines = append(lines, "被拒绝："+display.Line(cs.Denied, deniedRunes)+"（没有改动标签）")
	}
	return strings.Join(append(lines, hashLines(cs)...), "\n")
}

// hashLines shows where a change-set sits in the hash chain.
func hashLines(cs store.ChangeSet) []string {
	if cs.Hash == "" {
		return []string{"哈希：无。这是启用哈希链之前的记录，由链起点的摘要一并封存；用 tagbot check 核对。"}
	}
	prev := cs.Prev
	if prev == zeroHash {
		prev += "（第一条，前面没有变更）"
	}
	return []string{
		"哈希：" + cs.Hash,
		"前一条的哈希：" + prev,
		fmt.Sprintf("锚点：%d:%s（与记下的 tagbot check --anchor 输出比较：相同且 tagbot check 通过，则 #%d 及之前的记录都没有被改动）", cs.ID, cs.Hash, cs.ID),
	}
}
