package lifecycle

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// timeLayout is how replies show times (in the user's zone).
const timeLayout = "01-02 15:04"

// renderList is /lifecycle: each rule with its schedule, next run, change
// and what its last run changed and skipped. redact rewrites a skip
// reason the reader may not see (nil: none hidden).
func renderList(sts []Status, loc *time.Location, redact func(string) string) string {
	if len(sts) == 0 {
		return "还没有生命周期规则。在 config.yaml 的 lifecycle: 里配置（见 README「生命周期规则」），然后 /reload。"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "生命周期规则（%d 条）：", len(sts))
	for i, st := range sts {
		r := st.Rule
		fmt.Fprintf(&b, "\n%d. %s · %s · 下次 %s", i+1, display.Name(r.Name), r.Schedule(), st.Next.In(loc).Format(timeLayout))
		fmt.Fprintf(&b, "\n   条件 %s → %s", display.Line(r.When, 120), tagChange(r.Add, r.Remove))
		b.WriteString("\n   " + lastRun(st, loc, redact))
	}
	b.WriteString("\n管理员：/lifecycle preview 先看下次会改哪些客户，/lifecycle run 立即执行。")
	return b.String()
}

// lastRun describes the rule's last run: what it planned (and left out for
// an earlier rule), and what its job applied and skipped, by reason.
func lastRun(st Status, loc *time.Location, redact func(string) string) string {
	s := st.State
	if s.LastRun.IsZero() {
		return "还没有执行过（首次执行在加载后满一个周期）"
	}
	how := "按时"
	if s.LastManual {
		how = "手动"
	}
	head := fmt.Sprintf("上次 %s（%s）", s.LastRun.In(loc).Format(timeLayout), how)
	conflicts := ""
	if s.LastConflicts > 0 {
		conflicts = fmt.Sprintf("，另有 %d 处和前面的规则冲突未执行", s.LastConflicts)
	}
	if s.LastJob == "" || st.Job == nil {
		return fmt.Sprintf("%s：没有需要改动的客户%s", head, conflicts)
	}
	j := st.Job
	state := "进行中"
	switch j.State {
	case store.JobDone:
		state = "已完成"
	case store.JobCancelled:
		state = "已取消"
	}
	return fmt.Sprintf("%s%s：本规则计划改 %d 处（%s）%s；整批（%s）已改 %d、跳过 %d%s · 撤销 /undo %s",
		head, j.ID, s.LastPlanned, countList(s.LastTags), conflicts, state, j.Applied, j.Skipped+j.FailedN, skipReasons(*j, redact), j.ID)
}

// maxSkipReasons is how many skip reasons a run's line names.
const maxSkipReasons = 4

// skipReasons groups a job's skipped rows by reason, most first:
// "：已经是这样 2，客户已不再由该员工跟进 1"; empty when none.
func skipReasons(j store.Job, redact func(string) string) string {
	counts := map[string]int{}
	if j.Skipped > 0 {
		counts["已经是这样"] = j.Skipped
	}
	for r, n := range j.Failed {
		if redact != nil {
			r = redact(r)
		}
		counts[r] += n
	}
	if len(counts) == 0 {
		return ""
	}
	reasons := make([]string, 0, len(counts))
	for r := range counts {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(a, c int) bool {
		if counts[reasons[a]] != counts[reasons[c]] {
			return counts[reasons[a]] > counts[reasons[c]]
		}
		return reasons[a] < reasons[c]
	})
	parts := make([]string, 0, maxSkipReasons+1)
	for _, r := range reasons[:min(maxSkipReasons, len(reasons))] {
		parts = append(parts, fmt.Sprintf("%s %d", display.Line(r, 60), counts[r]))
	}
	if len(reasons) > maxSkipReasons {
		parts = append(parts, fmt.Sprintf("另 %d 种原因", len(reasons)-maxSkipReasons))
	}
	return "：" + strings.Join(parts, "，")
}

// tagChange renders "+A +B -C" from config tag names.
func tagChange(add, remove []string) string {
	var parts []string
	for _, t := range add {
		parts = append(parts, "+"+display.Name(t))
	}
	for _, t := range remove {
		parts = append(parts, "-"+display.Name(t))
	}
	return strings.Join(parts, " ")
}

