package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Query selects change-sets for History. At most one of Customer, Actor, Tag
// and Batch picks the index; the others filter. Zero values mean "any".
type Query struct {
	Customer string
	Follower string // only with Customer
	Actor    string
	Tag      string // tag id
	Batch    string
	Since    time.Time // inclusive
	Until    time.Time // exclusive
	Before   ID        // page: only change-sets older than this id
	Limit    int       // default 20
	// IncludeDenied keeps refused attempts in the result.
	IncludeDenied bool
}

// History returns matching change-sets, newest first. It walks one ordered
// index within the id range the time bounds map to, so its cost grows with
// the result and not with the ledger. A candidate is decoded only if it
// matches: the other index keys decide customer, actor, tag and batch, and
// denied and follower are read in place (peek.go). When nothing but the
// walked index selects, since: is not searched for: the walk stops at the
// first candidate older than it, whose value it reads anyway.
func (s *Store) History(q Query) ([]ChangeSet, error) {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	out := make([]ChangeSet, 0, min(q.Limit, 64))
	err := s.view(func(tx *txn) error {
		prefix, others := q.indexes()
		w := historyWalk{q: &q, tx: tx, others: others}
		if len(others) == 0 {
			w.since = q.Since
		}
		lo, hi, err := idRange(tx, q, w.since.IsZero())
		if err != nil || lo > hi {
			return err
		}
		var ferr error
		err = tx.DescendRange("", seqKey(prefix, uint64(hi)), seqKey(prefix, uint64(lo)-1), func(k, v string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			if prefix != "cs:" {
				v = ""
			}
			cs, verdict, err := w.admit(k[len(prefix):], v)
			if err != nil {
				ferr = err
				return false
			}
			if verdict == take {
				out = append(out, cs)
			}
			return verdict != stop && len(out) < q.Limit
		})
		return errors.Join(ferr, err)
	})
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// indexes returns the index History walks and the prefixes of the other
// indexes a match must also be in: customer first, then actor, tag and
// batch; the whole ledger (cs:) when none is asked for.
func (q *Query) indexes() (walk string, others []string) {
	for _, ix := range [][2]string{{"ix:c:", q.Customer}, {"ix:a:", q.Actor}, {"ix:t:", q.Tag}, {"ix:b:", q.Batch}} {
		if ix[1] == "" {
			continue
		}
		if walk == "" {
			walk = ix[0] + ix[1] + ":"
		} else {
			others = append(others, ix[0]+ix[1]+":")
		}
	}
	if walk == "" {
		walk = "cs:"
	}
	return walk, others
}

// historyWalk is one History query's walk over an index.
type historyWalk struct {
	q      *Query
	tx     *txn
	others []string  // the other indexes a match must be in
	since  time.Time // checked on each candidate instead of searched for
}

// verdict is what the walk does with a candidate.
type verdict uint8

const (
	skip verdict = iota // not a match; walk on
	take                // a match
	stop                // older than since: the walk is done
)

// admit reads change-set seq (its key suffix) as far as it must to judge
// it: the other index keys, then the stored value's time, denied and
// follower in place; it decodes the value only when those pass. v is the
// stored value when the caller has it, else "".
func (w *historyWalk) admit(seq, v string) (ChangeSet, verdict, error) {
	id, err := seqOf(seq, "")
	if err != nil {
		return ChangeSet{}, skip, err
	}
	for _, p := range w.others {
		if _, err := w.tx.Get(p + seq); errors.Is(err, buntdb.ErrNotFound) {
			return ChangeSet{}, skip, nil
		} else if err != nil {
			return ChangeSet{}, skip, err
		}
	}
	key := "cs:" + seq
	if v == "" {
		if v, err = w.tx.Get(key); errors.Is(err, buntdb.ErrNotFound) {
			return ChangeSet{}, skip, fmt.Errorf("change-set %d: %w", id, ErrNotFound)
		} else if err != nil {
			return ChangeSet{}, skip, err
		}
	}
	if !w.since.IsZero() {
		if at, err := valueTime(key, id, v); err != nil || at.Before(w.since) {
			return ChangeSet{}, stop, err
		}
	}
	if w.q.rejects(v) {
		return ChangeSet{}, skip, nil
	}
	cs, err := decodeChangeSet(key, v)
	if err != nil || !w.q.match(&cs) {
		return ChangeSet{}, skip, err
	}
	return cs, take, nil
}

func (q *Query) match(cs *ChangeSet) bool {
	if cs.Denied != "" && !q.IncludeDenied {
		return false
	}
	if q.Customer != "" && cs.Customer != q.Customer {
		return false
	}
	if q.Follower != "" && cs.Follower != q.Follower {
		return false
	}
	if q.Actor != "" && cs.Actor != q.Actor {
		return false
	}
	if q.Batch != "" && cs.Batch != q.Batch {
		return false
	}
	if q.Tag != "" {
		found := false
		for _, refs := range [][]TagRef{cs.Add, cs.Remove} {
			for _, t := range refs {
				found = found || t.ID == q.Tag
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// idRange maps the query's time bounds and page to an inclusive id range;
// since: only if searchSince.
func idRange(tx *txn, q Query, searchSince bool) (lo, hi ID, err error) {
	last, err := lastCS(tx)
	if err != nil {
		return 0, 0, err
	}
	lo, hi = 1, ID(last)
	if !q.Since.IsZero() && searchSince {
		n, err := firstAtOrAfter(tx, q.Since, last)
		if err != nil {
			return 0, 0, err
		}
		lo = ID(n)
	}
	if !q.Until.IsZero() {
		n, err := firstAtOrAfter(tx, q.Until, last)
		if err != nil {
			return 0, 0, err
		}
		hi = ID(n) - 1
	}
	if q.Before > 0 && q.Before-1 < hi {
		hi = q.Before - 1
	}
	return lo, hi, nil
}

// firstAtOrAfter finds the first change-set id whose time is ≥ t, by binary
// search over the dense, time-ordered sequence (last+1 if none). It reads
// only each probe's time.
func firstAtOrAfter(tx *txn, t time.Time, last uint64) (uint64, error) {
	lo, hi := uint64(1), last+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		at, err := changeSetTime(tx, ID(mid))
		if err != nil {
			return 0, err
		}
		if at.Before(t) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// LastBy returns the newest effective change-set by actor, optionally only
// of the given sources (e.g. SourceUndo for /redo).
func (s *Store) LastBy(actor string, sources ...Source) (ChangeSet, error) {
	var found ChangeSet
	err := s.view(func(tx *txn) error {
		prefix := "ix:a:" + actor + ":"
		walk := func(iter func(k, v string) bool) error { return tx.DescendLessOrEqual("", prefix+"~", iter) }
		ferr := walkIndex(tx, prefix, walk, func(cs ChangeSet) bool {
			if cs.Effective() && (len(sources) == 0 || containsSource(sources, cs.Source)) {
				found = cs
				return false
			}
			return true
		})
		if ferr == nil && found.ID == 0 {
			ferr = fmt.Errorf("last change-set of %s: %w", actor, ErrNotFound)
		}
		return ferr
	})
	return found, err
}

func containsSource(list []Source, s Source) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
