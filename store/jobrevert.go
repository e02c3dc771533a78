package store

import (
	"errors"
	"slices"
)

// The undo rows of background jobs (mass undo, the undo of a batch), and
// the outbox backlog jobs wait on.

// revertRow fills cs as the undo of change-set id; a non-empty reason
// fails the row instead (a conflict, a missing change-set). An original
// that changed nothing leaves cs empty, so the row is skipped.
func revertRow(tx *txn, job *Job, id ID, cs *ChangeSet) (string, error) {
	orig, err := getChangeSet(tx, id)
	if errors.Is(err, ErrNotFound) {
		return JobFailNotFound, nil
	}
	if err != nil {
		return "", err
	}
	cs.Customer, cs.Follower, cs.Reverts = orig.Customer, orig.Follower, orig.ID
	if !orig.Effective() {
		cs.Add, cs.Remove = nil, nil
		return "", nil
	}
	cs.Add, cs.Remove = restoredRefs(tx, orig.Remove), restoredRefs(tx, orig.Add) // tags deleted and restored since (massundo.go)
	later, err := touchingAfter(tx, &orig)
	if err != nil {
		return "", err
	}
	undone := map[ID]bool{} // later change-sets this job already took back
	for _, l := range later {
		if l.Batch == job.ID && l.Reverts != 0 {
			undone[l.Reverts] = true
		}
	}
	for _, l := range later {
		if l.Actor == job.Actor || l.Reverts == orig.ID || undone[l.ID] {
			continue
		}
		if !job.Force {
			return JobFailConflict, nil
		}
		cs.Forced = true
	}
	return "", nil
}

// revertCaused takes back, in tx, what the triggers of change-set id did
// (as RevertAll does: see causedToRevert, ones changed since by others
// stay unless job.Force) after an undo row took back id itself (its
// revert: by, 0 when that changed nothing). A caused change-set that is
// already back, or whose revert would push a group over its limit, is
// left as it is.
func (s *Store) revertCaused(tx *txn, job *Job, id, by ID) error {
	orig, err := getChangeSet(tx, id)
	if err != nil {
		return err
	}
	all, err := causedTx(tx, orig.ID)
	if err != nil {
		return err
	}
	caused, err := causedToRevert(tx, all, RevertOptions{Actor: job.Actor, Force: job.Force}, nil)
	if err != nil {
		return err
	}
	reverted := map[ID]ID{orig.ID: by}
	for _, o := range caused {
		cs := ChangeSet{Actor: job.Actor, Source: job.Source, Customer: o.Customer, Follower: o.Follower,
			Add: restoredRefs(tx, o.Remove), Remove: restoredRefs(tx, o.Add), Reverts: o.ID, Reason: job.Reason,
			Forced: job.Force, Batch: job.ID, Cause: reverted[o.Cause]}
		if reason, err := s.rowWithinLimits(tx, job, &cs); err != nil || reason != "" {
			if err != nil {
				return err
			}
			continue
		}
		switch err := s.applyTx(tx, &cs); {
		case err == nil:
			reverted[o.ID] = cs.ID
		case errors.Is(err, ErrNoChange), errors.Is(err, ErrTagDeleted), errors.Is(err, ErrUnknownTag), errors.Is(err, ErrNoRelationship):
		default:
			return err
		}
	}
	return nil
}

// touchingAfter lists the effective change-sets after orig on its
// relationship that touch orig's tags.
func touchingAfter(tx *txn, orig *ChangeSet) ([]ChangeSet, error) {
	tags := map[string]bool{}
	for _, refs := range [][]TagRef{orig.Add, orig.Remove} {
		for _, t := range refs {
			tags[t.ID] = true
		}
	}
	var out []ChangeSet
	prefix := "ix:c:" + orig.Customer + ":"
	walk := func(iter func(k, v string) bool) error {
		return tx.AscendGreaterOrEqual("", seqKey(prefix, uint64(orig.ID)+1), iter)
	}
	err := walkIndex(tx, prefix, walk, func(cs ChangeSet) bool {
		if cs.Follower != orig.Follower || !cs.Effective() {
			return true
		}
		for _, refs := range [][]TagRef{cs.Add, cs.Remove} {
			for _, t := range refs {
				if tags[t.ID] {
					out = append(out, cs)
					return true
				}
			}
		}
		return true
	})
	return out, err
}

// CountPendingOutbox counts pending outbox entries, stopping at upTo (0:
// all): how far WeCom is behind the ledger. Background jobs wait while it is
// high, so their progress follows WeCom's.
func (s *Store) CountPendingOutbox(upTo int) (int, error) {
	n := 0
	err := s.view(func(tx *txn) error {
		scan(tx, "obl:", func(string, string) bool { // both lanes: every pending entry
			n++
			return upTo <= 0 || n < upTo
		})
		return nil
	})
	return n, err
}

// RevertRows plans taking back a whole batch (e.g. a /bulk run's
// bg-bulk-N) as rows of an undo job: one row per change-set of the batch,
// newest first (see JobRow.Reverts). Give the job a Batch-like id of its
// own kind (e.g. Kind "undo") and Source SourceUndo.
func (s *Store) RevertRows(batch string) ([]JobRow, error) {
	var rows []JobRow
	prefix := "ix:b:" + batch + ":"
	err := s.view(func(tx *txn) error {
		var ferr error
		scan(tx, prefix, func(k, _ string) bool {
			id, err := seqOf(k, prefix)
			if err != nil {
				ferr = err
				return false
			}
			rows = append(rows, JobRow{Reverts: id})
			return true
		})
		return ferr
	})
	slices.Reverse(rows)
	return rows, err
}
