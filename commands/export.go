package commands

// Replies that carry files: /export's workbook and charts beside a text.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tagbot/tagbot/chart"
	"github.com/tagbot/tagbot/internal/ierr"
	"github.com/tagbot/tagbot/internal/sheet"
	"github.com/tagbot/tagbot/store"
)

// Export sizes.
const (
	// ExportBackgroundRows: larger exports are built after the reply
	// "正在生成" and sent when ready (needs Options.Deliver).
	ExportBackgroundRows = 5000
	// MaxExportRows caps one export.
	MaxExportRows = 100000
	// exportTimeout bounds building an export in the background.
	exportTimeout = 10 * time.Minute
)

// exportSpec is /export.
func (r *Router) exportSpec() Spec {
	return Spec{Name: "export", Aliases: []string{"导出"}, Usage: "/export tag:标签 [and tag:标签…] [and not tag:标签…] [文字]",
		Summary: "把选中的客户导出成 Excel 文件（主管）",
		Help: fmt.Sprintf("按标签选客户，and 表示同时有，not 表示没有，和 /stats 一样按客户在各跟进人那里的标签合起来算；文字按姓名或备注筛选。"+
			"每位客户一行：客户ID、客户、备注、跟进人、手机号（仅管理员看到完整号码）和标签。"+
			"超过 %d 位客户时在后台生成，好了再发给你。例：/export tag:高意向 and not tag:已成交", ExportBackgroundRows),
		MinRole: RoleManager, Run: r.runExport}
}

// runExport is /export <selection>: parse and pick the customers from the
// tag index (a bad selection, nobody or too many is answered at once),
// then read them and build the XLSX, replying with it as a file — or, for
// a large export, send (Options.Deliver) that it comes later, then do the
// reading and building in the background and send the file the same way,
// so the notice always comes first; the handler then returns no reply.
func (r *Router) runExport(ctx context.Context, req *Request) ([]Reply, error) {
	sel, err := ParseSelection(req.Cmd.Args)
	if err != nil {
		return nil, err
	}
	v := req.Viewer()
	include, err := r.lib.seenBy(v).resolveAll(sel.Include)
	if err != nil {
		return nil, err
	}
	exclude, err := r.lib.seenBy(v).resolveAll(sel.Exclude)
	if err != nil {
		return nil, err
	}
	if err := v.checkSeen(append(append([]store.Tag(nil), include...), exclude...)); err != nil {
		return nil, err
	}
	ids, err := r.cust.selectIDs(v, include, exclude)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return textReply(exportNobody), nil
	}
	if sel.Text == "" && len(ids) > MaxExportRows {
		return nil, exportTooMany()
	}
	job := exportJob{viewer: v, full: req.Role == RoleAdmin, ids: ids, text: sel.Text,
		name: "客户导出-" + req.Now.In(r.loc).Format("20060102-1504") + ".xlsx"}
	if len(ids) <= r.exportBackground || r.deliver == nil {
		reply, err := r.buildExport(job)
		if err != nil {
			return nil, err
		}
		return []Reply{reply}, nil
	}
	if !r.exports.start(req.UserID) {
		return textReply("已有导出正在生成（每人一个、全公司两个同时进行），完成后再发 /export。"), nil
	}
	// The notice is queued before the build starts, through the same
	// per-member queue as the file: a quick build cannot overtake it.
	notice := fmt.Sprintf("共 %d 位客户，正在生成，完成后发给你。", len(ids))
	if sel.Text != "" {
		notice = fmt.Sprintf("有这些标签的客户共 %d 位，按「%s」筛选后正在生成，完成后发给你。", len(ids), clip(sel.Text))
	}
	r.deliver(ctx, req.UserID, clean([]Reply{{Text: notice}}))
	bg := context.WithoutCancel(ctx)
	r.bg.Go(func() {
		defer r.exports.done(req.UserID)
		r.exportLater(bg, req.UserID, job)
	})
	return nil, nil
}

// exportNobody answers an export that selects no customer.
const exportNobody = "没有符合条件的客户。可以先用 /find tag:标签 看看有哪些客户。"

// exportTooMany refuses an export of more than MaxExportRows customers.
func exportTooMany() error {
	return userErr(CodeUsage, "符合条件的客户超过 %d 位，请多加一个标签缩小范围。", MaxExportRows)
}

// exportJob is an export whose customers are picked: what remains is to
// read them (narrowed by text) and build the workbook.
type exportJob struct {
	viewer Viewer
	full   bool     // full mobiles (admins)
	ids    []string // from selectIDs
	text   string
	name   string // file name
}

// maxExports is how many large exports are built at once in all (each can
// take hundreds of MB); a member has at most one.
const maxExports = 2

// exportSlots counts the large exports being built, in all and per member.
type exportSlots struct {
	mu     sync.Mutex
	byUser map[string]bool
}

// start takes a slot for user; false when user has one or all are taken.
func (e *exportSlots) start(user string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.byUser == nil {
		e.byUser = map[string]bool{}
	}
	if e.byUser[user] || len(e.byUser) >= maxExports {
		return false
	}
	e.byUser[user] = true
	return true
}

// done gives user's slot back.
func (e *exportSlots) done(user string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.byUser, user)
}

