package commands

// Replies that carry files: /export's workbook and charts beside a text.

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
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
		Help: fmt.Sprintf("按标签选客户，and 表示同时有，not 表示没有；文字按姓名或备注筛选。文件里有客户、备注、跟进人、手机号（仅管理员看到完整号码）和标签。"+
			"超过 %d 行时在后台生成，好了再发给你。例：/export tag:高意向 and not tag:已成交", ExportBackgroundRows),
		MinRole: RoleManager, Run: r.runExport}
}

// runExport is /export <selection>: parse → query → build the XLSX →
// reply with it as a file (or say it comes later).
func (r *Router) runExport(ctx context.Context, req *Request) ([]Reply, error) {
	sel, err := ParseSelection(req.Cmd.Args)
	if err != nil {
		return nil, err
	}
	include, err := r.lib.seenBy(req.Viewer()).resolveAll(sel.Include)
	if err != nil {
		return nil, err
	}
	exclude, err := r.lib.seenBy(req.Viewer()).resolveAll(sel.Exclude)
	if err != nil {
		return nil, err
	}
	if err := req.Viewer().checkSeen(append(append([]store.Tag(nil), include...), exclude...)); err != nil {
		return nil, err
	}
	rows, err := r.exportRows(req, include, exclude, sel.Text)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return textReply("没有符合条件的客户。可以先用 /find tag:标签 看看有哪些客户。"), nil
	}
	name := "客户导出-" + req.Now.In(r.loc).Format("20060102-1504") + ".xlsx"
	if len(rows) > r.exportBackground && r.deliver != nil {
		if !r.exports.start(req.UserID) {
			return textReply("已有导出正在生成（每人一个、全公司两个同时进行），完成后再发 /export。"), nil
		}
		bg := context.WithoutCancel(ctx)
		r.bg.Go(func() {
			defer r.exports.done(req.UserID)
			r.exportLater(bg, req.UserID, name, rows)
		})
		return textReply(fmt.Sprintf("共 %d 位客户，正在生成，完成后发给你。", len(rows))), nil
	}
	reply, err := exportReply(name, rows)
	if err != nil {
		return nil, err
	}
	return []Reply{reply}, nil
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

// exportReply builds the workbook and the reply that carries it.
func exportReply(name string, rows []sheet.Row) (Reply, error) {
	data, err := sheet.Customers(rows)
	if err != nil {
		return Reply{}, fmt.Errorf("export: %w", err)
	}
	return Reply{
		Text: fmt.Sprintf("已导出 %d 位客户，文件随后发来：%s", len(rows), name),
		File: &Attachment{Name: name, Data: data, Fallback: "导出文件没能发送，请稍后再发一次 /export。"},
	}, nil
}

// exportLater builds a large export and delivers it (or an internal-error
// reply) to userID.
func (r *Router) exportLater(ctx context.Context, userID, name string, rows []sheet.Row) {
	ctx, cancel := context.WithTimeout(ctx, exportTimeout)
	defer cancel()
	reply, err := exportReply(name, rows)
	if err != nil {
		reply = Reply{Text: ierr.Report(ctx, r.log, "export failed", err, slog.Int("rows", len(rows)))}
	}
	r.deliver(ctx, userID, []Reply{reply})
}

// exportRows lists the relationships the viewer sees that have every tag
// of include and none of exclude, text in name or remark, as sheet rows.
func (r *Router) exportRows(req *Request, include, exclude []store.Tag, text string) ([]sheet.Row, error) {
	hits, err := r.cust.withTags(req.Viewer(), include, text, MaxExportRows+1)
	if err != nil {
		return nil, err
	}
	if len(hits) > MaxExportRows {
		return nil, userErr(CodeUsage, "符合条件的客户超过 %d 位，请多加一个标签缩小范围。", MaxExportRows)
	}
	names := map[string]string{} // tag id → name; "" for a tag the viewer may not see
	v := req.Viewer()
	var rows []sheet.Row
	for _, h := range hits {
		if slices.ContainsFunc(exclude, func(t store.Tag) bool { _, has := h.rel.Tags[t.ID]; return has }) {
			continue
		}
		row := sheet.Row{Name: h.customer.Name, Remark: h.rel.Remark, Follower: h.rel.Follower,
			Mobile: mobiles(h.rel.Mobiles, req.Role == RoleAdmin)}
		for _, id := range h.rel.TagIDs() {
			if _, ok := names[id]; !ok {
				t, err := r.st.Tag(id)
				if err != nil {
					return nil, fmt.Errorf("export: tag %s: %w", id, err)
				}
				names[id] = ""
				if v.SeesTag(t) {
					names[id] = t.Name
				}
			}
			if names[id] != "" {
				row.Tags = append(row.Tags, names[id])
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// mobiles joins a relationship's mobiles, masked (138****5678) unless full.
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
