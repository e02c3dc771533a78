package store

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Statistics (package stats): reads of the keys Apply maintains (tt:,
// rel:, cust:, cs:, ix:t:), a counter and an index kept in the same
// transactions, and the tag counts kept in memory (tagcounts.go), so that
// /stats on a million customers need not scan them:
//
//	sn:c          number of customers (cust: keys)
//	sn:v          version of these keys ("3": rf: keys exist too, and
//	              the tag counts are in memory: no sn:t:<tag_id> keys)
//	rf:<userid>:<external_userid>  the follower's relationships (value "")
//
// upsertCustomerTx keeps sn:c and rf:, endRelationshipTx deletes rf:; all
// are derived, so Rebuild rewrites them (rebuildCounts, derivedFollowers)
// and Open writes them for a store from before them (initCounts).

const (
	snCustomers = "sn:c"
	snVersion   = "sn:v"
	snVersionV  = "3"
)

func rfKey(follower, customer string) string { return "rf:" + follower + ":" + customer }

// derivedFollowers lists the rf: keys the rel: keys need.
func derivedFollowers(tx *txn, want map[string]map[string]string) error {
	want["rf:"] = map[string]string{}
	scan(tx, "rel:", func(k, _ string) bool {
		if cust, fol, ok := strings.Cut(k[len("rel:"):], ":"); ok {
			want["rf:"][rfKey(fol, cust)] = ""
		}
		return true
	})
	return nil
}

// addCount adds d to the counter at key (absent: 0).
func addCount(tx *txn, key string, d int) error {
	n := 0
	if v, err := tx.Get(key); err == nil {
		n, _ = strconv.Atoi(v)
	}
	_, _, err := tx.Set(key, strconv.Itoa(n+d), nil)
	return err
}

// initCounts writes the counter and rf: keys of a store that lacks them,
// and deletes the sn:t: keys of a store of sn:v "2".
func initCounts(tx *txn) error {
	switch v, _ := tx.Get(snVersion); v {
	case snVersionV:
		return nil
	case "2":
		var old []string
		scan(tx, "sn:t:", func(k, _ string) bool { old = append(old, k); return true })
		for _, k := range old {
			if _, err := tx.Delete(k); err != nil {
				return err
			}
		}
		_, _, err := tx.Set(snVersion, snVersionV, nil)
		return err
	}
	want := map[string]map[string]string{}
	if err := derivedFollowers(tx, want); err != nil {
		return err
	}
	for k := range want["rf:"] {
		if _, _, err := tx.Set(k, "", nil); err != nil {
			return err
		}
	}
	return rebuildCounts(tx, nil)
}

// rebuildCounts rewrites the sn: counters from the cust: and tt: keys,
// counting those it changed in rep (when not nil).
func rebuildCounts(tx *txn, rep *RepairReport) error {
	want := wantCounts(tx)
	var stale []string
	scan(tx, "sn:", func(k, v string) bool {
		if w, ok := want[k]; (!ok && v != "0") || (ok && w != v) {
			stale = append(stale, k) // a zero counter of a tag nobody has is right
		}
		return true
	})
	for _, k := range stale {
		if _, err := tx.Delete(k); err != nil {
			return err
		}
		if _, ok := want[k]; !ok && rep != nil {
			rep.Removed["sn"]++
		}
	}
	for k, v := range want {
		if old, err := tx.Get(k); err == nil && old == v {
			continue
		}
		if _, _, err := tx.Set(k, v, nil); err != nil {
			return err
		}
		if rep != nil && k != snCustomers && k != snVersion {
			rep.Added["sn"]++
		}
	}
	return nil
}

// wantCounts derives the sn: keys from the cust: keys.
func wantCounts(tx *txn) map[string]string {
	want := map[string]string{}
	customers := 0
	scan(tx, "cust:", func(string, string) bool { customers++; return true })
	want[snCustomers] = strconv.Itoa(customers)
	want[snVersion] = snVersionV
	return want
}

// countProblems lists, for Verify, the sn: keys that differ from what
// the cust: keys say.
func countProblems(tx *txn) []string {
	want := wantCounts(tx)
	var problems []string
	scan(tx, "sn:", func(k, v string) bool {
		if w, ok := want[k]; (!ok && v != "0") || (ok && w != v) {
			problems = append(problems, fmt.Sprintf("counter %s is %s, the keys say %s", k, v, cmp.Or(w, "0")))
		}
		delete(want, k)
		return true
	})
	for k, w := range want {
		if w != "0" {
			problems = append(problems, fmt.Sprintf("counter %s is missing, the keys say %s", k, w))
		}
	}
	return problems
}

// CustomerTotal is the number of customers, read from its counter
// (absent in a store that never had one).
func (s *Store) CustomerTotal() (int, error) {
	n := 0
	err := s.view(func(tx *txn) error {
		v, err := tx.Get(snCustomers)
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		n, err = strconv.Atoi(v)
		return err
	})
	return n, err
}

// TagCustomerCounts counts, per tag id, the customers having the tag on at
// least one relationship (once each, however many relationships carry it).
// For every relationship (follower "") it reads the counts kept in memory; with
// follower set only that employee's relationships count, read through
// their rf: keys.
func (s *Store) TagCustomerCounts(follower string) (map[string]int, error) {
	if follower == "" {
		return s.tags.snapshot(), nil // tagcounts.go
	}
	out := map[string]int{}
	err := s.view(func(tx *txn) error {
		return followerRels(tx, follower, func(r *Relationship) {
			for id := range r.Tags {
				out[id]++
			}
		})
	})
	return out, err
}

// followerRels calls fn with each of follower's relationships, in
// customer order (rf: keys).
func followerRels(tx *txn, follower string, fn func(r *Relationship)) error {
	prefix := "rf:" + follower + ":"
	var ferr error
	scan(tx, prefix, func(k, _ string) bool {
		var r *Relationship
		if r, ferr = getRel(tx, k[len(prefix):], follower); ferr != nil {
			return false
		}
		fn(r)
		return true
	})
	return ferr
}

// TagCustomers lists, per tag id of tagIDs, the customers having it on a
// relationship (only follower's when set), sorted and each once.
func (s *Store) TagCustomers(tagIDs []string, follower string) (map[string][]string, error) {
	out, _, err := s.TagCustomersAsOf(tagIDs, follower)
	return out, err
}

// TagCustomersAsOf is TagCustomers with the id the next change-set will
// get, read in the same transaction: the lists are the state after every
// change-set before it.
func (s *Store) TagCustomersAsOf(tagIDs []string, follower string) (map[string][]string, ID, error) {
	out := make(map[string][]string, len(tagIDs))
	var next ID
	err := s.view(func(tx *txn) error {
		last, err := lastCS(tx)
		if err != nil {
			return err
		}
		next = ID(last + 1)
		if follower != "" {
			for _, id := range tagIDs {
				out[id] = nil
			}
			return followerRels(tx, follower, func(r *Relationship) {
				for _, id := range tagIDs {
					if _, has := r.Tags[id]; has && (len(out[id]) == 0 || out[id][len(out[id])-1] != r.Customer) {
						out[id] = append(out[id], r.Customer)
					}
				}
			})
		}
		for _, id := range tagIDs {
			if _, done := out[id]; done {
				continue
			}
			var list []string
			scan(tx, "tt:"+id+":", func(k, _ string) bool {
				_, cust, _, ok := splitTT(k)
				if !ok {
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
	return out, next, err
}

// TagCustomer names a tag on a customer.
type TagCustomer struct{ Tag, Customer string }

// TagFollowers lists, for each pair, the followers whose relationship with
// the customer has the tag now, in order; in one read transaction.
func (s *Store) TagFollowers(pairs []TagCustomer) (map[TagCustomer][]string, error) {
	out := make(map[TagCustomer][]string, len(pairs))
	err := s.view(func(tx *txn) error {
		for _, p := range pairs {
			prefix := "tt:" + p.Tag + ":" + p.Customer + ":"
			var fols []string
			scan(tx, prefix, func(k, _ string) bool {
				fols = append(fols, k[len(prefix):])
				return true
			})
			out[p] = fols
		}
		return nil
	})
	return out, err
}

// FollowedCount counts the customers follower has a relationship with.
func (s *Store) FollowedCount(follower string) (int, error) {
	n := 0
	err := s.view(func(tx *txn) error {
		scan(tx, "rf:"+follower+":", func(string, string) bool { n++; return true })
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
	return s.suggestionCounts(since, follower)
}
