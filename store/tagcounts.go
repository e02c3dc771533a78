package store

import (
	"fmt"
	"maps"
	"sort"
	"sync"
)

// Tag counts: per tag, the number of customers having it on any
// relationship (/stats). They are kept in memory, not in keys, so that
// Apply writes no counter per tag it changes: Open derives them from the
// tt: keys (one pass, in key order: tag, then customer), and a write
// transaction's changes are added when it commits. A crash loses nothing:
// the next Open derives them again from the keys the committed
// transactions left. Until sn:v "3" a store kept them in sn:t:<tag_id>
// keys; Open deletes those (initCounts).

// tagCounts holds the counts; nonzero only.
type tagCounts struct {
	mu sync.RWMutex
	n  map[string]int
}

// tagDelta is one transaction's change to a tag's count.
type tagDelta struct {
	tag string
	d   int
}

func (c *tagCounts) get(tag string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.n[tag]
}

func (c *tagCounts) snapshot() map[string]int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.n == nil {
		return map[string]int{}
	}
	return maps.Clone(c.n)
}

// commit adopts what a committed transaction did: all the counts anew
// (set, when not nil), then its changes.
func (c *tagCounts) commit(set map[string]int, ds []tagDelta) {
	if set == nil && len(ds) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if set != nil {
		c.n = set
	}
	if c.n == nil {
		c.n = map[string]int{}
	}
	for _, d := range ds {
		if n := c.n[d.tag] + d.d; n != 0 {
			c.n[d.tag] = n
		} else {
			delete(c.n, d.tag)
		}
	}
}

// countTagTx counts the change project makes when it adds (before its tt:
// key is set) or removes (after its tt: key is deleted) the tag on one of a
// customer's relationships: the count moves only when the customer gains
// its first or loses its last relationship with the tag. prefix is
// "tt:<tag>:<customer>:" (ttCustomerPrefix).
func countTagTx(tx *txn, tagID, prefix string, add bool) error {
	if anyKey(tx, prefix) {
		return nil
	}
	d := -1
	if add {
		d = 1
	}
	if tx.tagDelta == nil {
		tx.tagDelta = tx.tdbuf[:0]
	}
	tx.tagDelta = append(tx.tagDelta, tagDelta{tagID, d})
	return nil
}

// deriveTagCounts counts, per tag, the customers of the tt: keys.
func deriveTagCounts(tx *txn) map[string]int {
	counts := map[string]int{}
	var lastTag, lastCust string
	scan(tx, "tt:", func(k, _ string) bool {
		if tag, cust, _, ok := splitTT(k); ok && (tag != lastTag || cust != lastCust) {
			lastTag, lastCust = tag, cust
			counts[tag]++
		}
		return true
	})
	return counts
}

// tagCountDiffs lists the tags whose count in memory (have) differs from
// the keys' (want), sorted.
func tagCountDiffs(have, want map[string]int) []string {
	var tags []string
	for t, n := range want {
		if have[t] != n {
			tags = append(tags, t)
		}
	}
	for t := range have {
		if _, ok := want[t]; !ok {
			tags = append(tags, t)
		}
	}
	sort.Strings(tags)
	return tags
}

// tagCountProblems lists, for Verify, the counts in memory that differ
// from what the tt: keys say.
func (s *Store) tagCountProblems(tx *txn) []string {
	have, want := s.tags.snapshot(), deriveTagCounts(tx)
	var problems []string
	for _, t := range tagCountDiffs(have, want) {
		problems = append(problems, fmt.Sprintf("count of tag %s is %d, the tt: keys say %d", t, have[t], want[t]))
	}
	return problems
}

// recountTags derives the counts again in a transaction that rewrote tt:
// keys (Rebuild), counting the tags whose count changes in rep.
func (s *Store) recountTags(tx *txn, rep *RepairReport) {
	have, want := s.tags.snapshot(), deriveTagCounts(tx)
	for _, t := range tagCountDiffs(have, want) {
		if want[t] == 0 {
			rep.Removed["sn"]++
		} else {
			rep.Added["sn"]++
		}
	}
	tx.tagSet = want
}
