package commands

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/internal/suggest"
	"github.com/tagbot/tagbot/store"
)

// similarTags returns up to n tag names close to name: substrings either
// way, or within an edit distance of a third of the name (at least 1).
func similarTags(name string, live []store.Tag, n int) []string {
	type cand struct {
		name string
		d    int
	}
	lname := strings.ToLower(name)
	limit := max(1, len([]rune(name))/3)
	seen := map[string]bool{}
	var cands []cand
	for _, t := range live {
		if seen[t.Name] {
			continue
		}
		lt := strings.ToLower(t.Name)
		d := suggest.Distance(lname, lt)
		if strings.Contains(lt, lname) || strings.Contains(lname, lt) {
			d = min(d, 1)
		}
		if d <= limit {
			seen[t.Name] = true
			cands = append(cands, cand{t.Name, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	var out []string
	for i := 0; i < len(cands) && i < n; i++ {
		out = append(out, cands[i].name)
	}
	return out
}

// quoteNames formats names as 「a」「b」.
func quoteNames(names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString("「" + dn(n) + "」")
	}
	return b.String()
}

// refNames formats tag refs as 「a」「b」.
func refNames(refs []store.TagRef) string {
	var b strings.Builder
	for _, t := range refs {
		b.WriteString("「" + nameOf(t) + "」")
	}
	return b.String()
}

// refs turns tags into the refs a change-set names.
func refs(tags []store.Tag) []store.TagRef {
	if len(tags) == 0 {
		return nil
	}
	out := make([]store.TagRef, len(tags))
	for i, t := range tags {
		out[i] = t.Ref()
	}
	return out
}

// changeText is "+高意向 -低意向" for a change-set.
func changeText(cs store.ChangeSet) string {
	var parts []string
	for _, t := range cs.Add {
		parts = append(parts, "+"+nameOf(t))
	}
	for _, t := range cs.Remove {
		parts = append(parts, "-"+nameOf(t))
	}
	return strings.Join(parts, " ")
}

// nameOf is a tag's name as replies show it, or its id when it has none.
func nameOf(t store.TagRef) string {
	if n := dn(t.Name); n != "" {
		return n
	}
	return dn(t.ID)
}

// deniedRunes bounds the reason of a refused attempt in a ledger line.
const deniedRunes = 80

// csLine is one ledger line: "11-21 15:04 zhangsan +高意向 -低意向 王小明 [command] #12".
func (r *Router) csLine(cs store.ChangeSet, customer string) string {
	line := fmt.Sprintf("%s %s %s %s [%s] #%d", r.tf.at(cs.Time), dn(cs.Actor), changeText(cs), customer, dn(string(cs.Source)), cs.ID)
	if cs.Follower != cs.Actor {
		line += "（跟进人 " + dn(cs.Follower) + "）"
	}
	if cs.Reverts != 0 {
		line += fmt.Sprintf("（撤销 #%d）", cs.Reverts)
	}
	if cs.Forced {
		line += "（强制）"
	}
	if strings.HasPrefix(cs.Batch, store.BackgroundBatchPrefix) { // /undo <batch> takes it back whole
		line += "（批次 " + dn(cs.Batch) + "）"
	}
	if cs.Denied != "" {
		line += "（被拒绝：" + display.Line(cs.Denied, deniedRunes) + "）"
	}
	if (cs.Source == store.SourceRule || cs.Source == store.SourceLLM) && cs.Reason != "" {
		line += "（依据：" + display.Line(cs.Reason, evidenceRunes) + "）" // why a suggested tag is there
	}
	return line
}

// evidenceRunes is how much of a suggestion's evidence a history line shows
// (/history cs:N shows all of it).
const evidenceRunes = 40

// matchTags finds the tags called name: exactly, else ignoring case, else
// written as 组名/标签.
func matchTags(name string, tags []store.Tag) []store.Tag {
	match := func(eq func(t store.Tag) bool) []store.Tag {
		var out []store.Tag
		for _, t := range tags {
			if eq(t) {
				out = append(out, t)
			}
		}
		return out
	}
	found := match(func(t store.Tag) bool { return t.Name == name })
	if len(found) == 0 {
		found = match(func(t store.Tag) bool { return strings.EqualFold(t.Name, name) })
	}
	if len(found) == 0 {
		if i := strings.IndexAny(name, "/:：／"); i > 0 {
			group, tag := name[:i], strings.TrimLeft(name[i:], "/:：／")
			found = match(func(t store.Tag) bool { return t.GroupName == group && t.Name == tag })
		}
	}
	return found
}

// tagLib finds the tags users name in the tag library: live ones for
// changes, live and deleted ones for history. 标签库查找。
type tagLib struct {
	st *store.Store
	tf timeFormat
}

// resolve finds the live tag a user means by name: exact, then
// case-insensitive, then "组名/标签" (or 组名:标签) when a name repeats
// across groups. Unknown names get a did-you-mean reply.
func (l tagLib) resolve(name string, live []store.Tag) (store.Tag, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return store.Tag{}, userErr(CodeUsage, "标签名不能为空。")
	}
	found := matchTags(name, live)
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return store.Tag{}, l.unknown(name, live)
	}
	groups := make([]string, len(found))
	for i, t := range found {
		groups[i] = t.GroupName
	}
	return store.Tag{}, userErr(CodeAmbiguous, "「%s」在多个标签组里：%s。请写成 +%s/%s 这样。",
		clip(name), names(groups, "、"), dn(groups[0]), dn(found[0].Name))
}

// resolveAll resolves each written tag name to a live tag.
func (l tagLib) resolveAll(names []string) ([]store.Tag, error) {
	live, err := l.st.Tags(false)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	out := make([]store.Tag, len(names))
	for i, n := range names {
		if out[i], err = l.resolve(n, live); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// resolveList resolves one written tag, or a list "高意向，官网" (every
// part with the same sign) when the whole is not a tag name.
func (l tagLib) resolveList(name string, live []store.Tag) ([]store.Tag, error) {
	t, err := l.resolve(name, live)
	if err == nil || !strings.ContainsAny(name, listSeps) {
		if err != nil {
			return nil, err
		}
		return []store.Tag{t}, nil
	}
	var out []store.Tag
	for _, part := range strings.FieldsFunc(name, func(c rune) bool { return strings.ContainsRune(listSeps, c) }) {
		t, err := l.resolve(part, live)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, err
	}
	return out, nil
}

// tagRef is how a command shown back to the user names t: its name when
// it is typed as shown, else its id (/restore takes either).
func tagRef(t store.Tag) string {
	if dn(t.Name) == t.Name { // shown as typed: nothing invisible, not cut
		return quoteIf(t.Name, needsQuote(t.Name))
	}
	return quoteIf(dn(t.ID), needsQuote(dn(t.ID)))
}

// unknown explains a tag name the library lacks: deleted (and how to
// restore it), or the closest names.
func (l tagLib) unknown(name string, live []store.Tag) error {
	if del, err := l.st.DeletedTagsByName(name); err == nil && len(del) > 0 {
		return userErr(CodeUnknownTag, "标签「%s」已在 %s 从标签库删除。管理员可以用 /restore tag %s 恢复。",
			dn(name), l.tf.at(del[0].DeletedAt), tagRef(del[0]))
	}
	near := similarTags(name, live, 3)
	if len(near) == 0 {
		return userErr(CodeUnknownTag, "没有标签「%s」。发送 /groups 查看标签库。", clip(name))
	}
	return userErr(CodeUnknownTag, "没有标签「%s」。相近的有：%s（/groups 查看标签库）", clip(name), quoteNames(near))
}

// everNamed finds every tag, live or deleted, a /history tag:X means:
// those named X (exactly, else ignoring case, else "组名/X"), in one group.
func (l tagLib) everNamed(name string) ([]store.Tag, error) {
	name = strings.TrimSpace(name)
	all, err := l.st.Tags(true)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	found := matchTags(name, all)
	if len(found) == 0 {
		live, err := l.st.Tags(false)
		if err != nil {
			return nil, fmt.Errorf("read tags: %w", err)
		}
		_, err = l.resolve(name, live)
		if err == nil { // cannot happen: a live tag is among all
			err = userErr(CodeUnknownTag, "没有标签「%s」。发送 /groups 查看标签库。", clip(name))
		}
		return nil, err
	}
	var groups []string
	for _, t := range found {
		if !slices.Contains(groups, t.GroupName) {
			groups = append(groups, t.GroupName)
		}
	}
	if len(groups) > 1 {
		return nil, userErr(CodeAmbiguous, "「%s」在多个标签组里：%s。请写成 tag:%s/%s 这样。",
			clip(name), names(groups, "、"), dn(groups[0]), dn(found[0].Name))
	}
	return found, nil
}

// hasOtherInGroup reports whether rel has a tag of t's group other than t.
func (l tagLib) hasOtherInGroup(rel store.Relationship, t store.Tag) bool {
	for id := range rel.Tags {
		if id == t.ID {
			continue
		}
		if other, err := l.st.Tag(id); err == nil && other.GroupName == t.GroupName {
			return true
		}
	}
	return false
}
