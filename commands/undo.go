package commands

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// undoScan is how far back /undo and /redo look in the user's ledger.
const undoScan = 200

// runUndo is /undo [id] [force]: reverts the user's last change-set not yet
// undone, or the given one. Employees undo only their own. A mass undo
// (@userid, since:, source:, a bg- batch…) goes to Options.MassUndo.
func (r *Router) runUndo(ctx context.Context, req *Request) ([]Reply, error) {
	if r.massUndo != nil && wantsMassUndo(req.Cmd.Args) {
		return r.massUndo.MassUndo(ctx, massUndoRequest(r, req))
	}
	var id store.ID
	force := false
	for _, t := range req.Cmd.Args {
		switch {
		case t.Kind == Word && (strings.EqualFold(t.Value, "force") || t.Value == "强制"):
			force = true
		case (t.Kind == Word || t.Kind == Pick) && id == 0:
			n, err := store.ParseID(strings.TrimPrefix(t.Value, "#"))
			if err != nil {
				return nil, userErr(CodeUsage, "「%s」不是变更号。用法：%s（变更号见 /history）", clip(t.Value), req.Spec.Usage)
			}
			id = n
		default:
			return nil, userErr(CodeUsage, "看不懂「%s」。用法：%s", clip(t.format(false)), req.Spec.Usage)
		}
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	var target store.ChangeSet
	var err error
	if id != 0 {
		target, err = r.st.Get(id)
		if err == nil && !req.Viewer().SeesChange(target) {
			err = store.ErrNotFound // what the user may not see is not there for them
		}
		if err == nil {
			if _, shown := req.Viewer().ShowChange(target); !shown {
				err = store.ErrNotFound // every tag it touched is hidden: as /history cs:N
			}
		}
		if isNotFound(err) {
			return nil, userErr(CodeNotFound, "没有变更 #%d。发送 /history 查看变更号。", id)
		}
	} else {
		target, err = r.led.lastUndoable(req.UserID)
		if isNotFound(err) {
			return nil, userErr(CodeNotFound, "你还没有可以撤销的变更。发送 /history 查看记录。")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("find change-set: %w", err)
	}
	return r.revert(ctx, req, target, force, false)
}

// runRedo is /redo: reverts the user's last undo that is not yet redone.
func (r *Router) runRedo(ctx context.Context, req *Request) ([]Reply, error) {
	if len(req.Cmd.Args) > 0 {
		return nil, userErr(CodeUsage, "/redo 不带参数：它恢复你最近一次撤销的变更，直接发送 /redo 即可。要恢复指定的撤销请 /undo 撤销的变更号。")
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	undo, err := r.led.lastRedoable(req.UserID)
	if isNotFound(err) {
		return nil, userErr(CodeNotFound, "你最近没有撤销过变更，没有可以重做的。")
	}
	if err != nil {
		return nil, fmt.Errorf("find undo: %w", err)
	}
	return r.revert(ctx, req, undo, false, true)
}

// revert checks and reverts target for req; r.writeMu must be held. A
// change-set made as part of a user batch (a rollback, a restore, or the
// undo of one) is reverted together with the rest of its batch.
func (r *Router) revert(_ context.Context, req *Request, target store.ChangeSet, force, redo bool) ([]Reply, error) {
	members, reply, err := r.checkUndo(req, target, force, redo)
	if reply != nil || err != nil {
		return reply, err
	}
	ids := make([]store.ID, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	verb := "/undo"
	if redo {
		verb = "/redo"
	}
	opts := store.RevertOptions{Actor: req.UserID, Reason: fmt.Sprintf("%s %d", verb, target.ID), Force: force, Inbox: req.Inbox}
	if len(members) > 1 {
		opts.Batch = "undo-" + target.Batch
	}
	out, err := r.st.RevertAll(ids, opts)
	var ce *store.ConflictError
	switch {
	case errors.As(err, &ce):
		return r.conflictReplies(req, ce, redo)
	case errors.Is(err, store.ErrNoChange):
		ref := quoteIf(dn(target.Customer), needsQuote(dn(target.Customer)))
		if c, err := r.st.Customer(target.Customer); err == nil {
			ref = r.custRef(req, c)
		}
		return nil, userErr(CodeNoChange, "#%d 的改动已经不在了（之后又被改回），没有变化。发送 /tags %s 查看现在的标签。", target.ID, ref)
	case err != nil:
		return nil, fmt.Errorf("revert %d: %w", target.ID, err)
	}
	r.kick()
	text, err := r.revertText(target, members, shownOnly(req.Viewer(), out), redo)
	return textReply(text), err
}

// checkUndo decides whether req may revert target and returns the
// change-sets to revert with it (its batch); a reply answers instead when
// it may not, or when they are all undone already.
func (r *Router) checkUndo(req *Request, target store.ChangeSet, force, redo bool) ([]store.ChangeSet, []Reply, error) {
	v := req.Viewer()
	if !target.Effective() {
		return nil, nil, userErr(CodeNoChange, "#%d 是被拒绝的尝试，没有改变任何标签，不需要撤销。", target.ID)
	}
	if !v.MayRevert(target) {
		reply, err := r.denyUndo(req, target)
		return nil, reply, err
	}
	if force && !v.SeesAll() {
		return nil, nil, userErr(CodeDenied, "只有主管可以强制撤销（force）。请联系主管。")
	}
	members, err := r.led.batchMembers(target)
	if err != nil {
		return nil, nil, err
	}
	if !redo {
		if reply, err := r.alreadyUndone(req, target, members); reply != nil || err != nil {
			return nil, reply, err
		}
	}
	for _, m := range members {
		if reply, err := r.checkRevert(req, m); reply != nil || err != nil {
			return nil, reply, err
		}
	}
	return members, nil, nil
}

// shownOnly is out as v may read it (Viewer.ShowChange): hidden tags
// taken out, and the change-sets touching only hidden tags (what a tag
// trigger did to a group hidden from v) dropped, except the first, the
// revert of what v asked for.
func shownOnly(v Viewer, out []store.ChangeSet) []store.ChangeSet {
	shown := make([]store.ChangeSet, 0, len(out))
	for i, cs := range out {
		if c, ok := v.ShowChange(cs); ok || i == 0 {
			shown = append(shown, c)
		}
	}
	return shown
}

// revertText is the reply to a done undo or redo of target (out: the new
// change-sets).
func (r *Router) revertText(target store.ChangeSet, members, out []store.ChangeSet, redo bool) (string, error) {
	if len(members) > 1 {
		return r.batchRevertText(members, out, redo), nil
	}
	cs := out[0]
	if len(out) > 1 { // with what its tag triggers did (store.ChangeSet.Cause)
		return r.batchRevertText([]store.ChangeSet{target}, out, redo), nil
	}
	name := r.cust.name(cs.Customer)
	if redo {
		return fmt.Sprintf("已重做：%s %s（变更 #%d，/undo 可撤销）", name, effectText(cs), cs.ID), nil
	}
	text := fmt.Sprintf("已撤销 #%d：%s %s（变更 #%d，/redo 可恢复）", target.ID, name, effectText(cs), cs.ID)
	if cs.Forced {
		over, err := r.led.overwrote(target, cs)
		if err != nil {
			return "", err
		}
		if over {
			text += "\n已强制撤销，覆盖了之后别人的修改。"
		}
	}
	return text, nil
}

// syncActors are the actors of records WeCom itself caused: full syncs,
// tag deletions and refusals of the WeCom API.
var syncActors = map[string]bool{"sync": true, "system": true}

// denyUndo refuses an employee's undo of someone else's change-set and
// records the attempt on the target's relationship (visible in /history).
// Role refusals of /rollback and /restore are not recorded: they name no
// change of one relationship, and the router refuses them before parsing.
func (r *Router) denyUndo(req *Request, target store.ChangeSet) ([]Reply, error) {
	reply := fmt.Sprintf("你只能撤销自己的变更；#%d 是 %s 做的。请联系 %s 或主管。", target.ID, dn(target.Actor), dn(target.Actor))
	record := fmt.Sprintf("只能撤销自己的变更，#%d 是 %s 做的", target.ID, target.Actor)
	if syncActors[target.Actor] || target.Source == store.SourceSync {
		reply = fmt.Sprintf("#%d 是企业微信同步记录，不能由你撤销；需要改请直接 /tag，或请主管处理。", target.ID)
		record = fmt.Sprintf("#%d 是企业微信同步记录，员工不能撤销", target.ID)
	}
	_, err := r.st.Apply(store.ChangeSet{
		Actor: req.UserID, Source: store.SourceUndo, Customer: target.Customer, Follower: target.Follower,
		Add: target.Remove, Remove: target.Add, Reverts: target.ID, Reason: req.Cmd.String(), Denied: record, Inbox: req.Inbox,
	})
	if err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("record denied undo: %w", err)
	}
	return []Reply{{Text: reply}}, nil
}

// userBatch reports whether a batch id groups change-sets a user made
// together (as opposed to a sync or a tag deletion seen on WeCom).
func userBatch(batch string) bool {
	for _, p := range []string{"rollback-", "restore-", "undo-"} {
		if strings.HasPrefix(batch, p) {
			return true
		}
	}
	return false
}

// batchRevertText describes the revert of a whole batch.
func (r *Router) batchRevertText(members, out []store.ChangeSet, redo bool) string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = "#" + m.ID.String()
	}
	newIDs := make([]string, len(out))
	lines := make([]string, 0, len(out)+2)
	head := fmt.Sprintf("已撤销 %s（一起做的 %d 项变更）：", strings.Join(ids, "、"), len(members))
	if len(members) == 1 {
		head = fmt.Sprintf("已撤销 %s（连同标签触发器因它做的 %d 项变更）：", ids[0], len(out)-1)
	}
	if redo {
		head = fmt.Sprintf("已重做 %d 项变更：", len(out))
	}
	lines = append(lines, head)
	out = slices.Clone(out) // in the order they were applied (an undo goes newest first)
	slices.SortFunc(out, func(a, b store.ChangeSet) int { return cmp.Compare(a.ID, b.ID) })
	for i, cs := range out {
		newIDs[i] = "#" + cs.ID.String()
		lines = append(lines, fmt.Sprintf("%s（跟进人 %s）%s", r.cust.name(cs.Customer), dn(cs.Follower), effectText(cs)))
	}
	tail := "（变更 %s，/redo 可恢复）"
	if redo {
		tail = "（变更 %s，/undo 可撤销）"
	}
	lines = append(lines, fmt.Sprintf(tail, strings.Join(newIDs, "、")))
	return strings.Join(lines, "\n")
}
