package store

import (
	"errors"
	"fmt"
	"time"
)

// SuggestionDecision is a follower's answer to a suggestion.
type SuggestionDecision struct {
	ID    ID
	Actor string // must be the suggestion's follower
	// Tags are the ids of the tags to apply (a subset of the suggestion's);
	// nil means all of them.
	Tags []string
	// Remove are tags the confirm takes off (the other tags of an
	// exclusive group, as the caller's policy says).
	Remove []TagRef
	// Reason is the change-set's reason (the rule and the evidence).
	Reason string
	// Inbox is the received message (click or command) that decided it.
	Inbox ID
}

// ConfirmSuggestion applies a pending suggestion exactly once: in one
// transaction it checks the suggestion is still pending, not expired and
// the actor's, applies the chosen tags as a change-set through the same
// code as Apply (ledger, projection, outbox; source = the suggestion's) and
// marks it confirmed (or partial) with the change-set id. Tags already on
// the relationship are skipped; if none is left, it is marked confirmed
// without a change-set (ChangeSet.ID 0). A second confirm gets
// ErrSuggestionDecided.
func (s *Store) ConfirmSuggestion(d SuggestionDecision) (Suggestion, ChangeSet, error) {
	var sg *Suggestion
	var cs ChangeSet
	err := s.update(func(tx *txn) error {
		var err error
		if sg, err = pendingFor(tx, d.ID, d.Actor, s.now()); err != nil {
			return err
		}
		chosen, err := chooseTags(sg.Tags, d.Tags)
		if err != nil {
			return err
		}
		cs = ChangeSet{Actor: d.Actor, Source: sg.Source, Customer: sg.Customer, Follower: sg.Follower,
			Add: chosen, Remove: d.Remove, Reason: d.Reason, Inbox: d.Inbox}
		switch err := s.applyTx(tx, &cs); {
		case errors.Is(err, ErrNoChange):
			cs = ChangeSet{}
		case err != nil:
			return err
		}
		status := SuggestionConfirmed
		if len(chosen) < len(sg.Tags) {
			status = SuggestionPartial
		}
		sg.Accepted, sg.ChangeSet = chosen, cs.ID
		return decideTx(tx, sg, status, d.Actor, s.now())
	})
	if err != nil {
		return Suggestion{}, ChangeSet{}, err
	}
	return *sg, cs, nil
}

// RejectSuggestion marks a pending suggestion rejected by its follower;
// the rule then stays quiet for the relationship (AddSuggestion's
// rejectMemory).
func (s *Store) RejectSuggestion(id ID, actor string) (Suggestion, error) {
	var sg *Suggestion
	err := s.update(func(tx *txn) error {
		var err error
		if sg, err = pendingFor(tx, id, actor, s.now()); err != nil {
			return err
		}
		return decideTx(tx, sg, SuggestionRejected, actor, s.now())
	})
	if err != nil {
		return Suggestion{}, err
	}
	return *sg, nil
}

// DropSuggestion marks a pending suggestion dropped (note says why: the
// relationship ended, the tags went away).
func (s *Store) DropSuggestion(id ID, note string) (Suggestion, error) {
	var sg *Suggestion
	err := s.update(func(tx *txn) error {
		var err error
		if sg, err = getSuggestion(tx, id); err != nil {
			return err
		}
		if sg.Status != SuggestionPending {
			return fmt.Errorf("suggestion %d is %s: %w", id, sg.Status, ErrSuggestionDecided)
		}
		sg.Note = note
		return decideTx(tx, sg, SuggestionDropped, "system", s.now())
	})
	if err != nil {
		return Suggestion{}, err
	}
	return *sg, nil
}

