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

// checkRevert checks that req may take back one change-set: the
// relationship still exists, re-added tags are not deleted, the group
// policies allow it (a refusal is recorded and answered) and an exclusive
// group would not end with two tags.
func (r *Router) checkRevert(req *Request, target store.ChangeSet) ([]Reply, error) {
	rel, err := r.st.Relationship(target.Customer, target.Follower)
	if isNotFound(err) {
		return nil, userErr(CodeNotFound, "%s 已不再跟进这位客户，#%d 无法撤销。", dn(target.Follower), target.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("read relationship: %w", err)
	}
	var readd, drop []store.Tag
	for _, list := range []struct {
		refs []store.TagRef
		dst  *[]store.Tag
	}{{target.Remove, &readd}, {target.Add, &drop}} {
		for _, ref := range list.refs {
			t, err := r.st.Tag(ref.ID)
			if err != nil {
				return nil, fmt.Errorf("read tag: %w", err)
			}
			if t.Deleted && list.dst == &readd {
				return nil, userErr(CodeNotFound, "「%s」已从标签库删除，无法加回。管理员可以先 /restore tag %s。", dn(t.Name), tagRef(t))
			}
			*list.dst = append(*list.dst, t)
		}
	}
	v := req.Viewer()
	for _, t := range append(append([]store.Tag(nil), readd...), drop...) {
		if !v.SeesTag(t) { // refused naming nothing: the hidden tag is not confirmed
			return r.recordDenied(req, target.Customer, target.Follower, readd, drop, &denial{
				Reply:  fmt.Sprintf("#%d 不能由你撤销。请联系主管处理。", target.ID),
				Record: "涉及无权查看的标签组",
			})
		}
	}
	for _, t := range append(append([]store.Tag(nil), readd...), drop...) {
		if den := r.perms.check(req.UserID, req.Role, t); den != nil {
			return r.recordDenied(req, target.Customer, target.Follower, readd, drop, den)
		}
	}
	if err := r.checkExclusiveReadd(rel, readd, drop, target.ID); err != nil {
		return nil, err
	}
	if den := r.maxDenial(rel, readd, drop, fmt.Sprintf("撤销 #%d ", target.ID)); den != nil {
		return r.recordDenied(req, target.Customer, target.Follower, readd, drop, den)
	}
	return nil, nil
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

// checkExclusiveReadd refuses an undo that would put back a tag of an
// exclusive group while the relationship now has another tag of it.
func (r *Router) checkExclusiveReadd(rel store.Relationship, readd, drop []store.Tag, id store.ID) error {
	for _, t := range readd {
		if !r.perms.exclusive(t.GroupName) {
			continue
		}
		for tid := range rel.Tags {
			other, err := r.st.Tag(tid)
			if err != nil || other.ID == t.ID || other.GroupName != t.GroupName || isAuto(other, drop) {
				continue
			}
			return userErr(CodeConflict, "撤销 #%d 会让互斥的标签组「%s」同时有「%s」和「%s」。请直接用 /tag 改成想要的标签。",
				id, dn(t.GroupName), dn(t.Name), dn(other.Name))
		}
	}
	return nil
}

// conflictReplies explains a conflict and, for managers, proposes a forced
// undo (/undo <id> force or the card's button).
func (r *Router) conflictReplies(req *Request, ce *store.ConflictError, redo bool) ([]Reply, error) {
	lines := []string{fmt.Sprintf("无法直接撤销 #%d：之后有别人改过相同的标签：", ce.Target.ID)}
	name := r.cust.name(ce.Target.Customer)
	var card []string
	for _, cs := range ce.Later {
		cs, shown := req.Viewer().ShowChange(cs)
		if !shown {
			cs.Add, cs.Remove = nil, nil // a change to tags the user may not see: who and when only
		}
		l := r.csLine(cs, name)
		lines = append(lines, l)
		card = append(card, l)
	}
	if !req.Viewer().SeesAll() {
		lines = append(lines, "请联系主管处理，或用 /tag 直接改成你想要的标签。")
		return []Reply{{Text: strings.Join(lines, "\n")}}, nil
	}
	lines = append(lines, fmt.Sprintf("仍要撤销请发送 /undo %d force（会覆盖上面的修改），或 /confirm；放弃请 /cancel。", ce.Target.ID))
	target := ce.Target
	what := fmt.Sprintf("强制撤销 #%d", target.ID)
	if note := replacedNote(r.sess.replacing(req.UserID, req.Now)); note != "" {
		lines = append([]string{strings.TrimSuffix(note, "\n")}, lines...)
	}
	task := r.sess.propose(req.UserID, req.Now, what, func(ctx context.Context, req2 *Request) ([]Reply, error) {
		r.writeMu.Lock()
		defer r.writeMu.Unlock()
		return r.revert(ctx, req2, target, true, redo)
	})
	return []Reply{{Text: strings.Join(lines, "\n")},
		confirmCard(task, what+"？", "会覆盖之后别人的修改", card)}, nil
}

// effectText is "添加「a」，移除「b」" for a change-set.
func effectText(cs store.ChangeSet) string {
	var did []string
	if len(cs.Add) > 0 {
		did = append(did, "添加"+refNames(cs.Add))
	}
	if len(cs.Remove) > 0 {
		did = append(did, "移除"+refNames(cs.Remove))
	}
	return strings.Join(did, "，")
}

// alreadyUndone answers an undo of change-sets that are all undone
// already (by anyone): who undid them, in which change-set.
func (r *Router) alreadyUndone(req *Request, target store.ChangeSet, members []store.ChangeSet) ([]Reply, error) {
	var first store.ChangeSet
	for i, m := range members {
		u, undone, err := r.led.undoneBy(m.ID, 0)
		if err != nil {
			return nil, err
		}
		if !undone {
			return nil, nil
		}
		if i == 0 {
			first = u
		}
	}
	who, next := " "+dn(first.Actor)+" ", ""
	if first.Actor == req.UserID {
		who = "你"
	}
	if req.Viewer().MayRevert(first) {
		next = fmt.Sprintf("要恢复请 /undo %d。", first.ID)
	}
	return []Reply{{Text: fmt.Sprintf("#%d 已被%s撤销（#%d），不需要再撤销。%s", target.ID, who, first.ID, next)}}, nil
}
