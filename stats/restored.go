package stats

import (
	"fmt"
	"slices"
	"time"

	"github.com/tagbot/tagbot/store"
)

// lineage maps each tag id to the id of its newest restoration (itself
// when never restored), following Tag.RestoredAs through chains: a tag
// deleted and restored (perhaps several times) is one tag to statistics,
// so the deletion's removes and the restore's adds both count, and net out.
type lineage map[string]string

// lineage reads the library, deleted tags included.
func (s *Stats) lineage() (lineage, error) {
	tags, err := s.Store.Tags(true)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	next := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.RestoredAs != "" && t.RestoredAs != t.ID {
			next[t.ID] = t.RestoredAs
		}
	}
	ln := make(lineage, len(next))
	for id := range next {
		cur, seen := id, map[string]bool{id: true}
		for {
			n, ok := next[cur]
			if !ok || seen[n] {
				break // the end of the chain (or a loop, which a sane library never has)
			}
			seen[n], cur = true, n
		}
		ln[id] = cur
	}
	return ln, nil
}

// of is the id statistics count tag id under.
func (ln lineage) of(id string) string {
	if to, ok := ln[id]; ok {
		return to
	}
	return id
}

// family is id and every older id restored into it, id first.
func (ln lineage) family(id string) []string {
	out := []string{id}
	for old, to := range ln {
		if to == id && old != id {
			out = append(out, old)
		}
	}
	slices.Sort(out[1:])
	return out
}

// familyEvents is customerEvents for tag and every tag restored into it,
// merged oldest first, each event counted under tag's id.
func (s *Stats) familyEvents(since time.Time, tag store.Tag, sc Scope) ([]event, error) {
	ln, err := s.lineage()
	if err != nil {
		return nil, err
	}
	var evs []event
	for _, id := range ln.family(tag.ID) {
		part, err := s.customerEvents(since, id, sc)
		if err != nil {
			return nil, err
		}
		for _, e := range part {
			e.tag = tag.ID
			evs = append(evs, e)
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) })
	return evs, nil
}
