package hygiene

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// mergeUsage is /merge's syntax, for usage errors.
const mergeUsage = "/merge <要合并掉的标签> into <保留的标签>，例如 /merge 北京上海广州用户 into 北上广客户"

// mergePage is how many relationships a merge plan reads at a time.
const mergePage = 5000

// mergePlan is what a /merge will do.
type mergePlan struct {
	from, into store.Tag
	rows       []store.JobRow // one per relationship carrying from
	both       int            // relationships that have into already
	exclusive  int            // relationships whose exclusive group holds another tag: from only comes off
	example    string         // one such other tag, for the preview
}

// runMerge is /merge A into B: parse → plan → preview with /confirm.
func (h *Hygiene) runMerge(_ context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	if h.tags == nil {
		return nil, commands.UserErrorf(commands.CodeUnavailable, "合并标签需要连接企业微信（删除被合并的标签），当前没有配置。")
	}
	from, into, err := h.parseMerge(req)
	if err != nil {
		return nil, err
	}
	plan, err := h.planMerge(req, from, into)
	if err != nil {
		return nil, err
	}
	lines := plan.lines(h.eta(len(plan.rows)))
	title := fmt.Sprintf("合并「%s」到「%s」？", display.Name(from.Name), display.Name(into.Name))
	return req.Propose("合并标签 "+from.Name, title, strings.Join(lines, "\n"), lines,
		func(ctx context.Context) ([]commands.Reply, error) { return h.startMerge(ctx, req, from, into) }), nil
}

// parseMerge reads "<A> into <B>" (also 到, ->, →) and resolves both tags.
func (h *Hygiene) parseMerge(req *commands.ExtRequest) (from, into store.Tag, err error) {
	var left, right []string
	sep := false
	for _, t := range req.Args {
		if t.Kind != commands.Word {
			return from, into, commands.UserErrorf(commands.CodeUsage, "看不懂「%s」。用法：%s", display.Name(t.Value), mergeUsage)
		}
		switch {
		case !sep && (strings.EqualFold(t.Value, "into") || t.Value == "到" || t.Value == "->" || t.Value == "→"):
			sep = true
		case sep:
			right = append(right, t.Value)
		default:
			left = append(left, t.Value)
		}
	}
	if !sep || len(left) != 1 || len(right) != 1 {
		return from, into, commands.UserErrorf(commands.CodeUsage, "请写两个标签（有空格请加引号）。用法：%s", mergeUsage)
	}
	if from, err = h.resolve(req, left[0]); err != nil {
		return from, into, err
	}
	if into, err = h.resolve(req, right[0]); err != nil {
		return from, into, err
	}
	if from.ID == into.ID {
		return from, into, commands.UserErrorf(commands.CodeUsage, "两个是同一个标签「%s」，不需要合并。", display.Name(from.Name))
	}
	return from, into, nil
}

// resolve finds a live tag by id (as /dupes names a tag whose name cannot
// be typed back), else by name as /tag does.
func (h *Hygiene) resolve(req *commands.ExtRequest, word string) (store.Tag, error) {
	if t, err := h.st.Tag(word); err == nil && !t.Deleted {
		return t, nil
	}
	return req.ResolveTag(word)
}

// planMerge lists the relationships carrying from: each moves to into,
// except where into's group already holds as many other tags as it may
// (exclusive: one; max: N) (there from only comes off, as deleting it
// would take it off anyway).
func (h *Hygiene) planMerge(req *commands.ExtRequest, from, into store.Tag) (*mergePlan, error) {
	p := &mergePlan{from: from, into: into}
	limit := h.st.GroupLimit(into.GroupName).Max // exclusive: 1; max: N
	if limit == 0 && req.Exclusive(into.GroupName) {
		limit = 1
	}
	after := ""
	for {
		rels, err := h.st.CustomersWithTags([]string{from.ID}, after, mergePage)
		if err != nil {
			return nil, fmt.Errorf("relationships with %s: %w", from.ID, err)
		}
		for _, rel := range rels {
			row := store.JobRow{Customer: rel.Customer, Follower: rel.Follower}
			if _, has := rel.Tags[into.ID]; has {
				p.both++
			} else if other, n := h.otherInGroup(rel, into, from); limit > 0 && n >= limit {
				p.exclusive++
				p.example = other
				row.Remove = []store.TagRef{from.Ref()}
				row.Reason = fmt.Sprintf("/merge %s into %s：互斥组「%s」已有「%s」，只移除", from.Name, into.Name, into.GroupName, other)
			}
			p.rows = append(p.rows, row)
		}
		if len(rels) < mergePage {
			return p, nil
		}
		after = rels[len(rels)-1].Customer + ":" + rels[len(rels)-1].Follower
	}
}