// ExpireSuggestions marks up to limit pending suggestions whose time has
// come expired and returns them.
func (s *Store) ExpireSuggestions(limit int) ([]Suggestion, error) {
	var out []Suggestion
	err := s.update(func(tx *txn) error {
		out = out[:0]
		now := s.now()
		bound := fmt.Sprintf("sgx:%012d;", now.Unix())
		var due []string
		tx.AscendRange("", "sgx:", bound, func(k, _ string) bool {
			due = append(due, k)
			return len(due) < limit
		})
		for _, k := range due {
			id, err := seqOf(k, k[:len("sgx:000000000000:")])
			if err != nil {
				return err
			}
			sg, err := getSuggestion(tx, id)
			if err != nil {
				return err
			}
			if sg.Status == SuggestionPending && now.Before(sg.Expires) {
				continue // later within this second: pendingFor still accepts it
			}
			if _, err := tx.Delete(k); err != nil {
				return err
			}
			if sg.Status != SuggestionPending {
				continue
			}
			if err := decideTx(tx, sg, SuggestionExpired, "system", now); err != nil {
				return err
			}
			out = append(out, *sg)
		}
		return nil
	})
	return out, err
}

// pendingFor reads suggestion id and checks that actor may decide it now.
func pendingFor(tx *txn, id ID, actor string, now time.Time) (*Suggestion, error) {
	sg, err := getSuggestion(tx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case sg.Follower != actor:
		return nil, fmt.Errorf("suggestion %d: %w", id, ErrSuggestionNotYours)
	case sg.Status != SuggestionPending:
		return nil, fmt.Errorf("suggestion %d is %s: %w", id, sg.Status, ErrSuggestionDecided)
	case !now.Before(sg.Expires):
		return nil, fmt.Errorf("suggestion %d: %w", id, ErrSuggestionExpired)
	}
	return sg, nil
}

// chooseTags picks the refs whose ids are in ids (all when ids is nil).
func chooseTags(all []TagRef, ids []string) ([]TagRef, error) {
	if ids == nil {
		return all, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var out []TagRef
	for _, t := range all {
		if want[t.ID] {
			out = append(out, t)
			delete(want, t.ID)
		}
	}
	if len(want) > 0 || len(out) == 0 {
		return nil, fmt.Errorf("store: chosen tags are not the suggestion's: %w", ErrUnknownTag)
	}
	return out, nil
}

// decideTx ends a pending suggestion: status, who and when, its pending
// keys removed and, for confirm and reject, the rule's last decision.
func decideTx(tx *txn, sg *Suggestion, status SuggestionStatus, actor string, now time.Time) error {
	sg.Status, sg.DecidedBy, sg.DecidedAt = status, actor, now.UTC()
	if err := putJSON(tx, sgKey(sg.ID), sg); err != nil {
		return err
	}
	for _, k := range []string{sgpKey(sg.Follower, sg.ID), sgxKey(sg.Expires, sg.ID)} {
		tx.Delete(k)
	}
	for _, t := range sg.Tags {
		if v, err := tx.Get(sgtKey(sg.Customer, sg.Follower, t.ID)); err == nil && v == sg.ID.String() {
			tx.Delete(sgtKey(sg.Customer, sg.Follower, t.ID))
		}
	}
	if v, err := tx.Get(sgkKey(sg.Customer, sg.Follower, sg.Rule)); err == nil && v == sg.ID.String() {
		tx.Delete(sgkKey(sg.Customer, sg.Follower, sg.Rule))
	}
	if status == SuggestionExpired || status == SuggestionDropped {
		return nil
	}
	return putJSON(tx, sgdKey(sg.Customer, sg.Follower, sg.Rule), Decision{Status: status, At: now.UTC(), ID: sg.ID})
}

// ApplyOffered applies an auto rule's change-set for the offered input ref
// once: in the same transaction it records ref as handled for the
// follower and rule (as AddSuggestion does), and a second call with the
// same ref, follower and rule changes nothing and returns
// ErrSuggestionSeen — so a retried input does not put back a tag the
// follower took off meanwhile.
func (s *Store) ApplyOffered(cs ChangeSet, ref, rule string) (ChangeSet, error) {
	if ref == "" || rule == "" {
		return ChangeSet{}, errors.New("store: an offered change needs its ref and rule")
	}
	err := s.update(func(tx *txn) error {
		now := s.now().UTC()
		key := sgrKey(ref, cs.Follower, rule)
		if _, err := tx.Get(key); err == nil && !expired(tx, key, now) {
			return ErrSuggestionSeen
		}
		if err := s.applyTx(tx, &cs); err != nil {
			return err
		}
		return setExpiring(tx, key, cs.ID.String(), now.Add(30*24*time.Hour))
	})
	if err != nil {
		return ChangeSet{}, err
	}
	return cs, nil
}
