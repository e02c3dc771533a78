package hygiene

import (
	"context"
	"errors"
	"fmt"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/store"
)

// maxUndo is the most change-sets one mass undo takes back.
const maxUndo = 200000

// undoPlan is what a mass undo will do: the change-sets to take back
// (newest first), those left alone and why, and the effect on tags.
type undoPlan struct {
	args      undoArgs
	rows      []store.ID                     // to take back, newest first
	conflicts map[store.ID][]store.ChangeSet // left alone (or forced) for later changes by others
	blocked   map[string][]store.ID          // deleted tag id → change-sets that would put it back
	targets   map[store.ID]store.ChangeSet
	denied    map[string]int // refusal (a group policy) → change-sets left alone for it
	clashes   map[string]int // exclusive group that would hold two tags → change-sets left alone
	rels      int
	remove    map[string]int // tag name → times it comes off
	add       map[string]int // tag name → times it goes back on
}

// MassUndo is /undo with a selection (commands.MassUndo): parse → plan →
// preview with /confirm, which starts the bg-undo-N job.
func (h *Hygiene) MassUndo(_ context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	args, err := parseUndo(req, h.st)
	if err != nil {
		return nil, err
	}
	plan, err := h.planUndo(req, args)
	if err != nil {
		return nil, err
	}
	if len(plan.rows) == 0 {
		return nil, commands.UserErrorf(commands.CodeNoChange, "%s", plan.nothingText())
	}
	lines := plan.previewLines(h)
	summary := plan.summaryText(lines, h.eta(len(plan.rows)))
	return req.Propose("撤销 "+args.describe(), fmt.Sprintf("撤销 %d 项变更？", len(plan.rows)), summary, lines,
		func(ctx context.Context) ([]commands.Reply, error) { return h.startUndo(req, plan) }), nil
}

// planUndo selects the change-sets and judges each: already undone,
// conflicting, blocked by a deleted tag, or to take back.
func (h *Hygiene) planUndo(req *commands.ExtRequest, args undoArgs) (*undoPlan, error) {
	found, err := h.st.History(args.query(maxUndo + 1))
	if err != nil {
		return nil, fmt.Errorf("select change-sets: %w", err)
	}
	if len(found) > maxUndo {
		return nil, commands.UserErrorf(commands.CodeUsage, "符合条件的变更超过 %s 项，请缩小时间范围（until:）或加 tag:。", countText(maxUndo))
	}
	if args.batch != "" && !req.Role.AtLeast(commands.RoleManager) {
		for _, cs := range found {
			if cs.Actor != req.UserID {
				return nil, commands.UserErrorf(commands.CodeDenied, "批次 %s 里有别人的变更，你只能撤销自己的。请联系主管。", args.batch)
			}
		}
	}
	p := &undoPlan{args: args, targets: map[store.ID]store.ChangeSet{}, blocked: map[string][]store.ID{},
		denied: map[string]int{}, clashes: map[string]int{}, remove: map[string]int{}, add: map[string]int{}}
	v := req.Viewer()
	for _, cs := range found {
		if _, shown := v.ShowChange(cs); !shown {
			continue // only tags of groups hidden from the user: not there for them
		}
		if cs.Effective() && args.match(&cs) {
			p.targets[cs.ID] = cs
		}
	}
	var ids []store.ID
	for _, cs := range found { // newest first, as History returns them
		if _, ok := p.targets[cs.ID]; !ok {
			continue
		}
		if _, pair := p.targets[cs.Reverts]; pair && cs.Reverts != 0 {
			continue // an undo of another target: both go, so neither is replayed
		}
		undone, err := h.undone(cs.ID, 0)
		if err != nil {
			return nil, err
		}
		if !undone {
			ids = append(ids, cs.ID)
		}
	}
	if p.conflicts, err = h.st.UndoConflicts(ids, req.UserID); err != nil {
		return nil, fmt.Errorf("undo conflicts: %w", err)
	}
	return p, p.judge(h.st, ids, h.policy(req), newGroupState(h.st, req.Exclusive))
}

