package commands

// The checks an undo, a redo or a rollback passes before it reverts a
// change-set (undo.go runs them).

import (
	"context"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/store"
)

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
