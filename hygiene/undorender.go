package hygiene

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// maxConflictLines is how many conflicts a preview names one by one.
const maxConflictLines = 5

// previewLines are the preview's details (also the confirm card's lines).
func (p *undoPlan) previewLines(h *Hygiene) []string {
	lines := []string{"例如：" + p.sample(h)}
	if len(p.remove) > 0 {
		lines = append(lines, "将移除："+countList(p.remove))
	}
	if len(p.add) > 0 {
		lines = append(lines, "将加回："+countList(p.add))
	}
	if n := len(p.conflicts); n > 0 {
		head := fmt.Sprintf("冲突 %d 项：之后又有人改过相同的标签（不在这次撤销的范围里），将保留不动（要覆盖请加 force）：", n)
		if p.args.force {
			head = fmt.Sprintf("冲突 %d 项：之后又有人改过相同的标签（不在这次撤销的范围里），force：将覆盖这些修改：", n)
		}
		lines = append(lines, head)
		lines = append(lines, p.conflictLines(h)...)
	}
	for _, why := range sortedKeys(p.clashes) {
		lines = append(lines, fmt.Sprintf("互斥冲突 %d 项，将保留不动：%s（请直接用 /tag 改成想要的标签）", p.clashes[why], why))
	}
	for _, why := range sortedKeys(p.denied) {
		lines = append(lines, fmt.Sprintf("无权限 %d 项，将保留不动：%s", p.denied[why], why))
	}
	for _, id := range sortedKeys(p.blocked) {
		name := id
		if t, err := h.st.Tag(id); err == nil {
			name = t.Name
		}
		lines = append(lines, fmt.Sprintf("「%s」已从标签库删除：%d 项无法加回，将不处理。请先 /restore tag %s，再重新发送这条 /undo。",
			display.Name(name), len(p.blocked[id]), display.Name(name)))
	}
	return lines
}

// sampleSize is how many customers a preview names as examples.
const sampleSize = 3

// sample names the first few customers (newest change first) the undo
// changes, with the follower.
func (p *undoPlan) sample(h *Hygiene) string {
	var names []string
	for _, id := range p.rows[:min(sampleSize, len(p.rows))] {
		cs := p.targets[id]
		names = append(names, fmt.Sprintf("%s（跟进人 %s）撤销 #%d（%s）", h.customerName(cs.Customer), display.Name(cs.Follower), cs.ID, commands.EffectText(cs)))
	}
	if len(p.rows) > sampleSize {
		names = append(names, "……")
	}
	return strings.Join(names, "；")
}

// conflictLines names the first conflicts: the customer, the follower and
// the later change left out of the undo (by someone else, or by the
// person undone: then "自己").
func (p *undoPlan) conflictLines(h *Hygiene) []string {
	ids := make([]store.ID, 0, len(p.conflicts))
	for id := range p.conflicts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var lines []string
	for i, id := range ids {
		if i == maxConflictLines {
			lines = append(lines, fmt.Sprintf("  ……还有 %d 项", len(ids)-i))
			break
		}
		cs := p.targets[id]
		later := p.conflicts[id][0]
		who := display.Name(later.Actor) + " "
		if later.Actor == cs.Actor {
			who = display.Name(later.Actor) + " 自己" // the person undone, in a change this undo leaves out
		}
		lines = append(lines, fmt.Sprintf("  %s（跟进人 %s）#%d：之后 %s在 #%d %s",
			h.customerName(cs.Customer), display.Name(cs.Follower), cs.ID, who, later.ID, commands.EffectText(later)))
	}
	return lines
}

// summaryText is the preview's first reply: the count, then the details.
func (p *undoPlan) summaryText(lines []string, eta string) string {
	head := fmt.Sprintf("将撤销 %s 的 %s 项变更（%s 个客户关系），作为一批在后台按企业微信频率限制执行%s：",
		p.args.describe(), countText(len(p.rows)), countText(p.rels), eta)
	return strings.Join(append([]string{head}, lines...), "\n")
}

// nothingText explains a mass undo that has nothing to take back.
func (p *undoPlan) nothingText() string {
	switch {
	case len(p.clashes) > 0:
		return fmt.Sprintf("%s 的变更不能撤销：%s。请直接用 /tag 改成想要的标签。", p.args.describe(), strings.Join(sortedKeys(p.clashes), "；"))
	case len(p.denied) > 0:
		return fmt.Sprintf("%s 的变更涉及你无权修改的标签：%s", p.args.describe(), strings.Join(sortedKeys(p.denied), "；"))
	case len(p.conflicts) > 0 && len(p.blocked) == 0:
		return fmt.Sprintf("%s 的 %d 项变更之后都被别人改过相同的标签，没有撤销。主管可以加 force 强制撤销。", p.args.describe(), len(p.conflicts))
	case len(p.blocked) > 0:
		var names []string
		for id := range p.blocked {
			names = append(names, id)
		}
		return fmt.Sprintf("要加回的标签已从标签库删除（%s）。请先 /restore tag 恢复，再重新发送这条 /undo。", strings.Join(p.tagNames(names), "、"))
	case len(p.targets) > 0:
		return fmt.Sprintf("%s 的变更都已经撤销过了，没有变化。发送 /history 查看。", p.args.describe())
	}
	return fmt.Sprintf("没有找到 %s 的变更。发送 /history 查看记录，或放宽时间（since:/until:）。", p.args.describe())
}

// tagNames names tag ids as the change-sets of the plan name them.
func (p *undoPlan) tagNames(ids []string) []string {
	var out []string
	for _, id := range ids {
		name := id
		for _, cs := range p.targets {
			for _, r := range cs.Remove {
				if r.ID == id && r.Name != "" {
					name = r.Name
				}
			}
		}
		out = append(out, "「"+display.Name(name)+"」")
	}
	slices.Sort(out)
	return out
}

// customerName is a customer's display name, or the id when unknown.
func (h *Hygiene) customerName(id string) string {
	if c, err := h.st.Customer(id); err == nil && c.Name != "" {
		return display.Name(c.Name)
	}
	return display.Name(id)
}

// countList is 「A」×1,200、「B」×3, most first.
func countList(m map[string]int) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("「%s」×%s", display.Name(n), countText(m[n]))
	}
	return strings.Join(parts, "、")
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
