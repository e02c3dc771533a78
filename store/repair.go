package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// RepairReport says what Rebuild changed, per kind of derived key.
type RepairReport struct {
	Projection int // relationships whose current tags were rewritten from the ledger
	Orphans    int // relationships the ledger changes that the store no longer has (left as they are)
	Added      map[string]int
	Removed    map[string]int
}

// Changed reports whether Rebuild changed anything.
func (r RepairReport) Changed() bool {
	return r.Projection > 0 || len(r.Added) > 0 || len(r.Removed) > 0
}

// String lists the changes for an operator.
func (r RepairReport) String() string {
	if !r.Changed() && r.Orphans == 0 {
		return "nothing to rebuild"
	}
	var parts []string
	if r.Projection > 0 {
		parts = append(parts, fmt.Sprintf("current tags of %d relationships rebuilt from the ledger", r.Projection))
	}
	for _, k := range slices.Sorted(maps.Keys(r.Added)) {
		parts = append(parts, fmt.Sprintf("%d %s keys added", r.Added[k], k))
	}
	for _, k := range slices.Sorted(maps.Keys(r.Removed)) {
		parts = append(parts, fmt.Sprintf("%d %s keys removed", r.Removed[k], k))
	}
	if r.Orphans > 0 {
		parts = append(parts, fmt.Sprintf("%d relationships in the ledger are no longer in the store (left alone)", r.Orphans))
	}
	return strings.Join(parts, "; ")
}

// Rebuild rewrites, in one transaction, everything the store derives from
// the ledger and the outbox: each relationship's current tags and the
// tag → relationship keys (replaying the ledger), the ledger's index keys,
// the outbox queues (from each entry's status), the inbox queue, the reply queue and the queue of activities to classify. The
// ledger, the outbox entries and the messages themselves are never changed.
func (s *Store) Rebuild() (RepairReport, error) {
	rep := RepairReport{Added: map[string]int{}, Removed: map[string]int{}}
	err := s.update(func(tx *txn) error {
		want := map[string]map[string]string{} // derived key prefix → keys
		replay := map[string]map[string]Mark{} // customer:follower → tags
		if err := s.derivedFromLedger(tx, want, replay); err != nil {
			return err
		}
		if err := derivedFromQueues(tx, want); err != nil {
			return err
		}
		if err := derivedFollowers(tx, want); err != nil { // stats.go
			return err
		}
		if err := rebuildProjection(tx, replay, want, &rep); err != nil {
			return err
		}
		for prefix, keys := range want {
			if err := syncKeys(tx, prefix, keys, &rep); err != nil {
				return err
			}
		}
		if n, err := rewriteOutbox(tx); err != nil { // outboxlanes.go
			return err
		} else if n > 0 {
			rep.Added["outbox lane and count"] += n
		}
		s.recountTags(tx, &rep)        // tagcounts.go
		return rebuildCounts(tx, &rep) // stats.go
	})
	if !rep.Changed() {
		rep.Added, rep.Removed = nil, nil
	}
	return rep, err
}

// derivedFromLedger replays every change-set: the index keys it needs and
// the tags each relationship has after it.
func (s *Store) derivedFromLedger(tx *txn, want map[string]map[string]string, replay map[string]map[string]Mark) error {
	for _, p := range []string{"ix:c:", "ix:a:", "ix:b:", "ix:t:", "tt:"} {
		want[p] = map[string]string{}
	}
	return scanJSON(tx, "cs:", func(_ string, cs *ChangeSet) bool {
		eachIndexKey(cs, func(k string) error {
			want[k[:len("ix:c:")]][k] = ""
			return nil
		})
		if !cs.Effective() {
			return true
		}
		rk := cs.Customer + ":" + cs.Follower
		if replay[rk] == nil {
			replay[rk] = map[string]Mark{}
		}
		for _, t := range cs.Add {
			replay[rk][t.ID] = Mark{By: cs.Actor, At: cs.Time, CS: cs.ID}
		}
		for _, t := range cs.Remove {
			delete(replay[rk], t.ID)
		}
		return true
	})
}

