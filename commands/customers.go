package commands

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// customerDir answers what commands ask about customers and their
// relationships: how to name one, whether a text names one exactly, who
// has given tags. It reads the store only and leaves visibility to the
// Viewer it is given. 客户查询。
type customerDir struct {
	st *store.Store
}

// describe is "王小明（小明科技，备注 王总）": the remark is the
// user's own when they follow the customer, else the first one set.
func (d customerDir) describe(c store.Customer, user string) string {
	var extra []string
	if c.CorpName != "" {
		extra = append(extra, dn(c.CorpName))
	}
	if rels, err := d.st.Relationships(c.ID); err == nil {
		remark := ""
		for _, rel := range rels {
			if rel.Remark != "" && (remark == "" || rel.Follower == user) {
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
// name, a remark or a mobile (case and surrounding spaces aside), rather
// than a part of one.
func (d customerDir) exactMatch(c store.Customer, text string) bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	q := norm(text)
	if text == c.ID || q == norm(c.Name) {
		return true
	}
	rels, err := d.st.Relationships(c.ID)
	if err != nil {
		return false
	}
	for _, rel := range rels {
		if q == norm(rel.Remark) || slices.ContainsFunc(rel.Mobiles, func(m string) bool { return q == norm(m) }) {
			return true
		}
	}
	return false
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
