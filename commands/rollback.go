package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// relPlan is the rollback diff of one relationship.
type relPlan struct {
	follower          string
	add, remove, lost []store.TagRef
}

func (p relPlan) empty() bool { return len(p.add) == 0 && len(p.remove) == 0 }

// String shows the plan as "跟进人 x：+a -b".
func (p relPlan) String() string {
	cs := store.ChangeSet{Add: p.add, Remove: p.remove}
	s := "跟进人 " + dn(p.follower) + "："
	if p.empty() {
		s += "无变化"
	} else {
		s += changeText(cs)
	}
	if len(p.lost) > 0 {
		s += "（" + refNames(p.lost) + " 已从标签库删除，无法恢复）"
	}
	return s
}

// runRollback is /rollback <客户> <时间> [@跟进人]: shows what returning the
// customer's tags to that time changes, per relationship, and waits for
// /confirm (or the card's button).
func (r *Router) runRollback(_ context.Context, req *Request) ([]Reply, error) {
	args := req.Cmd.Args
	var words []string
	mention := ""
	for _, t := range args[min(1, len(args)):] {
		switch t.Kind {
		case Word:
			words = append(words, t.Value)
		case Mention:
			mention = t.Value
		default:
			return nil, userErr(CodeUsage, "看不懂「%s」。用法：%s", clip(t.format(false)), req.Spec.Usage)
		}
	}
	if len(words) == 0 {
		return nil, userErr(CodeUsage, "请写出客户和时间。用法：%s", req.Spec.Usage)
	}
	span, err := ParseTime(strings.Join(words, " "), req.Now, r.loc)
	if err != nil {
		return nil, err
	}
	c, err := r.resolveCustomer(req, 0)
	if err != nil {
		return nil, err
	}
	followers := c.Followers
	if mention != "" {
		if !slices.Contains(c.Followers, mention) {
			return nil, mentionNotFollower(mention, displayName(c), c.Followers)
		}
		followers = []string{mention}
	}
	at := span.From
	if err := r.checkHorizon(req, c, at, false); err != nil {
		return nil, err
	}
	plans, err := r.rollbackPlans(req.Viewer(), c.ID, followers, at)
	if err != nil {
		return nil, err
	}
	return r.proposeRollback(req, c, followers, at, plans, "")
}

// checkHorizon refuses a rollback to before the first full sync: the
// ledger does not know the tags customers had then, and a rollback would
// wipe them. For /tags at: (tagsAt) it offers the earliest /tags at:, and
// the /rollback only to those who may run it.
func (r *Router) checkHorizon(req *Request, c store.Customer, at time.Time, tagsAt bool) error {
	first, err := r.st.FirstSyncedAt()
	if err != nil {
		return fmt.Errorf("first sync time: %w", err)
	}
	if first.IsZero() || !at.Before(first) {
		return nil
	}
	earliest := first.Truncate(time.Minute)
	if earliest.Before(first) {
		earliest = earliest.Add(time.Minute) // a time users can type, not before the sync
	}
	name, ref := displayName(c), r.custRef(req, c)
	rollback := fmt.Sprintf("/rollback %s %s", ref, r.tf.at(earliest))
	if !tagsAt {
		return userErr(CodeBadTime, "%s 的标签记录从 %s（首次同步）开始，更早的状态不知道。最早可以回滚到 %s：%s",
			name, r.tf.at(first), r.tf.at(earliest), rollback)
	}
	hint := ""
	if spec, ok := r.byName["rollback"]; ok && req.Role.AtLeast(spec.MinRole) { // /rollback only to those who may run it
		hint = "（回滚到那时：" + rollback + "）"
	}
	at2 := Token{Kind: Filter, Key: "at", Value: r.tf.at(earliest)}
	return userErr(CodeBadTime, "%s 的标签记录从 %s（首次同步）开始，更早的状态不知道。最早可以查 %s：/tags %s %s%s",
		name, r.tf.at(first), r.tf.at(earliest), ref, at2.format(false), hint)
}

// rollbackPlans computes the diff of each relationship, leaving out the
// tags of groups v may not see (a rollback leaves them as they are).
func (r *Router) rollbackPlans(v Viewer, customer string, followers []string, at time.Time) ([]relPlan, error) {
	var out []relPlan
	for _, f := range followers {
		add, remove, lost, err := r.st.RollbackPlan(customer, f, at)
		if isNotFound(err) {
			continue // the relationship ended meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("rollback plan: %w", err)
		}
		out = append(out, relPlan{follower: f, add: v.VisibleRefs(add), remove: v.VisibleRefs(remove), lost: v.VisibleRefs(lost)})
	}
	return out, nil
}

