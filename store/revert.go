package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// ConflictError is returned by Revert when the tags of the change-set were
// changed since by someone else; nothing was changed.
type ConflictError struct {
	Target ChangeSet   // the change-set to revert
	Later  []ChangeSet // later change-sets by others touching the same tags
}

// Error lists the conflicting change-sets.
func (e *ConflictError) Error() string {
	ids := make([]string, len(e.Later))
	for i, cs := range e.Later {
		ids[i] = cs.ID.String()
	}
	return fmt.Sprintf("store: change-set %d conflicts with later change-sets %s", e.Target.ID, strings.Join(ids, ", "))
}

// RevertOptions say who reverts and how.
type RevertOptions struct {
	Actor  string
	Source Source // SourceUndo by default
	Reason string
	Force  bool   // apply despite a conflict
	Batch  string // batch id of the new change-sets (RevertAll)
	Inbox  ID     // the message asking for it (see ChangeSet.Inbox)
}

// Revert appends a change-set that takes back change-set id: tags it added
// that are still there are removed, tags it removed that are still absent
// are added. If a later change-set by someone other than the actor touched
// the same tags, it returns a *ConflictError and changes nothing unless
// opts.Force. Reverting a revert re-applies the original.
func (s *Store) Revert(id ID, opts RevertOptions) (ChangeSet, error) {
	out, err := s.RevertAll([]ID{id}, opts)
	if err != nil {
		return ChangeSet{}, err
	}
	return out[0], nil
}

