package store

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// OutboxStatus is the state of an OutboxEntry, stored as its string.
type OutboxStatus string

// Outbox entry states. 发件箱条目状态。
const (
	// OutboxStatusPending: the call is still to be made (or retried).
	OutboxStatusPending OutboxStatus = "pending"
	// OutboxStatusDone: WeCom accepted the call.
	OutboxStatusDone OutboxStatus = "done"
	// OutboxStatusFailed: WeCom refused the call for good.
	OutboxStatusFailed OutboxStatus = "failed"
)

// OutboxEntry is a WeCom call a change-set needs: mark_tag on one
// relationship. Entries are kept after they finish, as a record.
type OutboxEntry struct {
	ID        ID           `json:"id"`
	CS        ID           `json:"cs"`
	Op        string       `json:"op"` // "mark_tag"
	Actor     string       `json:"actor"`
	Customer  string       `json:"customer"`
	Follower  string       `json:"follower"`
	Add       []string     `json:"add,omitempty"`
	Remove    []string     `json:"remove,omitempty"`
	Status    OutboxStatus `json:"status"`
	Attempts  int          `json:"attempts"`
	NextAt    time.Time    `json:"next_at"`
	ErrCode   int          `json:"errcode,omitempty"`
	ErrMsg    string       `json:"errmsg,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	DoneAt    time.Time    `json:"done_at,omitempty"`
	// Compensated is the change-set that undid the ledger's claim after a
	// permanent failure.
	Compensated ID `json:"compensated,omitempty"`
	// Background is the change-set's Background(): the entry waits in the
	// background lane behind interactive work (outboxlanes.go).
	Background bool `json:"background,omitempty"`
	// Batch is the change-set's Batch, for the counts per batch.
	Batch string `json:"batch,omitempty"`
}

// RelKey names the relationship the entry changes; entries of one
// relationship must be sent in order.
func (e *OutboxEntry) RelKey() string { return e.Customer + ":" + e.Follower }

func obrKey(customer, follower string, seq uint64) string {
	return joinSeq(seq, "obr:", customer, ":", follower, ":")
}

// enqueueMarkTag writes the outbox entry for an effective change-set.
func enqueueMarkTag(tx *txn, cs *ChangeSet) (ID, error) {
	tx.obSeq++ // seqs.go
	seq := tx.obSeq
	e := OutboxEntry{
		ID: ID(seq), CS: cs.ID, Op: "mark_tag", Actor: cs.Actor,
		Customer: cs.Customer, Follower: cs.Follower,
		Status: OutboxStatusPending, CreatedAt: cs.Time, NextAt: cs.Time,
		Background: cs.Background(), Batch: cs.Batch,
	}
	e.Add, e.Remove = tagIDs(cs.Add), tagIDs(cs.Remove)
	if _, _, err := tx.Set(obrKey(e.Customer, e.Follower, seq), "", nil); err != nil {
		return 0, err
	}
	if _, _, err := tx.Set(seqKey("ob:", seq), encodeOutboxEntry(&e), nil); err != nil {
		return 0, err
	}
	return e.ID, recount(tx, &e, "", e.CreatedAt)
}

// tagIDs lists the ids of refs (nil if none).
func tagIDs(refs []TagRef) []string {
	if len(refs) == 0 {
		return nil
	}
	ids := make([]string, len(refs))
	for i, t := range refs {
		ids[i] = t.ID
	}
	return ids
}

func getOutbox(tx *txn, id ID) (*OutboxEntry, error) {
	return getJSON[OutboxEntry](tx, seqKey("ob:", uint64(id)), func() error { return fmt.Errorf("outbox %d: %w", id, ErrNotFound) })
}

// Outbox reads one outbox entry.
func (s *Store) Outbox(id ID) (OutboxEntry, error) {
	return viewOne(s, func(tx *txn) (*OutboxEntry, error) { return getOutbox(tx, id) })
}

// PendingOutbox lists up to limit pending entries in queue order (0 = all).
func (s *Store) PendingOutbox(limit int) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := s.view(func(tx *txn) error {
		ids, _, err := pendingIDs(tx, limit, false) // outboxlanes.go
		for _, id := range ids {
			e, gerr := getOutbox(tx, id)
			if gerr != nil {
				return gerr
			}
			out = append(out, *e)
		}
		return err
	})
	return out, err
}

// HasPendingOutbox reports whether a relationship has calls not yet sent.
func (s *Store) HasPendingOutbox(customer, follower string) (bool, error) {
	found := false
	err := s.view(func(tx *txn) error {
		found = hasPending(tx, customer, follower)
		return nil
	})
	return found, err
}

func hasPending(tx *txn, customer, follower string) bool {
	return anyKey(tx, "obr:"+customer+":"+follower+":")
}

// finish moves an entry out of the queue with the given status.
func finish(tx *txn, e *OutboxEntry) error {
	tx.Delete(obrKey(e.Customer, e.Follower, uint64(e.ID)))
	if _, _, err := tx.Set(seqKey("ob:", uint64(e.ID)), encodeOutboxEntry(e), nil); err != nil {
		return err
	}
	return recount(tx, e, OutboxStatusPending, e.DoneAt) // outboxlanes.go
}

// OutboxDone marks an entry sent. Marking an entry that is no longer
// pending is a no-op, so a late duplicate cannot change a finished entry.
func (s *Store) OutboxDone(id ID) error {
	return s.update(func(tx *txn) error {
		e, err := getOutbox(tx, id)
		if err != nil || e.Status != OutboxStatusPending {
			return err
		}
		e.Status, e.DoneAt, e.ErrCode, e.ErrMsg = OutboxStatusDone, s.now().UTC(), 0, ""
		e.Attempts++
		if err := noteCall(tx, e.DoneAt); err != nil { // outboxcalls.go
			return err
		}
		return finish(tx, e)
	})
}

// OutboxRetry records a transient failure and when to try again.
func (s *Store) OutboxRetry(id ID, next time.Time, code int, msg string) error {
	return s.update(func(tx *txn) error {
		e, err := getOutbox(tx, id)
		if err != nil || e.Status != OutboxStatusPending {
			return err
		}
		e.Attempts++
		e.NextAt, e.ErrCode, e.ErrMsg = next.UTC(), code, msg
		if err := noteCall(tx, s.now()); err != nil {
			return err
		}
		_, _, err = tx.Set(seqKey("ob:", uint64(id)), encodeOutboxEntry(e), nil)
		return err
	})
}

// OutboxFailed records a permanent failure. WeCom did not make the change,
// so in the same transaction a `sync` change-set takes back what the failed
// change-set claimed and is still in the projection, keeping the ledger true
// to WeCom. notice (may be nil) is called inside that transaction with the
// finished entry; a non-empty result is queued as a reply to the entry's
// actor, so the refusal is never recorded without the actor hearing of it.
// notice must not use the store. It returns the finished entry (with
// Compensated set when a change-set was written).
func (s *Store) OutboxFailed(id ID, code int, msg string, notice func(OutboxEntry) string) (OutboxEntry, error) {
	var out OutboxEntry
	err := s.update(func(tx *txn) error {
		e, err := getOutbox(tx, id)
		if err != nil {
			return err
		}
		out = *e
		if e.Status != OutboxStatusPending {
			return nil
		}
		e.Attempts++
		e.Status, e.DoneAt, e.ErrCode, e.ErrMsg = OutboxStatusFailed, s.now().UTC(), code, msg
		if err := noteCall(tx, e.DoneAt); err != nil {
			return err
		}
		rel, err := getRel(tx, e.Customer, e.Follower)
		if err == nil {
			cs := ChangeSet{
				Actor: "system", Source: SourceSync, Customer: e.Customer, Follower: e.Follower,
				Reverts: e.CS, Reason: fmt.Sprintf("企业微信未执行变更 %d：errcode %d %s", e.CS, code, msg),
			}
			for _, t := range e.Add {
				if m, ok := rel.Tags[t]; ok && m.CS == e.CS {
					cs.Remove = append(cs.Remove, TagRef{ID: t})
				}
			}
			for _, t := range e.Remove {
				if _, ok := rel.Tags[t]; !ok {
					if tag, err := getTag(tx, t); err == nil && !tag.Deleted {
						cs.Add = append(cs.Add, TagRef{ID: t})
					}
				}
			}
			switch err := s.applyTx(tx, &cs); {
			case err == nil:
				e.Compensated = cs.ID
			case !errors.Is(err, ErrNoChange):
				return err
			}
		}
		out = *e
		if notice == nil || e.Actor == "" || strings.ContainsAny(e.Actor, ":\r\n") {
			return finish(tx, e)
		}
		if text := notice(*e); text != "" {
			if err := queueRepliesTx(tx, e.Actor, []QueuedReply{{Text: text}}, s.now().UTC()); err != nil {
				return err
			}
		}
		return finish(tx, e)
	})
	return out, err
}
