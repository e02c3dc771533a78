package commands

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/tagbot/tagbot/store"
)

// customerDir answers what commands ask about customers and their
// relationships: how to name one, whether a text names one exactly, who
// has given tags. It reads the store only and leaves visibility to the
// Viewer it is given. 客户查询。
type customerDir struct {
	st *store.Store
}

// describe is "王小明（小明科技，备注 王总）". The remark is one the
// viewer sees: an employee's own (never a colleague's), for managers and
// admins their own when set, else the first one set.
func (d customerDir) describe(c store.Customer, v Viewer) string {
	var extra []string
	if c.CorpName != "" {
		extra = append(extra, dn(c.CorpName))
	}
	if rels, err := d.st.Relationships(c.ID); err == nil {
		remark := ""
		for _, rel := range v.Relationships(rels) {
			if rel.Remark != "" && (remark == "" || rel.Follower == v.User) {
				remark = rel.Remark
			}
		}
		if remark != "" && remark != c.Name {
			extra = append(extra, "备注 "+dn(remark))
		}
	}
	name := displayName(c)
	if len(extra) == 0 {
		return name
	}
	return name + "（" + strings.Join(extra, "，") + "）"
}

// name names a customer for replies, falling back to its id.
func (d customerDir) name(id string) string {
	if c, err := d.st.Customer(id); err == nil {
		return displayName(c)
	}
	return dn(id)
}

// exactMatch reports whether text names c exactly: its external_userid,
// name, or a remark or mobile of a relationship v sees (case and
// surrounding spaces aside), rather than a part of one.
func (d customerDir) exactMatch(v Viewer, c store.Customer, text string) bool {
	return d.matches(v, c, text, func(s, q string) bool { return s == q })
}

// visible keeps the customers of found that text matches through what v
// sees: the store also matches colleagues' remarks and mobiles, which an
// employee may neither see nor search by. Managers and admins keep all.
func (d customerDir) visible(v Viewer, found []store.Customer, text string) []store.Customer {
	if v.SeesAll() {
		return found
	}
	var out []store.Customer
	for _, c := range found {
		if d.matches(v, c, text, strings.Contains) {
			out = append(out, c)
		}
	}
	return out
}

// matches reports whether text matches c's id, name, or a remark or mobile
// of a relationship v sees, comparing folded texts with match(s, q).
func (d customerDir) matches(v Viewer, c store.Customer, text string, match func(s, q string) bool) bool {
	q := foldText(text)
	if text == c.ID || match(foldText(c.Name), q) {
		return true
	}
	rels, err := d.st.Relationships(c.ID)
	if err != nil {
		return false
	}
	for _, rel := range v.Relationships(rels) {
		if match(foldText(rel.Remark), q) || slices.ContainsFunc(rel.Mobiles, func(m string) bool { return match(foldText(m), q) }) {
			return true
		}
	}
	return false
}

// foldText folds text for matching as the store's customer lookup does:
// ':' and control characters become spaces, case and outer spaces go.
func foldText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ':' || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.ToLower(strings.TrimSpace(s))
}

// selectIDs lists the customers having every tag of include and none of
// exclude as /stats counts them: over the tags of all the relationships v
// sees together (managers and admins: every follower's; employees: their
// own), so a customer with A from one follower and B from another has
// both. It reads the tag index only; the order is the store's.
func (d customerDir) selectIDs(v Viewer, include, exclude []store.Tag) ([]string, error) {
	follower := ""
	if !v.SeesAll() {
		follower = v.User
	}
	var inc, exc []string
	for _, t := range include {
		if !slices.Contains(inc, t.ID) {
			inc = append(inc, t.ID)
		}
	}
	for _, t := range exclude {
		exc = append(exc, t.ID)
	}
	lists, err := d.st.TagCustomers(append(slices.Clone(inc), exc...), follower)
	if err != nil {
		return nil, fmt.Errorf("customers with tags: %w", err)
	}
	return pickIDs(lists, inc, exc), nil
}

// pickIDs keeps the customers on every list of inc and on none of exc,
// in the order of the shortest list of inc. Each list holds a customer
// once.
func pickIDs(lists map[string][]string, inc, exc []string) []string {
	if len(inc) == 0 {
		return nil
	}
	base := slices.MinFunc(inc, func(a, b string) int { return len(lists[a]) - len(lists[b]) })
	if len(inc) == 1 && len(exc) == 0 {
		return lists[base]
	}
	held := make(map[string]int, len(lists[base])) // customer → lists of inc holding it; -1: excluded
	for _, c := range lists[base] {
		held[c] = 1
	}
	for _, id := range inc {
		if id == base {
			continue
		}
		for _, c := range lists[id] {
			if n, ok := held[c]; ok && n > 0 {
				held[c] = n + 1
			}
		}
	}
	for _, id := range exc {
		for _, c := range lists[id] {
			if _, ok := held[c]; ok {
				held[c] = -1
			}
		}
	}
	var out []string
	for _, c := range lists[base] {
		if held[c] == len(inc) {
			out = append(out, c)
		}
	}
	return out
}

// selected is a customer a selection picked, with the relationships of
// it the viewer sees.
type selected struct {
	customer store.Customer
	rels     []store.Relationship
}

// load reads the customers of ids, in order, with the relationships v
// sees, keeping those whose name or one of those remarks contains text
// (case aside; every one when text is ""), at most limit (0: no limit).
// A customer gone since ids were listed is left out.
func (d customerDir) load(v Viewer, ids []string, text string, limit int) ([]selected, error) {
	text = strings.ToLower(text)
	var out []selected
	for _, id := range ids {
		if limit > 0 && len(out) >= limit {
			break
		}
		c, err := d.st.Customer(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read customer: %w", err)
		}
		rels, err := d.st.Relationships(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read relationships: %w", err)
		}
		s := selected{customer: c, rels: v.Relationships(rels)}
		if text != "" && !s.contains(text) {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// contains reports whether the customer's name or one of the remarks
// seen contains text (lower case).
func (s selected) contains(text string) bool {
	if strings.Contains(strings.ToLower(s.customer.Name), text) {
		return true
	}
	return slices.ContainsFunc(s.rels, func(r store.Relationship) bool { return strings.Contains(strings.ToLower(r.Remark), text) })
}

// followersWith lists, sorted, the followers seen whose relationship has
// one of tags (every follower seen when tags is empty).
func (s selected) followersWith(tags []store.Tag) []string {
	var out []string
	for _, r := range s.rels {
		if len(tags) == 0 || slices.ContainsFunc(tags, func(t store.Tag) bool { _, has := r.Tags[t.ID]; return has }) {
			out = append(out, r.Follower)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