// tagsOf renders a change's tags.
func tagsOf(add, remove []store.Tag) string {
	var a, r []string
	for _, t := range add {
		a = append(a, t.Name)
	}
	for _, t := range remove {
		r = append(r, t.Name)
	}
	return tagChange(a, r)
}

// tagTotals sums a plan's tag changes: "+待激活客户 ×12，-活跃会员 ×12".
func tagTotals(cs []Change) string {
	counts := map[string]int{}
	for _, c := range cs {
		for _, t := range c.Add {
			counts["+"+t.Name]++
		}
		for _, t := range c.Remove {
			counts["-"+t.Name]++
		}
	}
	return countList(counts)
}

// countList renders "+名"/"-名" counts, sorted: "+A ×2，-B ×2".
func countList(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k[:1]+display.Name(k[1:]), counts[k])
	}
	return strings.Join(parts, "，")
}

// renderPreview is one page of /lifecycle preview.
func (s *Service) renderPreview(p *Plan, a lifecycleArgs, req *commands.ExtRequest) string {
	return RenderPlan(p, a.page, "/lifecycle preview"+ruleArgs(a.rules), req.Location)
}

// ruleArgs renders rule names back as arguments.
func ruleArgs(rules []string) string {
	if len(rules) == 0 {
		return ""
	}
	return " " + strings.Join(rules, " ")
}

// RenderPlan renders page (1-based; 0 for every change on one page) of a
// plan: totals per rule, then the page's changes naming the customer and
// follower; more names the command that shows the next page.
func RenderPlan(p *Plan, page int, more string, loc *time.Location) string {
	if len(p.Rules) == 0 {
		return "还没有生命周期规则。在 config.yaml 的 lifecycle: 里配置后 /reload。"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "预览（%s，不改任何标签）：%d 条规则，检查了 %d 处客户关系，会改 %d 处。",
		p.At.In(loc).Format(timeLayout), len(p.Rules), p.Relationships, len(p.Changes))
	per := map[string]int{}
	for _, c := range p.Changes {
		per[c.Rule]++
	}
	for _, r := range p.Rules {
		fmt.Fprintf(&b, "\n· %s：%d 处", display.Name(r), per[r])
	}
	if p.Errors > 0 {
		fmt.Fprintf(&b, "\n（%d 次条件求值出错，按不成立处理，详见日志）", p.Errors)
	}
	b.WriteString(skippedText(p.Skipped, PageSize))
	if len(p.Changes) == 0 {
		return b.String()
	}
	size := PageSize
	if page == 0 {
		page, size = 1, len(p.Changes)
	}
	pages := (len(p.Changes) + size - 1) / size
	page = min(page, pages)
	from := (page - 1) * size
	if pages > 1 {
		fmt.Fprintf(&b, "\n第 %d/%d 页：", page, pages)
	}
	for i, c := range p.Changes[from:min(from+size, len(p.Changes))] {
		name := c.CustomerName
		if name == "" {
			name = c.Customer
		}
		fmt.Fprintf(&b, "\n%d. %s（跟进人 %s）%s · %s", from+i+1, display.Name(name), display.Name(c.Follower),
			tagsOf(c.Add, c.Remove), display.Name(c.Rule))
	}
	if page < pages && more != "" {
		fmt.Fprintf(&b, "\n下一页：%s page:%d", more, page+1)
	}
	return b.String()
}

// skippedText tells the changes a plan skips (Plan.Skipped), naming at
// most limit of them; empty when none.
func skippedText(sk []Change, limit int) string {
	if len(sk) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n跳过 %d 处：和排在前面的规则冲突（互斥标签组只能有一个标签、超过标签组上限，或撤回前面规则的改动），不会执行。调整规则顺序或条件可以避免。", len(sk))
	for _, c := range sk[:min(limit, len(sk))] {
		name := c.CustomerName
		if name == "" {
			name = c.Customer
		}
		fmt.Fprintf(&b, "\n× %s（跟进人 %s）%s · %s", display.Name(name), display.Name(c.Follower), tagsOf(c.Add, c.Remove), display.Name(c.Rule))
	}
	if len(sk) > limit {
		fmt.Fprintf(&b, "\n……另有 %d 处跳过", len(sk)-limit)
	}
	return b.String()
}
