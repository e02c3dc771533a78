package store

import (
	"strings"
	"time"
)

// Reads for statistics (package stats). They only read the keys Apply
// already maintains (tt:, rel:, cust:, cs:, ix:t:); statistics add no keys
// of their own, so nothing here needs Rebuild.

// TagCustomerCounts counts, per tag id, the customers having the tag on at
// least one relationship (once each, however many relationships carry it).
// With follower set only that employee's relationships count. It walks the
// tt: keys once, in order, so a customer's relationships are adjacent.
func (s *Store) TagCustomerCounts(follower string) (map[string]int, error) {
	out := map[string]int{}
	err := s.view(func(tx *txn) error {
		var lastTag, lastCust string
		scan(tx, "tt:", func(k, _ string) bool {
			tag, cust, fol, ok := splitTT(k)
			if !ok || (follower != "" && fol != follower) {
				return true
			}
			if tag == lastTag && cust == lastCust {
				return true
			}
			lastTag, lastCust = tag, cust
			out[tag]++
			return true
		})
		return nil
	})
	return out, err
}

// TagCustomers lists, per tag id of tagIDs, the customers having it on a
// relationship (only follower's when set), sorted and each once.
func (s *Store) TagCustomers(tagIDs []string, follower string) (map[string][]string, error) {
	out := make(map[string][]string, len(tagIDs))
	err := s.view(func(tx *txn) error {
		for _, id := range tagIDs {
			if _, done := out[id]; done {
				continue
			}
			var list []string
			scan(tx, "tt:"+id+":", func(k, _ string) bool {
				_, cust, fol, ok := splitTT(k)
				if !ok || (follower != "" && fol != follower) {
					return true
				}
				if n := len(list); n == 0 || list[n-1] != cust {
					list = append(list, cust)
				}
				return true
			})
			out[id] = list
		}
		return nil
	})
	return out, err
}

// TagFollowers lists the followers whose relationship with customer has
// the tag now, in order.
func (s *Store) TagFollowers(tagID, customer string) ([]string, error) {
	var out []string
	err := s.view(func(tx *txn) error {
		prefix := "tt:" + tagID + ":" + customer + ":"
		scan(tx, prefix, func(k, _ string) bool {
			out = append(out, k[len(prefix):])
			return true
		})
		return nil
	})
	return out, err
}

// FollowedCount counts the customers follower has a relationship with.
func (s *Store) FollowedCount(follower string) (int, error) {
	n := 0
	err := s.view(func(tx *txn) error {
		suffix := ":" + follower
		scan(tx, "rel:", func(k, _ string) bool {
			if strings.HasSuffix(k, suffix) && strings.Count(k, ":") == 2 {
				n++
			}
			return true
		})
		return nil
	})
	return n, err
}

// ChangeSetsBetween calls fn with every change-set (denied attempts
// included) whose time is in [since, until), oldest first, until fn
// returns false. A zero since means the start of the ledger, a zero until
// its end. With tagID set it walks that tag's index (ix:t:) instead of the
// whole ledger. Time maps to ids by binary search (ledger times never go
// backwards), so the cost grows with the window, not the ledger.
func (s *Store) ChangeSetsBetween(since, until time.Time, tagID string, fn func(cs *ChangeSet) bool) error {
	return s.view(func(tx *txn) error {
		lo, hi, err := idRange(tx, Query{Since: since, Until: until}, true)
		if err != nil || lo > hi {
			return err
		}
		prefix := "cs:"
		if tagID != "" {
			prefix = "ix:t:" + tagID + ":"
		}
		var ferr error
		tx.AscendRange("", seqKey(prefix, uint64(lo)), seqKey(prefix, uint64(hi)+1), func(k, v string) bool {
			var cs ChangeSet
			if prefix == "cs:" {
				ferr = decode(k, v, &cs)
			} else {
				cs, ferr = indexed(tx, k, prefix)
			}
			if ferr != nil {
				return false
			}
			return fn(&cs)
		})
		return ferr
	})
}

// splitTT splits a tt:<tag>:<customer>:<follower> key.
func splitTT(k string) (tag, cust, fol string, ok bool) {
	rest, ok := strings.CutPrefix(k, "tt:")
	if !ok {
		return "", "", "", false
	}
	tag, rest, ok = strings.Cut(rest, ":")
	if !ok {
		return "", "", "", false
	}
	cust, fol, ok = strings.Cut(rest, ":")
	return tag, cust, fol, ok
}

// SuggestionCounts is SuggestionStats narrowed to one follower's
// suggestions when follower is set: per rule and status, the suggestions
// created at or after since.
func (s *Store) SuggestionCounts(since time.Time, follower string) (map[string]map[SuggestionStatus]int, error) {
	if follower == "" {
		return s.SuggestionStats(since)
	}
	out := map[string]map[SuggestionStatus]int{}
	err := s.view(func(tx *txn) error {
		var ferr error
		tx.DescendLessOrEqual("", "sg:~", func(k, v string) bool {
			if !strings.HasPrefix(k, "sg:") {
				return false
			}
			var sg Suggestion
			if ferr = decode(k, v, &sg); ferr != nil {
				return false
			}
			if sg.Created.Before(since) {
				return false // sequence order is creation order
			}
			if sg.Follower == follower {
				if out[sg.Rule] == nil {
					out[sg.Rule] = map[SuggestionStatus]int{}
				}
				out[sg.Rule][sg.Status]++
			}
			return true
		})
		return ferr
	})
	return out, err
}