// policy returns the /tag group policy check for req's user on one tag
// (protected tags, groups closed to them), remembered per tag: the
// refusal's text, or "" when allowed.
func (h *Hygiene) policy(req *commands.ExtRequest) func(tagID string) (string, error) {
	seen := map[string]string{}
	return func(tagID string) (string, error) {
		if why, ok := seen[tagID]; ok {
			return why, nil
		}
		t, err := h.st.Tag(tagID)
		if err != nil {
			return "", fmt.Errorf("read tag: %w", err)
		}
		why := ""
		if _, err := req.CheckTags(store.Relationship{}, nil, []store.Tag{t}, nil); err != nil {
			var ue *commands.UserError
			if !errors.As(err, &ue) {
				return "", err
			}
			why = ue.Error()
			if ue.Code == commands.CodeUnknownTag { // hidden from the user: name nothing
				why = "涉及你无权修改的标签"
			}
		}
		seen[tagID] = why
		return why, nil
	}
}

// judge keeps the ids to take back: not conflicting (unless force), not
// refused by a group policy for this user, not putting back a deleted tag
// that was never restored, nor a tag of an exclusive group that holds
// another by then; it counts the effect.
func (p *undoPlan) judge(st *store.Store, ids []store.ID, policy func(tagID string) (string, error), groups *groupState) error {
	rels := map[string]bool{}
	for _, id := range ids {
		cs := p.targets[id]
		if len(p.conflicts[id]) > 0 && !p.args.force {
			continue
		}
		why, err := deniedBy(cs, policy)
		if err != nil {
			return err
		}
		if why != "" {
			p.denied[why]++
			continue
		}
		readd, ok, err := p.readd(st, cs)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		clash, err := groups.clash(cs, readd)
		if err != nil {
			return err
		}
		if clash != "" {
			p.clashes[clash]++
			continue
		}
		if err := groups.apply(cs, readd); err != nil {
			return err
		}
		p.rows = append(p.rows, id)
		rels[cs.Customer+":"+cs.Follower] = true
		for _, r := range cs.Add {
			p.remove[r.Name]++
		}
		for _, r := range cs.Remove {
			p.add[r.Name]++
		}
	}
	p.rels = len(rels)
	return nil
}

// readd lists the tags taking back cs puts back (deleted ones by the tag
// that restored them); ok is false, and cs is counted blocked, when one
// is deleted and was never restored.
func (p *undoPlan) readd(st *store.Store, cs store.ChangeSet) ([]store.Tag, bool, error) {
	var out []store.Tag
	ok := true
	for _, r := range cs.Remove {
		t, restored, err := st.RestoredTag(r.ID)
		if errors.Is(err, store.ErrUnknownTag) { // not in the library at all: as good as deleted
			t, err = store.Tag{ID: r.ID, Name: r.Name, GroupName: r.Group, Deleted: true}, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("read tag: %w", err)
		}
		if t.Deleted && !restored {
			p.blocked[r.ID] = append(p.blocked[r.ID], cs.ID)
			ok = false
		}
		out = append(out, t)
	}
	return out, ok, nil
}

// deniedBy is the first group-policy refusal among the tags cs changed.
func deniedBy(cs store.ChangeSet, policy func(tagID string) (string, error)) (string, error) {
	for _, refs := range [][]store.TagRef{cs.Add, cs.Remove} {
		for _, r := range refs {
			if why, err := policy(r.ID); err != nil || why != "" {
				return why, err
			}
		}
	}
	return "", nil
}

// undone reports whether change-set id was taken back by a change-set
// that was not itself taken back (depth bounds undo-of-undo chains).
func (h *Hygiene) undone(id store.ID, depth int) (bool, error) {
	if depth > 4 {
		return false, nil
	}
	revs, err := h.st.RevertsOf(id)
	if err != nil {
		return false, fmt.Errorf("reverts of %d: %w", id, err)
	}
	for _, r := range revs {
		back, err := h.undone(r.ID, depth+1)
		if err != nil || !back {
			return !back, err
		}
	}
	return false, nil
}

// startUndo creates the job (rows newest first) on /confirm.
func (h *Hygiene) startUndo(req *commands.ExtRequest, p *undoPlan) ([]commands.Reply, error) {
	rows := make([]store.JobRow, len(p.rows))
	for i, id := range p.rows {
		rows[i] = store.JobRow{Reverts: id}
	}
	job, err := h.st.CreateJob(store.Job{Kind: KindUndo, Actor: req.UserID, Source: store.SourceUndo,
		Reason: "/undo " + p.args.describe(), Title: "撤销 " + p.args.describe(), Force: p.args.force}, rows)
	if err != nil {
		return nil, fmt.Errorf("create undo job: %w", err)
	}
	h.jobs.Wake()
	return []commands.Reply{{Text: fmt.Sprintf("已开始撤销 %s 项变更（批次 %s），在后台按企业微信频率限制执行，完成后通知你。/status 查看进度。",
		countText(len(rows)), job.ID)}}, nil
}
