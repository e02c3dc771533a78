package store

import (
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
		for _, id := range ids {
			orig, err := getChangeSet(tx, id)
			if err != nil {
				return err
			}
			if !orig.Effective() {
				return fmt.Errorf("%w: %d changed nothing", ErrNotRevertible, id)
			}
			later, err := laterTouching(tx, &orig, opts.Actor, ids)
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
			caused, err := causedToRevert(tx, &orig, opts, ids)
			if err != nil {
				return err
			}
			reverted := map[ID]ID{} // an original → its revert, for Cause
			for i, o := range append([]ChangeSet{orig}, caused...) {
				cs := ChangeSet{
					Actor: opts.Actor, Source: opts.Source, Customer: o.Customer, Follower: o.Follower,
					Add: o.Remove, Remove: o.Add, Reverts: o.ID, Reason: opts.Reason,
					Forced: forced[o.ID], Batch: opts.Batch, Cause: reverted[o.Cause],
				}
				if i == 0 {
					cs.Inbox = opts.Inbox
				}
				switch err := s.applyTx(tx, &cs); {
				case errors.Is(err, ErrNoChange):
					continue
				case err != nil:
					return err
				}
				reverted[o.ID] = cs.ID
				out = append(out, cs)
			}
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

// causedToRevert lists the change-sets orig caused through tag triggers
// (trigger.go) that are reverted with it: not among ids (reverted anyway),
// and, unless opts.Force, not changed since by someone else (then the
// trigger's change stays, as that someone meant it).
func causedToRevert(tx *txn, orig *ChangeSet, opts RevertOptions, ids []ID) ([]ChangeSet, error) {
	caused, err := causedTx(tx, orig.ID)
	if err != nil || len(caused) == 0 {
		return nil, err
	}
	out := caused[:0]
	for _, c := range caused {
		if !c.Effective() || slices.Contains(ids, c.ID) {
			continue
		}
		if !opts.Force {
			later, err := laterTouching(tx, &c, opts.Actor, ids)
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
		if cs.Follower != orig.Follower || !cs.Effective() || cs.Actor == actor || cs.Reverts == orig.ID || cs.Cause == orig.ID || slices.Contains(except, cs.ID) {
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
	last, err := lastSeq(tx, "cs")
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