// buildExport reads the job's customers and builds the reply carrying
// the workbook, or the reply saying there is none or too many.
func (r *Router) buildExport(job exportJob) (Reply, error) {
	rows, err := r.exportRows(job)
	if err != nil {
		return Reply{}, err
	}
	if len(rows) == 0 {
		return Reply{Text: exportNobody}, nil
	}
	if len(rows) > MaxExportRows {
		return Reply{}, exportTooMany()
	}
	data, err := sheet.Customers(rows)
	if err != nil {
		return Reply{}, fmt.Errorf("export: %w", err)
	}
	return Reply{
		Text: fmt.Sprintf("已导出 %d 位客户，文件随后发来：%s", len(rows), job.name),
		File: &Attachment{Name: job.name, Data: data, Fallback: "导出文件没能发送，请稍后再发一次 /export。"},
	}, nil
}

// exportLater builds a large export and delivers it (or the reason there
// is none, or an internal-error reply) to userID.
func (r *Router) exportLater(ctx context.Context, userID string, job exportJob) {
	if r.exportHold != nil {
		r.exportHold()
	}
	ctx, cancel := context.WithTimeout(ctx, exportTimeout)
	defer cancel()
	reply, err := r.buildExport(job)
	var ue *UserError
	switch {
	case errors.As(err, &ue):
		reply = Reply{Text: ue.Error()}
	case err != nil:
		reply = Reply{Text: ierr.Report(ctx, r.log, "export failed", err, slog.Int("customers", len(job.ids)))}
	}
	r.deliver(ctx, userID, []Reply{reply})
}

// exportRows reads the job's customers (at most MaxExportRows+1) as sheet
// rows: one per customer, over the relationships the viewer sees — every
// follower, remark and mobile (masked unless full), the union of the tags
// in library order (by group, as /tags lists them), tags of groups hidden
// from the viewer left out.
func (r *Router) exportRows(job exportJob) ([]sheet.Row, error) {
	picked, err := r.cust.load(job.viewer, job.ids, job.text, MaxExportRows+1)
	if err != nil {
		return nil, err
	}
	all, err := r.st.Tags(true) // in display order, as /tags uses them
	if err != nil {
		return nil, fmt.Errorf("export: read tags: %w", err)
	}
	rank := make(map[string]int, len(all)) // tag id → place in the library
	for i, t := range all {
		rank[t.ID] = i
	}
	rows := make([]sheet.Row, 0, len(picked))
	for _, p := range picked {
		row := sheet.Row{ID: p.customer.ID, Name: p.customer.Name, Follower: strings.Join(p.followersWith(nil), sheet.TagSep)}
		var remarks, phones []string
		var places []int
		for _, rel := range p.rels {
			remarks = append(remarks, rel.Remark)
			phones = append(phones, rel.Mobiles...)
			for _, id := range rel.TagIDs() {
				i, ok := rank[id]
				if !ok {
					return nil, fmt.Errorf("export: tag %s: %w", id, store.ErrNotFound)
				}
				places = append(places, i)
			}
		}
		row.Remark = joinNonEmpty(distinct(remarks), sheet.TagSep)
		row.Mobile = mobiles(distinct(phones), job.full)
		slices.Sort(places)
		for _, i := range slices.Compact(places) {
			if job.viewer.SeesTag(all[i]) {
				row.Tags = append(row.Tags, all[i].Name)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// distinct is ss without repeats, in first-seen order.
func distinct(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// mobiles joins mobiles, masked (138****5678) unless full.
func mobiles(ms []string, full bool) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m
		if !full {
			out[i] = MaskMobile(m)
		}
	}
	return joinNonEmpty(out, sheet.TagSep)
}

// MaskMobile hides the middle of a phone number: 13812345678 → 138****5678;
// numbers shorter than 8 characters are hidden whole.
func MaskMobile(m string) string {
	rs := []rune(m)
	if len(rs) < 8 {
		if len(rs) == 0 {
			return ""
		}
		return "****"
	}
	return string(rs[:3]) + "****" + string(rs[len(rs)-4:])
}

// joinNonEmpty joins the non-empty strings with sep.
func joinNonEmpty(ss []string, sep string) string {
	out := ""
	for _, s := range ss {
		if s == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += s
	}
	return out
}

// Wait blocks until work started in the background by earlier commands
// (large exports) has delivered its replies; call it before closing the
// store.
func (r *Router) Wait() { r.bg.Wait() }

// ChartReply is a text reply with a chart beside it: draw runs when charts
// are available (Options.Charts) and its PNG becomes the reply's Image,
// named name (must end in .png). Without charts, or when drawing fails
// (logged), the reply is the text alone, which must stand on its own.
// 带图表的回复；没有字体或绘制失败时只发文字。
func (r *Router) ChartReply(text, name string, draw func(*chart.Renderer) ([]byte, error)) Reply {
	reply := Reply{Text: text}
	if r.charts == nil || draw == nil {
		return reply
	}
	png, err := draw(r.charts)
	if err != nil {
		r.log.Warn("chart not drawn, sending the text alone", "chart", name, "err", err)
		return reply
	}
	reply.Image = &Attachment{Name: name, Data: png}
	return reply
}
