package commands

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// groups.<组名>.max: at most N tags of a group per relationship. Every
// writer reaches it through exclusiveRemovals (/tag, suggestions,
// ExtRequest.CheckTags) or overLimit (undo, redo, rollback), so it is
// checked in one place. 限选数量。

// maxTags is the most tags of group a relationship may have; 0 is no limit.
func (p *perms) maxTags(group string) int {
	pol := p.groups[group]
	if pol.exclusive {
		return 1
	}
	return pol.max
}

// overLimit returns the first group that tags (a relationship's tags after
// a change, by id) hold more of than its max allows, among the groups of
// touched (the groups the change adds to): its limit, how many it would
// have (n) and the group's tags the relationship has now (of have). ok
// false when every group is within its limit.
func (r *Router) overLimit(after map[string]bool, touched []string, have map[string]store.Tag) (group string, limit, n int, current []store.Tag, ok bool) {
	for _, g := range touched {
		limit := r.perms.maxTags(g)
		if limit == 0 {
			continue
		}
		n := 0
		for id := range after {
			if t, err := r.st.Tag(id); err == nil && t.GroupName == g {
				n++
			}
		}
		if n <= limit {
			continue
		}
		for _, t := range have {
			if t.GroupName == g {
				current = append(current, t)
			}
		}
		slices.SortFunc(current, func(a, b store.Tag) int { return strings.Compare(a.Name, b.Name) })
		return g, limit, n, current, true
	}
	return "", 0, 0, nil, false
}

// checkMax refuses a change (add, remove, auto: the exclusive removals)
// on rel that would give a group more tags than its max, naming the tags
// the customer has now and how to make room (ref names the customer for
// the example, see custRef).
func (r *Router) checkMax(rel store.Relationship, add, remove []store.Tag, ref string) error {
	after, touched, have := r.afterChange(rel, add, remove)
	g, limit, _, current, over := r.overLimit(after, touched, have)
	if !over {
		return nil
	}
	example := "/untag " + ref + " 标签"
	if len(current) > 0 {
		example = "/untag " + ref + " " + tagRef(current[0])
	}
	return userErr(CodeConflict, "标签组「%s」最多选 %d 个标签，这位客户现在已有%s，不能再加。请先去掉一个再加，例如 %s",
		dn(g), limit, tagList(current), example)
}

// afterChange is rel's tag ids after adding add and removing remove, the
// groups add touches, and rel's tags now by id.
func (r *Router) afterChange(rel store.Relationship, add, remove []store.Tag) (after map[string]bool, touched []string, have map[string]store.Tag) {
	after, have = map[string]bool{}, map[string]store.Tag{}
	for id := range rel.Tags {
		after[id] = true
		if t, err := r.st.Tag(id); err == nil {
			have[id] = t
		}
	}
	for _, t := range remove {
		delete(after, t.ID)
	}
	seen := map[string]bool{}
	for _, t := range add {
		after[t.ID] = true
		if !seen[t.GroupName] {
			seen[t.GroupName] = true
			touched = append(touched, t.GroupName)
		}
	}
	return after, touched, have
}

// tagList is 「a」「b」, or 「（没有）」.
func tagList(tags []store.Tag) string {
	if len(tags) == 0 {
		return "（没有）"
	}
	var b strings.Builder
	for _, t := range tags {
		b.WriteString("「" + dn(t.Name) + "」")
	}
	return b.String()
}

// maxDenial is checkMax for undo, redo and rollback (which record refused
// attempts): nil when within the limits.
func (r *Router) maxDenial(rel store.Relationship, add, remove []store.Tag, what string) *denial {
	after, touched, have := r.afterChange(rel, add, remove)
	g, limit, n, current, over := r.overLimit(after, touched, have)
	if !over {
		return nil
	}
	now := ""
	if len(current) > 0 {
		now = "（现在已有" + tagList(current) + "）"
	}
	return &denial{
		Reply: fmt.Sprintf("%s会让标签组「%s」有 %d 个标签，超过上限 %d 个%s。请先用 /untag 去掉多余的再试。",
			what, dn(g), n, limit, now),
		Record: fmt.Sprintf("标签组「%s」最多 %d 个标签", g, limit),
	}
}

// requiredGroups lists the required groups, sorted.
func (p *perms) requiredGroups() []string {
	var out []string
	for _, g := range slices.Sorted(maps.Keys(p.groups)) {
		if p.groups[g].required {
			out = append(out, g)
		}
	}
	return out
}

// missingRequired lists, sorted, the required groups v sees that have live
// tags in lib (a group without tags cannot be filled) and none on rel.
func (r *Router) missingRequired(v Viewer, rel store.Relationship, lib []store.Tag) []string {
	req := r.perms.requiredGroups()
	if len(req) == 0 {
		return nil
	}
	live, has := map[string]bool{}, map[string]bool{}
	for _, t := range lib {
		if t.Deleted {
			continue
		}
		live[t.GroupName] = true
		if _, on := rel.Tags[t.ID]; on {
			has[t.GroupName] = true
		}
	}
	var out []string
	for _, g := range req {
		if live[g] && !has[g] && v.SeesGroup(g) {
			out = append(out, g)
		}
	}
	return out
}

// requiredNote is the line /tag adds when its removals left required
// groups empty on the relationship ("" when none did); ref names the
// customer for the example.
func (r *Router) requiredNote(v Viewer, cs store.ChangeSet, ref string) string {
	if len(cs.Remove) == 0 {
		return ""
	}
	rel, err := r.st.Relationship(cs.Customer, cs.Follower)
	if err != nil {
		return ""
	}
	lib, err := r.st.Tags(false)
	if err != nil {
		return ""
	}
	var emptied []string
	for _, g := range r.missingRequired(v, rel, lib) {
		if slices.ContainsFunc(cs.Remove, func(t store.TagRef) bool { return t.Group == g }) {
			emptied = append(emptied, "「"+dn(g)+"」")
		}
	}
	if len(emptied) == 0 {
		return ""
	}
	return fmt.Sprintf("\n标签组%s是必选的，这位客户现在没有这一组的标签了。请补一个：/tag %s +标签（/groups 查看可选的标签）",
		strings.Join(emptied, ""), ref)
}
