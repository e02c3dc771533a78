package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Tag triggers: a change-set can cause further change-sets (a child tag
// implies its parent, 已成交 removes 已报价) and messages (notify the
// technical team, remind the follower in three days). The store calls the
// TriggerFunc set with SetTriggers after each effective change-set, inside
// the change-set's own transaction, and writes what it returns in that same
// transaction: the triggered change-sets (Cause = the change-set that fired
// them) and the notes (trigger notes, notes.go). So the original and what
// it triggered are committed together, and RevertAll takes them back
// together.
//
// Triggers do not fire for change-sets that put back an earlier state
// (reverts — undo, redo, WeCom refusals —, rollbacks, restores), for the
// removal of a deleted tag (batch "tagdel-…"), for a relationship that is
// ending, nor before the first full sync (its change-sets are the starting
// state, not changes).

// MaxTriggerDepth bounds chains of triggers at run time: a change-set
// made at this depth fires nothing more. Configurations deeper than this
// are refused at load (package trigger); this is the safety net.
const MaxTriggerDepth = 8

// TriggerInput is what a TriggerFunc sees of one effective change-set.
type TriggerInput struct {
	Change       ChangeSet    // as written: ID, Time, Add and Remove resolved
	Rel          Relationship // the relationship after it
	CustomerName string       // the customer's name, for messages
	Depth        int          // 0 unless Change was itself made by a trigger
	// Library is the tag library (deleted tags too), shared: do not modify.
	Library []Tag
}

// TriggerOutput is what a TriggerFunc asks for.
type TriggerOutput struct {
	// ChangeSets are applied on the same relationship (Customer and
	// Follower are set by the store), each with Cause set to the change-set
	// that fired it; Source defaults to SourceTrigger, Actor and Batch to
	// the firing change-set's. Ones that would change nothing are skipped.
	ChangeSets []ChangeSet
	// Notes are queued (Note.Cause is set by the store).
	Notes []Note
}

// TriggerFunc decides what an effective change-set triggers. It runs
// inside a write transaction: it must not call the Store.
type TriggerFunc func(in TriggerInput) TriggerOutput

// SetTriggers installs fn (nil removes it); later transactions use it.
func (s *Store) SetTriggers(fn TriggerFunc) {
	if fn == nil {
		s.triggers.Store(nil)
		return
	}
	s.triggers.Store(&fn)
}

// Triggers returns the installed trigger function (nil if none).
func (s *Store) Triggers() TriggerFunc {
	if fn := s.triggers.Load(); fn != nil {
		return *fn
	}
	return nil
}

// fires reports whether an effective change-set cs fires triggers.
func (s *Store) fires(tx *txn, cs *ChangeSet) bool {
	if tx.trig == nil || tx.quiet || !cs.Effective() || cs.Reverts != 0 {
		return false
	}
	switch {
	case cs.Source == SourceRollback, cs.Source == SourceRestore, cs.Source == SourceUndo:
		return false
	case strings.HasPrefix(cs.Batch, "tagdel-"):
		return false
	}
	_, err := tx.Get("meta:first_synced")
	return err == nil
}

// fireTriggers runs the trigger function on cs (written at depth) and
// writes what it returns.
func (s *Store) fireTriggers(tx *txn, cs *ChangeSet, rel *Relationship, depth int) error {
	if depth >= MaxTriggerDepth || !s.fires(tx, cs) {
		if depth >= MaxTriggerDepth && s.fires(tx, cs) {
			s.log.Warn("tag trigger chain cut at the depth limit", "changeset", cs.ID, "depth", depth)
		}
		return nil
	}
	fn := *tx.trig // read once when the transaction began: a reload cannot take it away midway
	lib, err := tx.library()
	if err != nil {
		return err
	}
	in := TriggerInput{Change: *cs, Rel: cloneRel(rel), Depth: depth, Library: lib.ordered}
	if c, err := getCustomer(tx, cs.Customer); err == nil {
		in.CustomerName = c.Name
	}
	out := fn(in)
	for _, n := range out.Notes {
		n.Cause = cs.ID
		if err := putNoteTx(tx, n); err != nil {
			return err
		}
	}
	for _, child := range out.ChangeSets {
		child.Customer, child.Follower, child.Cause = cs.Customer, cs.Follower, cs.ID
		child.Inbox, child.Reverts, child.Denied, child.Forced = 0, 0, "", false
		if child.Source == "" {
			child.Source = SourceTrigger
		}
		if child.Actor == "" {
			child.Actor = cs.Actor
		}
		if child.Batch == "" {
			child.Batch = cs.Batch
		}
		switch err := s.applyAt(tx, &child, depth+1); {
		case errors.Is(err, ErrNoChange):
		case errors.Is(err, ErrTagDeleted), errors.Is(err, ErrUnknownTag):
			s.log.Warn("tag trigger names a tag not in the library; skipped", "changeset", cs.ID, "err", err)
		case err != nil:
			return fmt.Errorf("triggered by change-set %d: %w", cs.ID, err)
		}
	}
	return nil
}

// cloneRel copies a relationship, its tag map included.
func cloneRel(rel *Relationship) Relationship {
	out := *rel
	out.Tags = make(map[string]Mark, len(rel.Tags))
	for k, v := range rel.Tags {
		out.Tags[k] = v
	}
	return out
}

// causedTx lists the change-sets id caused, transitively, oldest first:
// written in the same transaction, each with Cause naming one of the
// group. A tag trigger's change-sets follow their cause in the ledger; the
// reverts an undo takes back with its primary revert are written newest
// first (revertGroup), so they may also come right before it, each with
// Cause = id.
func causedTx(tx *txn, id ID) ([]ChangeSet, error) {
	var out []ChangeSet
	for prev := id - 1; prev > 0; prev-- {
		cs, err := getChangeSet(tx, prev)
		if errors.Is(err, ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		if cs.Cause != id {
			break
		}
		out = append(out, cs)
	}
	slices.Reverse(out)
	in := map[ID]bool{id: true}
	for next := id + 1; ; next++ {
		cs, err := getChangeSet(tx, next)
		if errors.Is(err, ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if cs.Cause == 0 || !in[cs.Cause] {
			return out, nil
		}
		in[cs.ID] = true
		out = append(out, cs)
	}
}

// Caused lists the change-sets id caused through tag triggers (and, for
// a revert, the reverts taken back with it), oldest first.
func (s *Store) Caused(id ID) ([]ChangeSet, error) {
	var out []ChangeSet
	err := s.view(func(tx *txn) error {
		var err error
		out, err = causedTx(tx, id)
		return err
	})
	return out, err
}