// RevertAll reverts several change-sets (a batch such as a rollback or a
// restore) in one transaction: all or none. A conflict on any of them
// returns a *ConflictError naming the first and changes nothing unless
// opts.Force; those already taken back are skipped, and if nothing is left
// to revert it returns ErrNoChange. With opts.Batch the new change-sets
// share that batch id.
func (s *Store) RevertAll(ids []ID, opts RevertOptions) ([]ChangeSet, error) {
	if opts.Source == "" {
		opts.Source = SourceUndo
	}
	var out []ChangeSet
	err := s.update(func(tx *txn) error {
		out = out[:0]
		origs := make([]ChangeSet, 0, len(ids))
		var conflict *ConflictError
		forced := map[ID]bool{}
		groups := map[ID][]ChangeSet{} // an original → what it caused
		for _, id := range ids {
			orig, err := getChangeSet(tx, id)
			if err != nil {
				return err
			}
			if !orig.Effective() {
				return fmt.Errorf("%w: %d changed nothing", ErrNotRevertible, id)
			}
			caused, err := causedTx(tx, id)
			if err != nil {
				return err
			}
			groups[id] = caused
			later, err := laterTouching(tx, &orig, opts.Actor, withIDs(ids, caused))
			if err != nil {
				return err
			}
			if len(later) > 0 {
				forced[id] = true
				if conflict == nil {
					conflict = &ConflictError{Target: orig}
				}
				conflict.Later = append(conflict.Later, later...)
			}
			origs = append(origs, orig)
		}
		if conflict != nil && !opts.Force {
			return conflict
		}
		for _, orig := range origs {
			caused, err := causedToRevert(tx, groups[orig.ID], opts, ids)
			if err != nil {
				return err
			}
			written, err := s.revertGroup(tx, orig.ID, append([]ChangeSet{orig}, caused...), opts, forced)
			if err != nil {
				return err
			}
			out = append(out, written...)
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

// revertGroup reverts group — the change-set primary and those it caused
// through tag triggers (or, for an undo, the reverts taken back with it) —
// newest first, so each tag ends as it was before the group's first
// change of it: an undo of a change a trigger took back leaves the tag as
// it was, not as the trigger's revert alone would. The revert of primary
// is the group's anchor: the others name it as their Cause (causedTx finds
// them before and after it), it carries opts.Inbox and comes first in the
// result. As it may be written after the others, the ids are planned
// first. Reverts that would change nothing are skipped; none when nothing
// changes.
func (s *Store) revertGroup(tx *txn, primary ID, group []ChangeSet, opts RevertOptions, forced map[ID]bool) ([]ChangeSet, error) {
	slices.SortFunc(group, func(a, b ChangeSet) int { return cmp.Compare(b.ID, a.ID) })
	plan := make([]ChangeSet, len(group))
	for i, o := range group {
		plan[i] = ChangeSet{
			Actor: opts.Actor, Source: opts.Source, Customer: o.Customer, Follower: o.Follower,
			Add: o.Remove, Remove: o.Add, Reverts: o.ID, Reason: opts.Reason,
			Forced: forced[o.ID], Batch: opts.Batch,
		}
	}
	changes, err := changesTx(tx, plan)
	if err != nil {
		return nil, err
	}
	last, err := lastCS(tx)
	if err != nil {
		return nil, err
	}
	ids := make([]ID, len(plan))
	anchor := -1
	for i := range plan {
		if !changes[i] {
			continue
		}
		last++
		ids[i] = ID(last)
		if anchor < 0 || plan[i].Reverts == primary {
			anchor = i
		}
	}
	if anchor < 0 {
		return nil, nil
	}
	out := make([]ChangeSet, 0, len(plan))
	for i := range plan {
		if !changes[i] {
			continue
		}
		cs := plan[i]
		if i == anchor {
			cs.Inbox = opts.Inbox
		} else {
			cs.Cause = ids[anchor]
		}
		if err := s.applyTx(tx, &cs); err != nil {
			return nil, fmt.Errorf("revert %d: %w", cs.Reverts, err)
		}
		if cs.ID != ids[i] {
			return nil, fmt.Errorf("store: revert of %d written as %d, planned as %d", cs.Reverts, cs.ID, ids[i])
		}
		if i == anchor {
			out = slices.Insert(out, 0, cs)
		} else {
			out = append(out, cs)
		}
	}
	return out, nil
}

// changesTx reports which of plan, applied in order, would change tags of
// their relationships (the others are skipped, ErrNoChange).
func changesTx(tx *txn, plan []ChangeSet) ([]bool, error) {
	states := map[[2]string]map[string]bool{}
	out := make([]bool, len(plan))
	for i, cs := range plan {
		key := [2]string{cs.Customer, cs.Follower}
		state, ok := states[key]
		if !ok {
			rel, err := getRel(tx, cs.Customer, cs.Follower)
			if err != nil {
				return nil, err
			}
			state = make(map[string]bool, len(rel.Tags))
			for id := range rel.Tags {
				state[id] = true
			}
			states[key] = state
		}
		for _, r := range cs.Add {
			out[i] = out[i] || !state[r.ID]
			state[r.ID] = true
		}
		for _, r := range cs.Remove {
			out[i] = out[i] || state[r.ID]
			delete(state, r.ID)
		}
	}
	return out, nil
}

// withIDs is ids and the ids of css.
func withIDs(ids []ID, css []ChangeSet) []ID {
	out := slices.Clone(ids)
	for _, cs := range css {
		out = append(out, cs.ID)
	}
	return out
}

// causedToRevert keeps of caused (what an original caused through tag
// triggers, trigger.go) those reverted with it: not among ids (reverted
// anyway), and, unless opts.Force, not changed since by someone else
// outside ids and caused (then the trigger's change stays, as that
// someone meant it).
func causedToRevert(tx *txn, caused []ChangeSet, opts RevertOptions, ids []ID) ([]ChangeSet, error) {
	var out []ChangeSet
	except := withIDs(ids, caused)
	for _, c := range caused {
		if !c.Effective() || slices.Contains(ids, c.ID) {
			continue
		}
		if !opts.Force {
			later, err := laterTouching(tx, &c, opts.Actor, except)
			if err != nil {
				return nil, err
			}
			if len(later) > 0 {
				continue
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// laterTouching lists effective change-sets after orig on the same
// relationship, by someone other than actor and not among except, that
// touch orig's tags. An undo of orig itself is no conflict: reverting orig
// again then simply finds nothing left to change; nor is what orig's tag
// triggers did (reverted with it).
func laterTouching(tx *txn, orig *ChangeSet, actor string, except []ID) ([]ChangeSet, error) {
	all, err := touchingAfter(tx, orig) // jobrevert.go
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, cs := range all {
		if cs.Actor != actor && cs.Reverts != orig.ID && cs.Cause != orig.ID && !slices.Contains(except, cs.ID) {
			out = append(out, cs)
		}
	}
	return out, nil
}

// TagsAt replays the ledger of one relationship up to and including time t
// and returns the tag ids it had then, sorted.
func (s *Store) TagsAt(customer, follower string, t time.Time) ([]string, error) {
	var out []string
	err := s.view(func(tx *txn) error {
		var err error
		out, err = tagsAt(tx, customer, follower, t)
		return err
	})
	return out, err
}

func tagsAt(tx *txn, customer, follower string, t time.Time) ([]string, error) {
	last, err := lastCS(tx)
	if err != nil {
		return nil, err
	}
	end, err := firstAtOrAfter(tx, t.Add(time.Nanosecond), last)
	if err != nil {
		return nil, err
	}
	state := map[string]bool{}
	prefix := "ix:c:" + customer + ":"
	walk := func(iter func(k, v string) bool) error { return tx.AscendRange("", prefix, seqKey(prefix, end), iter) }
	err = walkIndex(tx, prefix, walk, func(cs ChangeSet) bool {
		if cs.Follower != follower || !cs.Effective() {
			return true
		}
		for _, r := range cs.Add {
			state[r.ID] = true
		}
		for _, r := range cs.Remove {
			delete(state, r.ID)
		}
		return true
	})
	return sortedKeys(state), err
}

// RollbackPlan computes the change-set that returns a relationship to its
// tags at time t: what to add and what to remove now. Tags deleted from the
// library since cannot come back and are listed in lost.
func (s *Store) RollbackPlan(customer, follower string, t time.Time) (add, remove, lost []TagRef, err error) {
	err = s.view(func(tx *txn) error {
		rel, err := getRel(tx, customer, follower)
		if err != nil {
			return err
		}
		then, err := tagsAt(tx, customer, follower, t)
		if err != nil {
			return err
		}
		had := map[string]bool{}
		for _, id := range then {
			had[id] = true
			if _, now := rel.Tags[id]; now {
				continue
			}
			tag, err := getTag(tx, id)
			if err != nil {
				return err
			}
			if tag.Deleted {
				lost = append(lost, tag.Ref())
			} else {
				add = append(add, tag.Ref())
			}
		}
		for _, id := range rel.TagIDs() {
			if had[id] {
				continue
			}
			tag, err := getTag(tx, id)
			if err != nil {
				return err
			}
			remove = append(remove, tag.Ref())
		}
		return nil
	})
	if errors.Is(err, buntdb.ErrNotFound) {
		err = ErrNotFound
	}
	return add, remove, lost, err
}

// RevertsOf lists the effective change-sets that revert id, oldest first
// (an undo, and the undo of that undo is listed by RevertsOf(undo.ID)).
func (s *Store) RevertsOf(id ID) ([]ChangeSet, error) {
	var out []ChangeSet
	err := s.view(func(tx *txn) error {
		orig, err := getChangeSet(tx, id)
		if err != nil {
			return err
		}
		prefix := "ix:c:" + orig.Customer + ":"
		walk := func(iter func(k, v string) bool) error {
			return tx.AscendGreaterOrEqual("", seqKey(prefix, uint64(id)+1), iter)
		}
		return walkIndex(tx, prefix, walk, func(cs ChangeSet) bool {
			if cs.Reverts == id && cs.Effective() {
				out = append(out, cs)
			}
			return true
		})
	})
	return out, err
}