// otherInGroup names a tag of t's group on rel other than t and skip
// ("" when none) and counts them.
func (h *Hygiene) otherInGroup(rel store.Relationship, t, skip store.Tag) (name string, n int) {
	for _, id := range slices.Sorted(maps.Keys(rel.Tags)) {
		if id == t.ID || id == skip.ID {
			continue
		}
		if o, err := h.st.Tag(id); err == nil && o.GroupID == t.GroupID {
			if n == 0 {
				name = o.Name
			}
			n++
		}
	}
	return name, n
}

// lines is the merge preview.
func (p *mergePlan) lines(eta string) []string {
	from, into := display.Name(p.from.Name), display.Name(p.into.Name)
	lines := []string{fmt.Sprintf("将把「%s」（%s）合并到「%s」（%s）：", from, display.Name(p.from.GroupName), into, display.Name(p.into.GroupName))}
	moved := len(p.rows) - p.both - p.exclusive
	lines = append(lines, fmt.Sprintf("%s 个客户关系从「%s」移到「%s」", countText(moved), from, into))
	if p.both > 0 {
		lines = append(lines, fmt.Sprintf("%s 个已有「%s」，只移除「%s」", countText(p.both), into, from))
	}
	if p.exclusive > 0 {
		lines = append(lines, fmt.Sprintf("冲突 %s 个：标签组「%s」互斥，这些客户已有同组的其它标签（如「%s」），只移除「%s」、不加「%s」",
			countText(p.exclusive), display.Name(p.into.GroupName), display.Name(p.example), from, into))
	}
	lines = append(lines, fmt.Sprintf("作为一批在后台执行%s，然后在企业微信删除「%s」（可用 /restore tag %s 恢复）。整批可用 /undo 批次号 撤销。", eta, from, from))
	return lines
}

// startMerge re-plans on /confirm (the library may have changed) and
// starts the job; with no relationship to move it deletes the tag at once.
func (h *Hygiene) startMerge(ctx context.Context, req *commands.ExtRequest, from, into store.Tag) ([]commands.Reply, error) {
	for _, t := range []store.Tag{from, into} {
		if cur, err := h.st.Tag(t.ID); err != nil || cur.Deleted {
			return nil, commands.UserErrorf(commands.CodeNotFound, "「%s」已不在标签库里，合并取消。发送 /dupes 重新查看。", display.Name(t.Name))
		}
	}
	plan, err := h.planMerge(req, from, into)
	if err != nil {
		return nil, err
	}
	if len(plan.rows) == 0 {
		if err := h.tags.DeleteTag(ctx, from.ID); err != nil {
			return nil, fmt.Errorf("delete tag %s: %w", from.ID, err)
		}
		return []commands.Reply{{Text: fmt.Sprintf("「%s」没有客户，已直接在企业微信删除（可用 /restore tag %s 恢复）。",
			display.Name(from.Name), display.Name(from.Name))}}, nil
	}
	job, err := h.st.CreateJob(store.Job{Kind: KindMerge, Actor: req.UserID, Source: store.SourceMerge,
		Reason: fmt.Sprintf("/merge %s into %s", from.Name, into.Name),
		Title:  fmt.Sprintf("合并「%s」到「%s」", from.Name, into.Name),
		Add:    []store.TagRef{into.Ref()}, Remove: []store.TagRef{from.Ref()}}, plan.rows)
	if errors.Is(err, store.ErrNoChange) {
		return nil, commands.UserErrorf(commands.CodeNoChange, "没有需要移动的客户关系。")
	}
	if err != nil {
		return nil, fmt.Errorf("create merge job: %w", err)
	}
	h.jobs.Wake()
	return []commands.Reply{{Text: fmt.Sprintf("已开始合并（批次 %s，%s 个客户关系），在后台按企业微信频率限制执行，完成后删除「%s」并通知你。",
		job.ID, countText(len(plan.rows)), display.Name(from.Name))}}, nil
}
