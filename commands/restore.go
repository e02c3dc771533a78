package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// runRestore is /restore tag <名称> (admins): recreates a tag deleted from
// the library and puts it back on every relationship the deletion took it
// from, as one batch "restore-<new id>". The tag is created on WeCom
// before the write lock is taken, so a slow WeCom never holds up other
// users' commands; the ledger is then re-checked under the lock.
func (r *Router) runRestore(ctx context.Context, req *Request) ([]Reply, error) {
	name, err := parseRestore(req)
	if err != nil {
		return nil, err
	}
	if r.tags == nil {
		return nil, userErr(CodeUnavailable, "恢复标签需要连接企业微信，当前没有配置。")
	}
	old, reply, err := r.deletedTag(req, name)
	if old == nil {
		return reply, err
	}
	tag, err := r.recreate(ctx, *old) // WeCom, outside the lock
	if err != nil {
		return nil, err
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	again, reply, err := r.deletedTag(req, name) // another /restore may have finished meanwhile
	if again == nil {
		return reply, err
	}
	if again.ID != old.ID {
		return nil, userErr(CodeConflict, "「%s」刚被别人改动过，请重新发送 /restore tag %s。", dn(name), clipQuoted(name))
	}
	res, err := r.reapply(req, *old, tag)
	if err != nil {
		return nil, err
	}
	return textReply(res.String()), nil
}

// parseRestore reads "/restore tag <名称>" (the word tag is optional).
func parseRestore(req *Request) (string, error) {
	var words []string
	for i, t := range req.Cmd.Args {
		if t.Kind != Word {
			return "", userErr(CodeUsage, "看不懂「%s」。用法：%s", clip(t.format(false)), req.Spec.Usage)
		}
		if i == 0 && (strings.EqualFold(t.Value, "tag") || t.Value == "标签") {
			continue
		}
		words = append(words, t.Value)
	}
	if len(words) != 1 {
		return "", userErr(CodeUsage, "请写一个标签名（有空格请加引号）。用法：%s", req.Spec.Usage)
	}
	return words[0], nil
}

// deletedTag finds the deleted tag called name (or with id name, as
// tagRef hints for a name that cannot be typed) that is not restored yet;
// when there is none, the reply (or error) says why.
func (r *Router) deletedTag(req *Request, name string) (*store.Tag, []Reply, error) {
	dels, err := r.st.DeletedTagsByName(name)
	if err != nil {
		return nil, nil, fmt.Errorf("deleted tags: %w", err)
	}
	if t, err := r.st.Tag(name); len(dels) == 0 && err == nil && t.Deleted {
		dels = []store.Tag{t}
	}
	for i := range dels {
		if dels[i].RestoredAs == "" {
			return &dels[i], nil, nil
		}
	}
	if len(dels) > 0 {
		reply, err := r.restoredBefore(req, name, dels[0])
		return nil, reply, err
	}
	if live, _ := r.st.TagsByName(name); len(live) > 0 {
		return nil, textReply(fmt.Sprintf("「%s」没有被删除，还在标签库里（/groups 查看）。", dn(name))), nil
	}
	return nil, nil, userErr(CodeNotFound, "没有找到被删除的标签「%s」。发送 /groups 查看标签库。", clip(name))
}

// restoreResult is what a /restore did.
type restoreResult struct {
	tag              store.Tag
	applied, removed int // relationships re-tagged, and taken by the deletion
	gone, taken      int // skipped: relationship ended; exclusive group now has another tag
}

// String is the reply to a /restore.
func (res restoreResult) String() string {
	text := fmt.Sprintf("已恢复标签「%s」（标签组「%s」），重新打回 %d 个客户关系（删除时共 %d 个）。",
		dn(res.tag.Name), dn(res.tag.GroupName), res.applied, res.removed)
	if res.gone > 0 {
		text += fmt.Sprintf("\n%d 个客户已不再跟进，跳过。", res.gone)
	}
	if res.taken > 0 {
		text += fmt.Sprintf("\n%d 个客户之后已选了同组（互斥）的其它标签，跳过。", res.taken)
	}
	return text + fmt.Sprintf("\n查看：/history tag:%s；整批撤销：/undo", quoteIf(dn(res.tag.Name), needsQuote(dn(res.tag.Name))))
}

// reapply puts tag (the recreation of old) back on the relationships the
// deletion of old took it from, as one batch, and links old to tag;
// r.writeMu must be held.
func (r *Router) reapply(req *Request, old, tag store.Tag) (restoreResult, error) {
	removed, err := r.led.deletionRemovals(old.ID)
	if err != nil {
		return restoreResult{}, err
	}
	res := restoreResult{tag: tag, removed: len(removed)}
	var css []store.ChangeSet
	reason := fmt.Sprintf("/restore tag %s（原标签 %s 于 %s 删除）", old.Name, old.ID, r.tf.at(old.DeletedAt))
	for _, d := range removed {
		rel, err := r.st.Relationship(d.Customer, d.Follower)
		if isNotFound(err) {
			res.gone++
			continue
		}
		if err != nil {
			return restoreResult{}, fmt.Errorf("read relationship: %w", err)
		}
		if r.perms.exclusive(tag.GroupName) && r.lib.hasOtherInGroup(rel, tag) {
			res.taken++
			continue
		}
		css = append(css, store.ChangeSet{
			Actor: req.UserID, Source: store.SourceRestore, Customer: d.Customer, Follower: d.Follower,
			Add: []store.TagRef{tag.Ref()}, Reason: reason, Batch: "restore-" + tag.ID, Inbox: req.Inbox,
		})
	}
	if len(css) > 0 {
		out, err := r.st.ApplyBatch(css)
		if err != nil && !errors.Is(err, store.ErrNoChange) {
			return restoreResult{}, fmt.Errorf("apply restore: %w", err)
		}
		res.applied = len(out)
	}
	if err := r.st.MarkRestored(old.ID, tag.ID); err != nil {
		return restoreResult{}, fmt.Errorf("mark restored: %w", err)
	}
	if res.applied > 0 {
		r.kick()
	}
	return res, nil
}

// restoredBefore answers a /restore of a tag restored already. If the
// restore's re-tagging was undone since, it says how to put it back:
// /redo (by who undid it) or /undo of that undo.
func (r *Router) restoredBefore(req *Request, name string, old store.Tag) ([]Reply, error) {
	name = dn(name)
	q := quoteIf(name, needsQuote(name))
	text := fmt.Sprintf("「%s」已经恢复过了，标签还在标签库里。发送 /history tag:%s 查看。", name, q)
	list, err := r.st.History(store.Query{Batch: "restore-" + old.RestoredAs, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("restore batch: %w", err)
	}
	if len(list) == 0 {
		return []Reply{{Text: text}}, nil
	}
	u, undone, err := r.led.undoneBy(list[0].ID, 0)
	if err != nil || !undone {
		return []Reply{{Text: text}}, err
	}
	how := fmt.Sprintf("/undo %d（撤销那次撤销）", u.ID)
	if last, err := r.led.lastRedoable(req.UserID); err == nil && (last.ID == u.ID || u.Batch != "" && last.Batch == u.Batch) {
		how = fmt.Sprintf("/redo（或 /undo %d）", u.ID)
	}
	return []Reply{{Text: fmt.Sprintf("「%s」已经恢复过了，但重新打回客户的那批变更已被 %s 撤销（#%d）。要再打回去请发送 %s。",
		name, dn(u.Actor), u.ID, how)}}, nil
}

// recreate returns a live tag of the same group and name, creating it on
// WeCom (through Tags) unless an earlier attempt already did.
func (r *Router) recreate(ctx context.Context, old store.Tag) (store.Tag, error) {
	live, err := r.st.TagsByName(old.Name)
	if err != nil {
		return store.Tag{}, fmt.Errorf("tags by name: %w", err)
	}
	for _, t := range live {
		if t.GroupName == old.GroupName {
			return t, nil
		}
	}
	t, err := r.tags.CreateTag(ctx, old.GroupName, old.Name)
	var limit *store.TagLimitError
	if errors.As(err, &limit) {
		return store.Tag{}, userErr(CodeConflict, "无法恢复：%s", limit.Message)
	}
	if err != nil {
		return store.Tag{}, fmt.Errorf("create tag %s/%s: %w", old.GroupName, old.Name, err)
	}
	return t, nil
}
