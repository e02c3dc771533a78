package store

import (
	"cmp"
	"errors"
	"fmt"
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

// revertGroupRow writes, in tx, an undo row's revert cs of an original
// together with the reverts of what the original's triggers did
// (causedToRevert: ones changed since by others stay unless job.Force),
// newest first as /undo N does (revertGroup): the triggered change-sets
// first, then the original, so each tag ends as it was before the
// original. The original's revert is the group's anchor, which the others
// name as their Cause (without it, the first one written is). Every revert
// is judged first on the relationship as the earlier ones leave it
// (judgeReverts), so the anchor's id is known before the others are
// written. It returns the original's outcome: "" and nil, ErrNoChange, a
// refusal reason, or the error failing the row, and then writes nothing. A
// triggered revert that would fail or change nothing is left out.
func (s *Store) revertGroupRow(tx *txn, job *Job, cs *ChangeSet) (string, error) {
	all, err := causedTx(tx, cs.Reverts)
	if err != nil {
		return "", err
	}
	caused, err := causedToRevert(tx, all, RevertOptions{Actor: job.Actor, Force: job.Force}, nil)
	if err != nil {
		return "", err
	}
	slices.SortFunc(caused, func(a, b ChangeSet) int { return cmp.Compare(b.ID, a.ID) })
	plan := make([]ChangeSet, 0, len(caused)+1)
	for _, o := range caused {
		plan = append(plan, ChangeSet{Actor: job.Actor, Source: job.Source, Customer: o.Customer, Follower: o.Follower,
			Add: restoredRefs(tx, o.Remove), Remove: restoredRefs(tx, o.Add), Reverts: o.ID, Reason: job.Reason,
			Forced: job.Force, Batch: job.ID})
	}
	primary := len(plan)
	plan = append(plan, *cs)
	outcomes, err := s.judgeReverts(tx, plan)
	if err != nil {
		return "", err
	}
	if o := outcomes[primary]; o.reason != "" || o.err != nil && !errors.Is(o.err, ErrNoChange) {
		return o.reason, o.err
	}
	last, err := lastCS(tx)
	if err != nil {
		return "", err
	}
	ids, anchor := make([]ID, len(plan)), -1
	for i, o := range outcomes {
		if o.written() {
			last++
			ids[i] = ID(last)
			if anchor < 0 || i == primary {
				anchor = i
			}
		}
	}
	for i := range plan {
		if !outcomes[i].written() {
			continue
		}
		p := plan[i]
		if i != anchor {
			p.Cause = ids[anchor]
		}
		if err := s.applyTx(tx, &p); err != nil {
			return "", fmt.Errorf("revert %d: %w", p.Reverts, err)
		}
		if p.ID != ids[i] {
			return "", fmt.Errorf("store: revert of %d written as %d, planned as %d", p.Reverts, p.ID, ids[i])
		}
		if i == primary {
			*cs = p
		}
	}
	return "", outcomes[primary].err
}

// revertOutcome is what writing one planned revert would do: written, or
// left out with a group-limit refusal or an error (ErrNoChange, or one
// failing the row: ErrNoRelationship, ErrTagDeleted, ErrUnknownTag).
type revertOutcome struct {
	reason string
	err    error
}

func (o revertOutcome) written() bool { return o.reason == "" && o.err == nil }

// judgeReverts judges plan, written in order, without writing anything:
// each revert against its relationship as the earlier ones leave it, with
// the checks a job row makes (rowWithinLimits: the group limits; applyTx:
// the relationship, the tags, a change at all).
func (s *Store) judgeReverts(tx *txn, plan []ChangeSet) ([]revertOutcome, error) {
	rels := map[[2]string]*Relationship{}
	out := make([]revertOutcome, len(plan))
	for i, cs := range plan {
		key := [2]string{cs.Customer, cs.Follower}
		rel := rels[key]
		if rel == nil {
			r, err := getRel(tx, cs.Customer, cs.Follower)
			if errors.Is(err, ErrNoRelationship) {
				out[i].err = err
				continue
			}
			if err != nil {
				return nil, err
			}
			c := cloneRel(r)
			rel = &c
			rels[key] = rel
		}
		if len(cs.Add) > 0 {
			reason, err := s.overLimit(tx, rel, &cs)
			if err != nil {
				return nil, err
			}
			if out[i].reason = reason; reason != "" {
				continue
			}
		}
		switch err := normalise(tx, &cs, rel); {
		case errors.Is(err, ErrNoChange), errors.Is(err, ErrTagDeleted), errors.Is(err, ErrUnknownTag):
			out[i].err = err
			continue
		case err != nil:
			return nil, err
		}
		for _, t := range cs.Add {
			rel.Tags[t.ID] = Mark{}
		}
		for _, t := range cs.Remove {
			delete(rel.Tags, t.ID)
		}
	}
	return out, nil
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
