package bulk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// previewResult is what a selection comes to now.
type previewResult struct {
	selected  []string // relationships selected
	change    []string // of those, the ones whose tags differ
	customers int      // distinct customers in change
	sample    []string // a few of change, named
}

// preview evaluates the selection and leaves out relationships whose tags
// already match (every tag of add, none of remove).
func (b *Bulk) preview(p plan) (previewResult, error) {
	var pv previewResult
	sel, err := Select(b.opts.Store, p.sel)
	if err != nil {
		return pv, fmt.Errorf("bulk: select: %w", err)
	}
	pv.selected = sel
	if pv.change, err = b.toChange(sel, p); err != nil {
		return pv, err
	}
	last := ""
	for _, r := range pv.change {
		if c, _ := store.SplitRel(r); c != last {
			pv.customers, last = pv.customers+1, c
		}
	}
	for _, r := range pv.change[:min(sampleSize, len(pv.change))] {
		pv.sample = append(pv.sample, b.relName(r))
	}
	return pv, nil
}

// toChange is sel without the relationships that already match p.
func (b *Bulk) toChange(sel []string, p plan) ([]string, error) {
	var match []Node
	for _, t := range p.add {
		match = append(match, tagID{Tag: Tag{Name: t.Name}, id: t.ID})
	}
	for _, t := range p.remove {
		match = append(match, Not{X: tagID{Tag: Tag{Name: t.Name}, id: t.ID}})
	}
	e := &evaluator{ix: b.opts.Store}
	matched, err := e.and(And{Terms: match}, nonNil(sel))
	if err != nil {
		return nil, fmt.Errorf("bulk: match: %w", err)
	}
	return minus(sel, matched), nil
}

// relName is "王小明（跟进人 zhangsan）".
func (b *Bulk) relName(r string) string {
	cust, fol := store.SplitRel(r)
	name := cust
	if c, err := b.opts.Store.Customer(cust); err == nil && c.Name != "" {
		name = c.Name
	}
	return display.Name(name) + "（跟进人 " + display.Name(fol) + "）"
}

// previewText is the preview reply before /confirm; exclusive tells the
// exclusive groups (whose other tags an added tag takes off).
func (b *Bulk) previewText(p plan, pv previewResult, exclusive func(group string) bool) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "将给 %d 位客户（%d 个跟进关系）%s。\n条件：%s", pv.customers, len(pv.change),
		changeText(p.add, p.remove), display.Line(p.sel.String(), 200))
	for _, t := range p.add {
		if exclusive(t.GroupName) {
			fmt.Fprintf(&sb, "\n「%s」所在的标签组「%s」只能选一个：已有同组其他标签的客户会同时去掉那个标签。",
				display.Name(t.Name), display.Name(t.GroupName))
		}
	}
	if skip := len(pv.selected) - len(pv.change); skip > 0 {
		fmt.Fprintf(&sb, "\n另有 %d 个已经符合，会跳过。", skip)
	}
	fmt.Fprintf(&sb, "\n例如：%s", strings.Join(pv.sample, "、"))
	if len(pv.change) > len(pv.sample) {
		sb.WriteString(" 等")
	}
	if rate := b.ratePerMinute(); rate > 0 {
		fmt.Fprintf(&sb, "\n按企业微信每分钟 %d 次的频率，预计%s完成。", rate, b.eta(len(pv.change)))
	}
	return sb.String()
}

// start is the confirmed /bulk: under the write lock it selects again,
// checks the group policies on each relationship (a refused one becomes a
// failed row with the reason) and stores the run as a job.
func (b *Bulk) start(_ context.Context, req *commands.ExtRequest, p plan) ([]commands.Reply, error) {
	pv, rows, denied, err := b.planRows(req, p)
	if err != nil {
		return nil, err
	}
	if len(pv.change) == 0 {
		return []commands.Reply{{Text: "现在已经没有需要修改的客户（可能刚被别人改过），什么都没有改。"}}, nil
	}
	if denied == len(rows) {
		return nil, commands.UserErrorf(commands.CodeDenied, "这些客户都不能这样改：%s。什么都没有改。", rows[0].Denied)
	}
	job, err := b.opts.Store.CreateJob(store.Job{
		Kind: Kind, Actor: req.UserID, Source: store.SourceBulk, Reason: "/bulk " + p.text,
		Title: p.text, Add: refs(p.add), Remove: refs(p.remove), Matched: len(pv.selected) - len(pv.change),
	}, rows)
	if err != nil {
		return nil, fmt.Errorf("bulk: create job: %w", err)
	}
	b.opts.Runner.Wake()
	text := fmt.Sprintf("已开始批量修改（批次 %s）：%d 位客户 %s，预计%s完成。进度会发给你；整批撤销请发送 /undo %s",
		job.ID, pv.customers, changeText(p.add, p.remove), b.eta(len(rows)), job.ID)
	if denied > 0 {
		text += fmt.Sprintf("\n其中 %d 个因标签组规则不能改，会记为失败。", denied)
	}
	return []commands.Reply{{Text: text}}, nil
}

// planRows selects again and plans the rows under the write lock (the group
// policies are read against the relationships as they are now).
func (b *Bulk) planRows(req *commands.ExtRequest, p plan) (previewResult, []store.JobRow, int, error) {
	unlock := req.LockWrites()
	defer unlock()
	pv, err := b.preview(p)
	if err != nil || len(pv.change) == 0 {
		return pv, nil, 0, err
	}
	rows, denied, err := b.rows(req, p, pv.change)
	return pv, rows, denied, err
}

// rows plans one row per relationship: the job's tags, plus the tags an
// exclusive group must drop on that relationship, or the refusal.
func (b *Bulk) rows(req *commands.ExtRequest, p plan, change []string) ([]store.JobRow, int, error) {
	rows := make([]store.JobRow, 0, len(change))
	denied := 0
	for _, r := range change {
		cust, fol := store.SplitRel(r)
		row := store.JobRow{Customer: cust, Follower: fol}
		rel, err := b.opts.Store.Relationship(cust, fol)
		if errors.Is(err, store.ErrNoRelationship) || errors.Is(err, store.ErrNotFound) {
			continue // gone since it was selected
		}
		if err != nil {
			return nil, 0, fmt.Errorf("bulk: read %s: %w", r, err)
		}
		auto, err := req.CheckTags(rel, p.add, p.remove, p.live)
		var ue *commands.UserError
		switch {
		case errors.As(err, &ue):
			row.Denied = ue.Message
			denied++
		case err != nil:
			return nil, 0, err
		case len(auto) > 0:
			row.Add, row.Remove = refs(p.add), append(refs(p.remove), refs(auto)...)
		}
		rows = append(rows, row)
	}
	return rows, denied, nil
}