// proposeRollback shows the plans and stores the proposal; intro prefixes
// the text (used when a plan changed before /confirm).
func (r *Router) proposeRollback(req *Request, c store.Customer, followers []string, at time.Time, plans []relPlan, intro string) ([]Reply, error) {
	name := displayName(c)
	var lines []string
	changes := 0
	for _, p := range plans {
		lines = append(lines, p.String())
		if !p.empty() {
			changes++
		}
	}
	if changes == 0 {
		return []Reply{{Text: intro + fmt.Sprintf("%s 自 %s 以来标签没有可以恢复的变化，不需要回滚。\n%s",
			name, r.tf.at(at), strings.Join(lines, "\n"))}}, nil
	}
	if den, p := r.checkPlans(req, c.ID, plans); den != nil {
		return r.recordDenied(req, c.ID, p.follower, refTags(p.add), refTags(p.remove), den)
	}
	what := fmt.Sprintf("回滚 %s 到 %s", name, r.tf.at(at))
	title := cardTitle("回滚 ", name, " 到 "+r.tf.at(at)+"？")
	var task string
	note := replacedNote(r.sess.replacing(req.UserID, req.Now))
	task = r.sess.propose(req.UserID, req.Now, what, func(ctx context.Context, req2 *Request) ([]Reply, error) {
		return r.confirmRollback(req2, c, followers, at, plans, task)
	})
	text := note + intro + fmt.Sprintf("把 %s 的标签恢复到 %s 时的样子，将会：\n%s\n发送 /confirm 执行，/cancel 放弃（%d 分钟内有效）。",
		name, r.tf.at(at), strings.Join(lines, "\n"), int(ProposalTTL/time.Minute))
	return []Reply{{Text: text}, confirmCard(task, title, "确认后作为一批变更执行，可以 /undo", lines)}, nil
}

// cardTitle is head+name+tail with only the name cut, so the title fits
// display.CardTitleRunes and the tail (a time) is never cut off.
func cardTitle(head, name, tail string) string {
	room := display.CardTitleRunes - utf8.RuneCountInString(head+tail)
	return head + display.Line(name, max(room, 2)) + tail
}

// checkPlans checks every tag a rollback of customer touches against the
// group policies, max included.
func (r *Router) checkPlans(req *Request, customer string, plans []relPlan) (*denial, relPlan) {
	for _, p := range plans {
		for _, ref := range append(append([]store.TagRef(nil), p.add...), p.remove...) {
			t, err := r.st.Tag(ref.ID)
			if err != nil {
				continue
			}
			if den := r.perms.check(req.UserID, req.Role, t); den != nil {
				return den, p
			}
		}
		if rel, err := r.st.Relationship(customer, p.follower); err == nil {
			if den := r.maxDenial(rel, refTags(p.add), refTags(p.remove), "回滚"); den != nil {
				return den, p
			}
		}
	}
	return nil, relPlan{}
}

// refTags turns refs back into tags (id, name and group only).
func refTags(refs []store.TagRef) []store.Tag {
	out := make([]store.Tag, len(refs))
	for i, t := range refs {
		out[i] = store.Tag{ID: t.ID, Name: t.Name, GroupName: t.Group}
	}
	return out
}

// confirmRollback applies a confirmed rollback as one batch, unless the
// customer's tags changed since it was shown: then the new diff is shown
// and must be confirmed again.
func (r *Router) confirmRollback(req *Request, c store.Customer, followers []string, at time.Time, shown []relPlan, task string) ([]Reply, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	plans, err := r.rollbackPlans(req.Viewer(), c.ID, followers, at)
	if err != nil {
		return nil, err
	}
	if fmt.Sprint(plans) != fmt.Sprint(shown) {
		return r.proposeRollback(req, c, followers, at, plans, "在你确认之前标签又有变化，以下是新的差异，请重新确认。\n")
	}
	if den, p := r.checkPlans(req, c.ID, plans); den != nil {
		return r.recordDenied(req, c.ID, p.follower, refTags(p.add), refTags(p.remove), den)
	}
	reason := fmt.Sprintf("/rollback 到 %s", r.tf.at(at))
	var css []store.ChangeSet
	for _, p := range plans {
		if p.empty() {
			continue
		}
		css = append(css, store.ChangeSet{
			Actor: req.UserID, Source: store.SourceRollback, Customer: c.ID, Follower: p.follower,
			Add: p.add, Remove: p.remove, Reason: reason, Batch: "rollback-" + task, Inbox: req.Inbox,
		})
	}
	out, err := r.st.ApplyBatch(css)
	if errors.Is(err, store.ErrNoChange) {
		return []Reply{{Text: "标签已经是那时的样子了，没有变化。"}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("apply rollback: %w", err)
	}
	r.kick()
	ids := make([]string, len(out))
	for i, cs := range out {
		ids[i] = "#" + cs.ID.String()
	}
	undo := "撤销请 /undo"
	if len(out) > 1 {
		undo = "整批撤销请 /undo"
	}
	return []Reply{{Text: fmt.Sprintf("已把 %s 的标签恢复到 %s（变更 %s）。%s。",
		displayName(c), r.tf.at(at), strings.Join(ids, "、"), undo)}}, nil
}

// runConfirm is /confirm: runs the user's pending proposal.
func (r *Router) runConfirm(ctx context.Context, req *Request) ([]Reply, error) {
	if len(req.Cmd.Args) > 0 && r.sugg != nil {
		return r.runSuggestion(ctx, req) // /confirm N: a suggestion
	}
	if err := noArgs(req); err != nil {
		return nil, err
	}
	p, err := r.sess.take(req.UserID, "", req.Now)
	if err != nil {
		return nil, err
	}
	return p.confirm(ctx, req)
}

// runCancel is /cancel: drops the user's pending proposal.
func (r *Router) runCancel(_ context.Context, req *Request) ([]Reply, error) {
	if err := noArgs(req); err != nil {
		return nil, err
	}
	p, err := r.sess.take(req.UserID, "", req.Now)
	if err != nil {
		return nil, err
	}
	return []Reply{{Text: fmt.Sprintf("已取消「%s」，没有做任何修改。", p.what)}}, nil
}
