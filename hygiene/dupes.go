package hygiene

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/tagmatch"
)

// maxDupeGroups is how many groups /dupes shows.
const maxDupeGroups = 20

// dupeGroup is one group of near-duplicate tags as /dupes shows it: the
// tag to keep (most customers) first, each other with why it looks alike.
type dupeGroup struct {
	keep     store.Tag
	others   []tagmatch.Match
	counts   map[string]int  // tag id → customers carrying it
	repeated map[string]bool // names of several live tags: typed as 组名/名称
}

// runDupes is /dupes: parse (no arguments) → find the groups → render.
func (h *Hygiene) runDupes(_ context.Context, req *commands.ExtRequest) ([]commands.Reply, error) {
	if len(req.Args) > 0 {
		return nil, commands.UserErrorf(commands.CodeUsage, "/dupes 不带参数，直接发送 /dupes 即可。")
	}
	groups, err := h.dupes()
	if err != nil {
		return nil, err
	}
	return []commands.Reply{{Text: renderDupes(groups)}}, nil
}

// dupes finds the near-duplicate groups of the live library with their
// customer counts, the groups with the most customers first.
func (h *Hygiene) dupes() ([]dupeGroup, error) {
	live, err := h.st.Tags(false)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	counts, err := h.st.TagCustomerCounts("")
	if err != nil {
		return nil, fmt.Errorf("tag counts: %w", err)
	}
	m := tagmatch.New(live, h.synonyms)
	seen, repeated := map[string]bool{}, map[string]bool{}
	for _, t := range live {
		repeated[t.Name] = seen[t.Name]
		seen[t.Name] = true
	}
	var out []dupeGroup
	for _, g := range m.Duplicates() {
		slices.SortStableFunc(g, func(a, b store.Tag) int { return cmp.Compare(counts[b.ID], counts[a.ID]) })
		dg := dupeGroup{keep: g[0], counts: counts, repeated: repeated}
		for _, t := range g[1:] {
			dg.others = append(dg.others, why(m, g, t))
		}
		out = append(out, dg)
	}
	slices.SortStableFunc(out, func(a, b dupeGroup) int { return cmp.Compare(b.total(), a.total()) })
	return out, nil
}

// why compares t with the group's kept tag, or else with the first other
// member it looks like (groups are linked pairwise).
func why(m *tagmatch.Matcher, group []store.Tag, t store.Tag) tagmatch.Match {
	if mt, ok := m.Compare(group[0], t); ok {
		return mt
	}
	for _, o := range group[1:] {
		if o.ID == t.ID {
			continue
		}
		if mt, ok := m.Compare(o, t); ok {
			mt.Why = fmt.Sprintf("与「%s」%s", display.Name(o.Name), mt.Why)
			return mt
		}
	}
	return tagmatch.Match{Tag: t, Why: "相似"}
}

// total is the customers of the whole group, counted per tag.
func (g dupeGroup) total() int {
	n := g.counts[g.keep.ID]
	for _, o := range g.others {
		n += g.counts[o.Tag.ID]
	}
	return n
}

// renderDupes is the /dupes reply.
func renderDupes(groups []dupeGroup) string {
	if len(groups) == 0 {
		return "没有发现近似重复的标签。同义词可以在配置 tag_synonyms 里补充。"
	}
	lines := []string{fmt.Sprintf("发现 %d 组近似重复的标签（建议保留客户多的那个）：", len(groups))}
	for i, g := range groups {
		if i == maxDupeGroups {
			lines = append(lines, fmt.Sprintf("……还有 %d 组未显示。先合并上面的，再发送 /dupes。", len(groups)-i))
			break
		}
		lines = append(lines, fmt.Sprintf("%d. 保留 %s", i+1, tagLine(g.keep, g.counts)))
		for _, o := range g.others {
			lines = append(lines, fmt.Sprintf("   ≈ %s：%s", tagLine(o.Tag, g.counts), o.Why))
			lines = append(lines, fmt.Sprintf("   合并：/merge %s into %s", typed(o.Tag, g.repeated), typed(g.keep, g.repeated)))
		}
	}
	return strings.Join(lines, "\n")
}

// tagLine is "「名称」（标签组，N 个客户）".
func tagLine(t store.Tag, counts map[string]int) string {
	return fmt.Sprintf("「%s」（%s，%d 个客户）", display.Name(t.Name), display.Name(t.GroupName), counts[t.ID])
}

// typedID is typed for the tag with id, as the live library stands.
func (h *Hygiene) typedID(id string) string {
	t, err := h.st.Tag(id)
	if err != nil {
		return id
	}
	live, err := h.st.Tags(false)
	if err != nil {
		return id
	}
	n := 0
	for _, o := range live {
		if o.Name == t.Name {
			n++
		}
	}
	return typed(t, map[string]bool{t.Name: n > 1})
}

// typed is how a command shown to the user names t: its name, or 组名/名称
// when several live tags share it, quoted when it holds spaces; the id
// (which /merge takes) when the name cannot be typed back as shown (it
// holds quotes, reads as a +tag or a filter, …).
func typed(t store.Tag, repeated map[string]bool) string {
	name := t.Name
	if repeated[name] {
		name = t.GroupName + "/" + t.Name
	}
	if display.Name(name) != name {
		return t.ID
	}
	if strings.ContainsAny(name, "\"「」“”『』") { // quoted again it would read as a riddle
		return t.ID
	}
	for _, w := range []string{name, "「" + name + "」"} {
		if typesBack(w, name) {
			return w
		}
	}
	return t.ID
}

// typesBack reports whether w, typed as an argument of /merge, reads
// back as the one word name (not a quote, a +tag, a filter, nor
// /merge's separator).
func typesBack(w, name string) bool {
	if strings.EqualFold(name, "into") || name == "到" || name == "->" || name == "→" {
		return false
	}
	c, err := commands.Parse("/merge " + w)
	return err == nil && len(c.Args) == 1 && c.Args[0].Kind == commands.Word && c.Args[0].Value == name
}
