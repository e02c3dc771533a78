package stats

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/width"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// CountedNote says what the counts count; /help and replies use it.
const CountedNote = "按客户计：一位客户在任一跟进关系上有这个标签就算一位，多个跟进人也只算一次"

// ChannelsText is the answer to /stats channels while there is no
// channel QR code.
const ChannelsText = "还没有渠道二维码，所以没有按渠道的统计。\n" +
	"主管可以用 /qr <渠道名> +标签 创建渠道二维码，扫码添加的客户会自动打上标签；之后 /stats channels 按渠道统计。"

// TeamNote explains the columns of /stats team and /stats @userid.
const TeamNote = "变更：自己改标签的次数，一次操作对一位客户算一次（一次回滚涉及两个跟进人也算一次），来源列出同样这些变更；" +
	"撤销、重做另计，不算变更。撤销率：这些变更中后来被撤销或被回滚收回的比例；被拒：没有权限而被拒绝的尝试。"

// sourceLabels are the Chinese names of change-set sources.
var sourceLabels = map[store.Source]string{
	store.SourceCommand: "命令", store.SourceRule: "规则", store.SourceLLM: "大模型",
	store.SourceImport: "导入", store.SourceBulk: "批量", store.SourceWeComUI: "企微界面",
	store.SourceSync: "同步", store.SourceRollback: "回滚", store.SourceRestore: "恢复",
	store.SourceTrigger: "触发器", store.SourceLifecycle: "生命周期", store.SourceChannel: "渠道活码", store.SourceMerge: "合并",
}

// Render writes res as a short Chinese text, columns aligned, names of
// tags, groups and employees passed through display.Name. loc is the
// time zone of dates (China Standard Time when nil); mine says the scope
// is the asker's own customers.
func Render(res Result, loc *time.Location, mine bool) string {
	if loc == nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	switch res.Kind {
	case KindOverview:
		return renderOverview(res.Overview, loc, mine)
	case KindCross:
		return renderCross(res.Cross, mine)
	case KindTrend:
		return renderTrend(res.Trend, loc, mine)
	case KindPerson, KindTeam:
		return renderTeam(res.Team, loc)
	case KindRules:
		return renderRules(res.Rules, loc)
	case KindChannels:
		return renderChannels(res.Channels, loc) // channels.go
	}
	return ""
}

func scopeWord(mine bool) string {
	if mine {
		return "你跟进的"
	}
	return "共"
}

// OverviewRows is the most tags /stats lists: a large library would fill
// several messages. The tags with the most customers are kept (in library
// order); the reply says how many were left out and how to ask for one.
const OverviewRows = 30

// renderOverview lists the tags in library order (WeCom's: larger
// Group.Order and Tag.Order first, as /groups), leaving out tags with no
// customer and no change in 30 days (counted in one line) and cutting a
// large library to OverviewRows tags.
func renderOverview(ov *Overview, loc *time.Location, mine bool) string {
	type at struct{ g, i, customers int } // a tag's place in ov.Groups
	var shown []at
	empty, total := 0, 0
	for g, gc := range ov.Groups {
		for i, tc := range gc.Tags {
			total++
			if tc.Customers == 0 && tc.Change7 == 0 && tc.Change30 == 0 {
				empty++
			} else {
				shown = append(shown, at{g, i, tc.Customers})
			}
		}
	}
	cut := 0
	if len(shown) > OverviewRows { // keep the largest, then back to library order
		cut = len(shown) - OverviewRows
		slices.SortStableFunc(shown, func(a, b at) int { return cmp.Compare(b.customers, a.customers) })
		shown = shown[:OverviewRows]
		slices.SortFunc(shown, func(a, b at) int { return cmp.Or(cmp.Compare(a.g, b.g), cmp.Compare(a.i, b.i)) })
	}
	var t table
	t.row("标签", "客户", "近7天", "近30天")
	for n, p := range shown {
		if n == 0 || shown[n-1].g != p.g {
			t.line("【" + display.Name(ov.Groups[p.g].Group) + "】")
		}
		tc := ov.Groups[p.g].Tags[p.i]
		t.row("  "+display.Name(tc.Tag.Name), itoa(tc.Customers), signed(tc.Change7), signed(tc.Change30))
	}
	lines := []string{fmt.Sprintf("标签客户统计（%s %d 位客户；%s）", scopeWord(mine), ov.Customers, CountedNote) + historyNote(ov.HistoryFrom, loc)}
	if len(shown) > 0 {
		lines = append(lines, t.String())
	}
	if cut > 0 {
		lines = append(lines, fmt.Sprintf("另有 %d 个标签客户较少，没有列出；看某个标签：/stats tag:标签名", cut))
	}
	if empty > 0 {
		lines = append(lines, fmt.Sprintf("另有 %d 个标签没有客户（近 30 天也没有变化）。", empty))
	}
	if total == 0 {
		lines = append(lines, "标签库是空的。")
	}
	lines = append(lines, "看两个标签的重叠：/stats tag:A tag:B；看趋势：/stats trend tag:A")
	return strings.Join(lines, "\n")
}