// derivedFromQueues lists the queue keys the outbox entries, the received
// messages still pending and the queued replies need, with their values.
func derivedFromQueues(tx *txn, want map[string]map[string]string) error {
	for _, p := range []string{"obr:", "rqu:", "inq:", "actq:"} {
		want[p] = map[string]string{}
	}
	err := scanJSON(tx, "act:", func(_ string, a *Activity) bool {
		if !a.Done {
			want["actq:"][seqKey("actq:", uint64(a.ID))] = "" // received, not yet classified
		}
		return true
	})
	if err != nil {
		return err
	}
	err = scanJSON(tx, "in:", func(_ string, m *InboxMessage) bool {
		want["inq:"][seqKey("inq:", uint64(m.ID))] = m.Order // every stored message is pending until done
		return true
	})
	if err != nil {
		return err
	}
	err = scanJSON(tx, "ob:", func(_ string, e *OutboxEntry) bool {
		if e.Status == OutboxStatusPending {
			want["obr:"][obrKey(e.Customer, e.Follower, uint64(e.ID))] = ""
		}
		return true
	})
	if err != nil {
		return err
	}
	return scanJSON(tx, "rq:", func(_ string, r *QueuedReply) bool {
		want["rqu:"][rquKey(r.User, uint64(r.ID))] = ""
		return true
	})
}

// rebuildProjection rewrites relationships whose tags differ from the
// replay, and lists the tag → relationship keys they need.
func rebuildProjection(tx *txn, replay map[string]map[string]Mark, want map[string]map[string]string, rep *RepairReport) error {
	seen := map[string]bool{}
	var ferr error
	var fix []*Relationship
	err := scanJSON(tx, "rel:", func(_ string, r *Relationship) bool {
		rk := r.Customer + ":" + r.Follower
		seen[rk] = true
		tags := replay[rk]
		if !maps.Equal(tags, r.Tags) && (len(tags) > 0 || len(r.Tags) > 0) {
			r.Tags = maps.Clone(tags)
			if r.Tags == nil {
				r.Tags = map[string]Mark{}
			}
			fix = append(fix, r)
		}
		for id := range tags {
			want["tt:"][ttKey(id, r.Customer, r.Follower)] = ""
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, r := range fix {
		if ferr = putJSON(tx, relKey(r.Customer, r.Follower), r); ferr != nil {
			return ferr
		}
	}
	rep.Projection = len(fix)
	for rk, tags := range replay {
		if !seen[rk] && len(tags) > 0 {
			rep.Orphans++
		}
	}
	return nil
}

// syncKeys makes the keys under prefix exactly want: extra ones deleted,
// missing ones written with their derived value (existing values are kept:
// an inq: entry from an older tagbot holds "" and is still read).
func syncKeys(tx *txn, prefix string, want map[string]string, rep *RepairReport) error {
	var extra []string
	scan(tx, prefix, func(k, _ string) bool {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
		return true
	})
	name := strings.TrimSuffix(prefix, ":")
	for _, k := range extra {
		if _, err := tx.Delete(k); err != nil {
			return err
		}
		rep.Removed[name]++
	}
	for k, v := range want {
		if _, err := tx.Get(k); err != nil {
			if _, _, err := tx.Set(k, v, nil); err != nil {
				return err
			}
			rep.Added[name]++
		}
	}
	return nil
}

// derivedProblems lists, for Verify, the index and queue keys that are not
// exactly what Rebuild would make them.
func (s *Store) derivedProblems(tx *txn) ([]string, error) {
	want := map[string]map[string]string{}
	if err := s.derivedFromLedger(tx, want, map[string]map[string]Mark{}); err != nil {
		return nil, err
	}
	if err := derivedFromQueues(tx, want); err != nil {
		return nil, err
	}
	if err := derivedFollowers(tx, want); err != nil { // stats.go
		return nil, err
	}
	problems := append(countProblems(tx), s.tagCountProblems(tx)...) // stats.go, tagcounts.go
	for _, prefix := range []string{"ix:c:", "ix:a:", "ix:b:", "ix:t:", "obr:", "rqu:", "inq:", "actq:", "rf:"} {
		missing, extra := len(want[prefix]), 0
		var example string
		scan(tx, prefix, func(k, _ string) bool {
			if _, ok := want[prefix][k]; ok {
				missing--
			} else {
				extra++
				example = k
			}
			return true
		})
		if missing > 0 || extra > 0 {
			problems = append(problems, fmt.Sprintf("%s keys: %d missing, %d that should not be there (e.g. %q)", strings.TrimSuffix(prefix, ":"), missing, extra, example))
		}
	}
	return problems, nil
}
