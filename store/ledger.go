package store

import (
	"errors"
	"fmt"
	"sort"
	"time"
	"unsafe"

	"github.com/tidwall/buntdb"
)

// Apply appends a change-set to the ledger. Tag ids are required in Add and
// Remove; names and groups are filled from the library. Tags the relationship
// already has (Add) or lacks (Remove) are dropped; if nothing is left Apply
// returns ErrNoChange. The change-set, its index keys, the projection of
// current tags and, unless the change already happened on WeCom, the outbox
// entry are written in one transaction. A change-set with Denied set is only
// recorded.
func (s *Store) Apply(cs ChangeSet) (ChangeSet, error) {
	err := s.update(func(tx *txn) error {
		return s.applyTx(tx, &cs)
	})
	if err != nil {
		return ChangeSet{}, err
	}
	return cs, nil
}

// ApplyBatch applies several change-sets in one transaction: all or none.
// Change-sets that would change nothing are skipped; if all are skipped it
// returns ErrNoChange.
func (s *Store) ApplyBatch(css []ChangeSet) ([]ChangeSet, error) {
	var out []ChangeSet
	err := s.update(func(tx *txn) error {
		out = out[:0]
		for i := range css {
			cs := css[i]
			err := s.applyTx(tx, &cs)
			if errors.Is(err, ErrNoChange) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, cs)
		}
		if len(out) == 0 {
			return ErrNoChange
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Get reads one change-set.
func (s *Store) Get(id ID) (ChangeSet, error) {
	var cs ChangeSet
	err := s.view(func(tx *txn) error {
		var err error
		cs, err = getChangeSet(tx, id)
		return err
	})
	return cs, err
}

func getChangeSet(tx *txn, id ID) (ChangeSet, error) {
	cs, err := getJSON[ChangeSet](tx, seqKey("cs:", uint64(id)), func() error { return fmt.Errorf("change-set %d: %w", id, ErrNotFound) })
	if err != nil {
		return ChangeSet{}, err
	}
	return *cs, nil
}

// applyTx validates, normalises and writes cs inside tx, and what its tag
// triggers make of it (trigger.go).
func (s *Store) applyTx(tx *txn, cs *ChangeSet) error { return s.applyAt(tx, cs, 0) }

// applyAt is applyTx for a change-set made at trigger depth depth.
func (s *Store) applyAt(tx *txn, cs *ChangeSet, depth int) error {
	if cs.Customer == "" || cs.Follower == "" || cs.Actor == "" || cs.Source == "" {
		return fmt.Errorf("store: change-set needs customer, follower, actor and source")
	}
	relK := relKey(cs.Customer, cs.Follower)
	rel, err := getRelAt(tx, relK, cs.Customer, cs.Follower)
	if err != nil {
		return err
	}
	if cs.Denied == "" {
		if err := normalise(tx, cs, rel); err != nil {
			return err
		}
	}
	head, prev, err := chainHead(tx) // the chain head numbers change-sets (seqs.go)
	if err != nil {
		return err
	}
	cs.ID = head + 1
	if cs.Inbox != 0 {
		if err := markAppliedTx(tx, cs.Inbox, cs.ID); err != nil {
			return err
		}
	}
	cs.Time = s.stamp()
	if cs.Effective() {
		if !cs.Source.Mirrored() {
			if cs.Outbox, err = enqueueMarkTag(tx, cs); err != nil {
				return err
			}
		}
		if err := project(tx, rel, cs); err != nil {
			return err
		}
		if _, _, err := tx.Set(relK, encodeRel(rel), nil); err != nil {
			return err
		}
	}
	if err := writeChangeSet(tx, cs, prev); err != nil {
		return err
	}
	return s.fireTriggers(tx, cs, rel, depth)
}

// stamp returns the time for a new change-set: now, but never before the
// previous change-set, so ledger order is time order.
//
// A clock that once ran far ahead leaves every later change-set stamped with
// that future time until real time catches up; that is logged (at most once
// a minute) so an operator can fix the clock.
func (s *Store) stamp() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.now().UTC()
	if t.Before(s.lastTime) {
		if ahead := s.lastTime.Sub(t); ahead > time.Minute && t.Sub(s.warnedAt) > time.Minute {
			s.warnedAt = t
			s.log.Warn("ledger time is ahead of the clock; change-sets keep the ledger's time", "ahead", ahead.Round(time.Second))
		}
		t = s.lastTime
	}
	s.lastTime = t
	return t
}

// normalise resolves tag refs from the library and drops tags that would not
// change the relationship.
func normalise(tx *txn, cs *ChangeSet, rel *Relationship) error {
	lib, err := tx.library()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	add, remove := make([]TagRef, 0, len(cs.Add)), make([]TagRef, 0, len(cs.Remove))
	for _, ref := range cs.Add {
		t, err := lib.tag(ref.ID)
		if err != nil {
			return err
		}
		if t.Deleted {
			return fmt.Errorf("%w: %s (%s)", ErrTagDeleted, t.Name, t.ID)
		}
		if seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		if _, has := rel.Tags[t.ID]; !has {
			add = append(add, t.Ref())
		}
	}
	for _, ref := range cs.Remove {
		t, err := lib.tag(ref.ID)
		if err != nil {
			return err
		}
		if seen[t.ID] {
			return fmt.Errorf("store: tag %s both added and removed", t.Name)
		}
		seen[t.ID] = true
		if _, has := rel.Tags[t.ID]; has {
			remove = append(remove, t.Ref())
		}
	}
	if len(add) == 0 && len(remove) == 0 {
		return ErrNoChange
	}
	cs.Add, cs.Remove = add, remove
	return nil
}

// project applies an effective change-set to the relationship's tags and to
// the tag → relationship keys.
func project(tx *txn, rel *Relationship, cs *ChangeSet) error {
	if rel.Tags == nil {
		rel.Tags = map[string]Mark{}
	}
	for _, t := range cs.Add {
		rel.Tags[t.ID] = Mark{By: cs.Actor, At: cs.Time, CS: cs.ID}
		key := ttKey(t.ID, rel.Customer, rel.Follower)
		if err := countTagTx(tx, t.ID, ttCustomerPrefix(key, rel.Follower), true); err != nil { // tagcounts.go
			return err
		}
		if _, _, err := tx.Set(key, "", nil); err != nil {
			return err
		}
	}
	for _, t := range cs.Remove {
		delete(rel.Tags, t.ID)
		key := ttKey(t.ID, rel.Customer, rel.Follower)
		if _, err := tx.Delete(key); err != nil && !errors.Is(err, buntdb.ErrNotFound) {
			return err
		}
		if err := countTagTx(tx, t.ID, ttCustomerPrefix(key, rel.Follower), false); err != nil { // tagcounts.go
			return err
		}
	}
	return nil
}

// writeChangeSet stores cs, chained to prev (the hash of the change-set
// before it), and its index keys.
func writeChangeSet(tx *txn, cs *ChangeSet, prev string) error {
	val, err := chainLink(tx, cs, prev)
	if err != nil {
		return err
	}
	keys := ledgerKeys(cs)
	if _, _, err := tx.Set(keys[0], val, nil); err != nil {
		return err
	}
	for _, k := range keys[1:] {
		if _, _, err := tx.Set(k, "", nil); err != nil {
			return err
		}
	}
	return nil
}

// eachIndexKey calls fn with each of the ledger's index keys of cs until
// fn fails. Rebuild derives them the same way.
func eachIndexKey(cs *ChangeSet, fn func(key string) error) error {
	for _, k := range ledgerKeys(cs)[1:] {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// ledgerKeys returns cs's key (cs:<seq>, seq its id in 12 digits) and
// then its index keys: by customer, actor, batch and each tag. They are
// built in one buffer, one allocation for all of them: Apply writes them
// all.
func ledgerKeys(cs *ChangeSet) []string {
	var seqBuf [20]byte
	seq := appendSeq(seqBuf[:0], uint64(cs.ID))
	size := 3 + 3*len(seq) + 6 + len(cs.Customer) + 6 + len(cs.Actor)
	n := 3
	if cs.Batch != "" {
		size += 6 + len(cs.Batch) + len(seq)
		n++
	}
	for _, refs := range [2][]TagRef{cs.Add, cs.Remove} {
		for _, t := range refs {
			size += 6 + len(t.ID) + len(seq)
			n++
		}
	}
	buf := make([]byte, 0, size)
	keys := make([]string, 0, n)
	add := func(parts ...string) {
		start := len(buf)
		for _, p := range parts {
			buf = append(buf, p...)
		}
		buf = append(buf, seq...)
		keys = append(keys, unsafe.String(unsafe.SliceData(buf[start:]), len(buf)-start)) // buf never grows: size is exact
	}
	add("cs:")
	add("ix:c:", cs.Customer, ":")
	add("ix:a:", cs.Actor, ":")
	if cs.Batch != "" {
		add("ix:b:", cs.Batch, ":")
	}
	for _, refs := range [2][]TagRef{cs.Add, cs.Remove} {
		for _, t := range refs {
			add("ix:t:", t.ID, ":")
		}
	}
	return keys
}

func ttKey(tagID, customer, follower string) string {
	return "tt:" + tagID + ":" + customer + ":" + follower
}

// ttCustomerPrefix is "tt:<tag>:<customer>:", the start of key, a tt: key
// of follower: the prefix of the tag's keys on every relationship of the
// customer.
func ttCustomerPrefix(key, follower string) string { return key[:len(key)-len(follower)] }

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