func renderCross(c *Cross, mine bool) string {
	lines := []string{fmt.Sprintf("交叉分析（%s %d 位客户）", scopeWord(mine), c.Customers)}
	var t table
	t.row("标签", "客户")
	for i, tag := range c.Tags {
		t.row(display.Name(tag.Name), itoa(c.Counts[i][i]))
	}
	lines = append(lines, t.String())
	var p table
	p.row("A × B", "都有", "占A", "占B", "提升度")
	for i := range c.Tags {
		for j := i + 1; j < len(c.Tags); j++ {
			lift := "—" // a tag without customers: no lift, not 0
			if c.HasLift(i, j) {
				lift = fmt.Sprintf("%.2f", c.Lift(i, j))
			}
			p.row(display.Name(c.Tags[i].Name)+" × "+display.Name(c.Tags[j].Name), itoa(c.Counts[i][j]),
				share(c, i, j), share(c, j, i), lift)
		}
	}
	lines = append(lines, p.String(), "提升度 >1 表示两个标签常一起出现，=1 无关，<1 互相排斥；— 表示有标签没有客户，算不出。")
	lines = append(lines, fmt.Sprintf("同时有这 %d 个标签的客户：%d 位", len(c.Tags), c.All))
	return strings.Join(lines, "\n")
}

// share is c.Share(i, j) as a percentage, "—" when tag i has no customers.
func share(c *Cross, i, j int) string {
	if c.Counts[i][i] == 0 {
		return "—"
	}
	return pct(c.Share(i, j))
}

// renderTrend answers "how many" first (the tag's customers now), then
// the adds and removes of the window, whose last day is the one before
// Until (exclusive).
func renderTrend(tr *Trend, loc *time.Location, mine bool) string {
	whose := fmt.Sprintf("全部 %d 位客户中", tr.Total)
	if mine {
		whose = fmt.Sprintf("你跟进的 %d 位客户中", tr.Total)
	}
	count := fmt.Sprintf("「%s」：%d 位客户（%s）", display.Name(tr.Tag.Name), tr.Customers, whose)
	unit := "按天"
	if tr.Weekly {
		unit = "按周，日期为周一"
	}
	var t table
	t.row("日期", "新增", "移除")
	adds, removes := 0, 0
	for _, p := range tr.Points {
		adds, removes = adds+p.Adds, removes+p.Removes
		if p.Adds > 0 || p.Removes > 0 {
			t.row(p.Start.In(loc).Format("01-02"), signed(p.Adds), signed(-p.Removes))
		}
	}
	note := historyNote(tr.HistoryFrom, loc)
	if adds == 0 && removes == 0 {
		return count + note + fmt.Sprintf("\n趋势 %s：没有客户新增或移除这个标签。", span(tr.Since, tr.Until, loc, "2006-01-02"))
	}
	head := fmt.Sprintf("趋势 %s（%s）：", span(tr.Since, tr.Until, loc, "2006-01-02"), unit)
	return count + note + "\n" + head + "\n" + t.String() + fmt.Sprintf("\n合计 新增 %d，移除 %d（含撤销和回滚；只列出有变化的日期）", adds, removes)
}

