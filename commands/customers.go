package commands

import (
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

// withTags returns up to limit relationships the viewer sees
// that have every one of tags and, when text is set, a customer name or
// remark containing it (ignoring case).
func (d customerDir) withTags(v Viewer, tags []store.Tag, text string, limit int) ([]tagHit, error) {
	ids := make([]string, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
	}
	var hits []tagHit
	for after := ""; len(hits) < limit; {
		chunk, err := d.st.CustomersWithTags(ids, after, 200)
		if err != nil {
			return nil, fmt.Errorf("customers with tags: %w", err)
		}
		for _, rel := range chunk {
			if !v.SeesRelationship(rel.Follower) {
				continue
			}
			c, err := d.st.Customer(rel.Customer)
			if err != nil {
				return nil, fmt.Errorf("read customer: %w", err)
			}
			if text != "" && !strings.Contains(strings.ToLower(c.Name+" "+rel.Remark), strings.ToLower(text)) {
				continue
			}
			hits = append(hits, tagHit{rel: rel, customer: c})
		}
		if len(chunk) < 200 {
			break
		}
		last := chunk[len(chunk)-1]
		after = last.Customer + ":" + last.Follower
	}
	return hits, nil
}
