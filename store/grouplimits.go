package store

import (
	"fmt"
	"slices"
	"strings"
)

// Group limits (config groups.<组名>.exclusive / max), enforced on every
// row of a background job inside the transaction that applies it, so a
// change made between planning and running cannot leave two tags of an
// exclusive group or more than max. 标签组上限。

// GroupLimit is the policy of one tag group the store enforces on job rows.
type GroupLimit struct {
	// Max is the most tags of the group per relationship (1 for an
	// exclusive group); 0 is no limit.
	Max int
	// Exclusive: adding a tag of the group by /bulk, an import or a
	// lifecycle rule takes the group's other tags off, as /tag does.
	Exclusive bool
}

// SetGroupLimits replaces the group limits, by group name (app sets them
// from config at start and on reload). nil clears them.
func (s *Store) SetGroupLimits(limits map[string]GroupLimit) {
	m := make(map[string]GroupLimit, len(limits))
	for g, l := range limits {
		if l.Exclusive {
			l.Max = 1
		}
		if l.Max > 0 {
			m[g] = l
		}
	}
	s.limits.Store(&m)
}

// GroupLimit is the limit of group (zero when none).
func (s *Store) GroupLimit(group string) GroupLimit {
	if m := s.limits.Load(); m != nil {
		return (*m)[group]
	}
	return GroupLimit{}
}

// autoExclusive reports whether rows of source take an exclusive group's
// other tags off when they add one (as /tag does): bulk, import and
// lifecycle. Undo and merge rows are not re-planned: they fail instead.
func autoExclusive(src Source) bool {
	return src == SourceBulk || src == SourceImport || src == SourceLifecycle
}

// exclusiveExtra returns the tags of rel that cs's adds of exclusive
// groups take off (not already in cs.Remove), for autoExclusive rows.
func (s *Store) exclusiveExtra(tx *txn, rel *Relationship, cs *ChangeSet) ([]TagRef, error) {
	keep := map[string]string{} // group → the tag cs adds
	for _, r := range cs.Add {
		t, err := getTag(tx, r.ID)
		if err != nil {
			return nil, nil // normalise reports it
		}
		if s.GroupLimit(t.GroupName).Exclusive {
			keep[t.GroupName] = t.ID
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}
	var out []TagRef
	for _, id := range sortedKeys(rel.Tags) {
		t, err := getTag(tx, id)
		if err != nil {
			continue
		}
		k, ok := keep[t.GroupName]
		if !ok || k == id || slices.ContainsFunc(cs.Remove, func(r TagRef) bool { return r.ID == id }) {
			continue
		}
		out = append(out, t.Ref())
	}
	return out, nil
}

// overLimit is the refusal (Chinese, safe for users) of a change-set
// that would give rel more tags of a group than its limit and more than
// it has now; "" when within the limits or no worse than before.
func (s *Store) overLimit(tx *txn, rel *Relationship, cs *ChangeSet) (string, error) {
	if s.limits.Load() == nil {
		return "", nil
	}
	removed := map[string]bool{}
	for _, r := range cs.Remove {
		removed[r.ID] = true
	}
	added := map[string]bool{}
	var groups []string
	for _, r := range cs.Add {
		if _, has := rel.Tags[r.ID]; has || added[r.ID] {
			continue
		}
		t, err := getTag(tx, r.ID)
		if err != nil {
			return "", nil // normalise reports it
		}
		added[r.ID] = true
		if !slices.Contains(groups, t.GroupName) {
			groups = append(groups, t.GroupName)
		}
	}
	for _, g := range groups {
		limit := s.GroupLimit(g).Max
		if limit == 0 {
			continue
		}
		before, after := 0, 0
		var have []string
		for _, id := range sortedKeys(rel.Tags) {
			t, err := getTag(tx, id)
			if err != nil || t.GroupName != g {
				continue
			}
			before++
			have = append(have, "「"+t.Name+"」")
			if !removed[id] {
				after++
			}
		}
		for id := range added {
			if t, err := getTag(tx, id); err == nil && t.GroupName == g {
				after++
			}
		}
		if after > limit && after > before {
			if len(have) == 0 {
				have = []string{"（没有）"}
			}
			return fmt.Sprintf("标签组「%s」最多 %d 个标签，客户已有%s", g, limit, strings.Join(have, "")), nil
		}
	}
	return "", nil
}