// span is "since 至 last day" of a window ending (exclusive) at until.
func span(since, until time.Time, loc *time.Location, layout string) string {
	return since.In(loc).Format(layout) + " 至 " + until.Add(-time.Nanosecond).In(loc).Format(layout)
}

func renderTeam(tm *Team, loc *time.Location) string {
	head := "标签变更统计 " + span(tm.Since, tm.Until, loc, "01-02") + historyNote(tm.HistoryFrom, loc)
	if len(tm.People) == 0 {
		return head + "\n这段时间没有人改过标签。"
	}
	var t table
	t.row("员工", "变更", "撤销率", "被拒", "来源")
	for _, p := range tm.People {
		var src []string
		for _, s := range Sources {
			if n := p.BySource[s]; n > 0 {
				src = append(src, fmt.Sprintf("%s %d", sourceLabels[s], n))
			}
		}
		var undos []string
		if p.Undos > 0 {
			undos = append(undos, fmt.Sprintf("撤销 %d 次", p.Undos))
		}
		if p.Redos > 0 {
			undos = append(undos, fmt.Sprintf("重做 %d 次", p.Redos))
		}
		cell := strings.Join(src, " · ")
		if len(undos) > 0 {
			cell += "；另" + strings.Join(undos, " · ")
		}
		t.row(display.Name(p.UserID), itoa(p.Changes), pct(p.UndoRate()), itoa(p.Denied), strings.TrimPrefix(cell, "；"))
	}
	return head + "\n" + t.String() + "\n" + TeamNote
}

func renderRules(rs *Rules, loc *time.Location) string {
	head := fmt.Sprintf("规则建议统计（自 %s 起）", rs.Since.In(loc).Format("01-02")) + historyNote(rs.HistoryFrom, loc)
	if len(rs.Rules) == 0 {
		return head + "\n这段时间没有规则提出建议。发送 /rules 查看已启用的规则。"
	}
	var t table
	t.row("规则", "确认", "拒绝", "过期", "待定", "确认率")
	for _, r := range rs.Rules {
		rate := "—" // nothing decided yet: no rate, not 0%
		if r.Decided() > 0 {
			rate = pct(r.ConfirmRate())
		}
		t.row(display.Name(r.Rule), itoa(r.Confirmed), itoa(r.Rejected), itoa(r.Expired), itoa(r.Pending), rate)
	}
	return head + "\n" + t.String() + "\n确认率：确认 ÷（确认＋拒绝＋过期）；— 表示还没有已决定的建议。"
}

// historyNote says the window was moved to the first full sync: the
// ledger knows no changes before it. Empty when from is zero.
func historyNote(from time.Time, loc *time.Location) string {
	if from.IsZero() {
		return ""
	}
	return fmt.Sprintf("\n（历史从 %s 首次同步开始，之前的变化无记录）", from.In(loc).Format("01-02"))
}

// table aligns columns by display width (CJK characters are two wide).
type table struct {
	rows [][]string // nil cells: a line across the table
	text []string
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells); t.text = append(t.text, "") }
func (t *table) line(s string)       { t.rows = append(t.rows, nil); t.text = append(t.text, s) }

// String pads every column but the last to its widest cell; numbers are
// right-aligned.
func (t *table) String() string {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], cellWidth(c))
		}
	}
	out := make([]string, len(t.rows))
	for n, r := range t.rows {
		if r == nil {
			out[n] = t.text[n]
			continue
		}
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-cellWidth(c))
			switch {
			case i == len(r)-1 && i == 0:
				b.WriteString(c)
			case i == 0:
				b.WriteString(c + pad)
			case i == len(r)-1 && !numeric(c):
				b.WriteString("  " + c)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		out[n] = strings.TrimRight(b.String(), " ")
	}
	return strings.Join(out, "\n")
}

// cellWidth is s's width in columns: wide and full-width runes take two.
func cellWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func numeric(s string) bool {
	if s == "—" { // no value: aligned as a number
		return true
	}
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0123456789.%") == ""
}

func itoa(n int) string { return fmt.Sprint(n) }

// signed shows a change with its sign; no change is "0".
func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return fmt.Sprint(n)
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }
