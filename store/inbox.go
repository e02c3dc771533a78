package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// DedupTTL is how long the dedup marker of a received callback is kept.
// WeCom retries a callback three times within seconds; a week covers any
// replay worth caring about while keeping the file small.
const DedupTTL = 7 * 24 * time.Hour

// InboxMessage is a received callback, stored before the HTTP answer so a
// crash between receipt and processing loses nothing.
type InboxMessage struct {
	ID       ID        `json:"id"`
	Key      string    `json:"key"`  // dedup key (MsgId, or user+time+event)
	Body     []byte    `json:"body"` // decrypted inner XML
	Received time.Time `json:"received"`
	Attempts int       `json:"attempts"`
	// Order says which messages must be handled one after another (the
	// sender, see InboxPutOrdered); "" if it was stored without one.
	Order string `json:"order,omitempty"`
	// Applied is the first change-set made while handling the message,
	// written in that change-set's transaction. A message still pending
	// with Applied set was cut short by a crash after its change: it must
	// not run again (an /undo would undo a second change).
	Applied ID `json:"applied,omitempty"`
}

// InboxRef is a pending inbox message as the queue lists it: what a
// dispatcher needs to decide who handles it and when, without its body.
type InboxRef struct {
	ID ID
	// Order is the order key given to InboxPutOrdered; "" for a message
	// stored without one (by InboxPut, or by a tagbot from before order
	// keys were kept).
	Order string
	// Body is the message body when Order is "", so the caller can work
	// the order out itself; nil otherwise.
	Body []byte
}

// InboxPut stores a received message unless its dedup key was seen before,
// in which case dup is true and nothing is written. It keeps no order key;
// see InboxPutOrdered.
func (s *Store) InboxPut(key string, body []byte) (id ID, dup bool, err error) {
	return s.InboxPutOrdered(key, "", body)
}

// InboxPutOrdered is InboxPut with an order key (which messages must be
// handled one after another, e.g. one sender's), kept in the queue entry so
// InboxAfter lists pending messages without reading their bodies.
//
// The queue entry inq:<seq> holds the order key; before order keys were
// kept it held "", and InboxAfter still reads that form.
func (s *Store) InboxPutOrdered(key, order string, body []byte) (id ID, dup bool, err error) {
	if key == "" {
		return 0, false, fmt.Errorf("store: inbox message needs a dedup key")
	}
	err = s.update(func(tx *txn) error {
		now := s.now()
		sweepExpired(tx, now, sweepBatch)
		if _, err := tx.Get("ind:" + key); err == nil && !expired(tx, "ind:"+key, now) {
			dup = true
			return nil
		} else if err != nil && !errors.Is(err, buntdb.ErrNotFound) {
			return err
		}
		seq, err := nextSeq(tx, "in")
		if err != nil {
			return err
		}
		id = ID(seq)
		m := InboxMessage{ID: id, Key: key, Body: body, Received: now.UTC(), Order: order}
		if err := setExpiring(tx, "ind:"+key, id.String(), now.Add(DedupTTL)); err != nil {
			return err
		}
		if _, _, err := tx.Set(seqKey("inq:", seq), order, nil); err != nil {
			return err
		}
		_, _, err = tx.Set(seqKey("in:", seq), encode(&m), nil)
		return err
	})
	return id, dup, err
}

// InboxPending lists up to limit messages not yet processed, oldest first.
func (s *Store) InboxPending(limit int) ([]InboxMessage, error) {
	var out []InboxMessage
	err := s.view(func(tx *txn) error {
		var ferr error
		scan(tx, "inq:", func(k, _ string) bool {
			key := "in:" + k[len("inq:"):]
			v, err := tx.Get(key)
			if err != nil {
				ferr = fmt.Errorf("%w: %s missing", ErrCorrupt, key)
				return false
			}
			var m InboxMessage
			if ferr = decode(key, v, &m); ferr != nil {
				return false
			}
			out = append(out, m)
			return limit <= 0 || len(out) < limit
		})
		return ferr
	})
	return out, err
}

// InboxAfter lists up to limit (0: all) pending messages with an id above
// after, oldest first. It reads only the queue entries, so its cost is that
// of the messages it returns, not of the whole backlog; only a message
// stored without an order key (by a tagbot from before they were kept) is
// read in full, for its body.
func (s *Store) InboxAfter(after ID, limit int) ([]InboxRef, error) {
	var out []InboxRef
	err := s.view(func(tx *txn) error {
		var ferr error
		tx.AscendGreaterOrEqual("", seqKey("inq:", uint64(after)+1), func(k, order string) bool {
			if !strings.HasPrefix(k, "inq:") {
				return false
			}
			var id ID
			if id, ferr = seqOf(k, "inq:"); ferr != nil {
				return false
			}
			ref := InboxRef{ID: id, Order: order}
			if order == "" {
				ref, ferr = legacyRef(tx, id)
			}
			out = append(out, ref)
			return ferr == nil && (limit <= 0 || len(out) < limit)
		})
		return ferr
	})
	return out, err
}

// legacyRef reads a queued message whose queue entry has no order key: the
// record's own order key if it has one, else its body.
func legacyRef(tx *txn, id ID) (InboxRef, error) {
	key := seqKey("in:", uint64(id))
	m, err := getJSON[InboxMessage](tx, key, func() error { return fmt.Errorf("%w: %s missing", ErrCorrupt, key) })
	if err != nil {
		return InboxRef{}, err
	}
	if m.Order != "" {
		return InboxRef{ID: id, Order: m.Order}, nil
	}
	return InboxRef{ID: id, Body: m.Body}, nil
}

// InboxAttempt counts a processing attempt (so a message that crashes the
// worker every time can be given up on) and returns the count.
func (s *Store) InboxAttempt(id ID) (int, error) {
	m, err := s.InboxBegin(id)
	return m.Attempts, err
}

// InboxBegin counts a processing attempt of message id and returns the
// message, its Attempts including this one. A message no longer pending
// (done) is ErrNotFound.
func (s *Store) InboxBegin(id ID) (InboxMessage, error) {
	var m InboxMessage
	err := s.update(func(tx *txn) error {
		key := seqKey("in:", uint64(id))
		v, err := tx.Get(key)
		if err != nil {
			return fmt.Errorf("inbox %d: %w", id, ErrNotFound)
		}
		if err := decode(key, v, &m); err != nil {
			return err
		}
		m.Attempts++
		_, _, err = tx.Set(key, encode(&m), nil)
		return err
	})
	return m, err
}

// InboxDone removes a processed message; its dedup marker stays for DedupTTL.
// Done twice is fine.
func (s *Store) InboxDone(id ID) error {
	return s.update(func(tx *txn) error {
		inboxDoneTx(tx, id)
		return nil
	})
}

// markAppliedTx records on inbox message id (if still pending) the first
// change-set handling it made; id may instead be a plan step's (plans.go).
func markAppliedTx(tx *txn, id, cs ID) error {
	key := seqKey("in:", uint64(id))
	m, err := getJSON[InboxMessage](tx, key, nil)
	if err == nil && m == nil {
		return markStepAppliedTx(tx, id, cs)
	}
	if err != nil || m.Applied != 0 {
		return err
	}
	m.Applied = cs
	return putJSON(tx, key, m)
}

// inboxDoneTx removes a message from the inbox inside tx.
func inboxDoneTx(tx *txn, id ID) {
	tx.Delete(seqKey("inq:", uint64(id)))
	tx.Delete(seqKey("in:", uint64(id)))
}

// Meta reads a small named value kept by other packages (e.g. the last
// welcome sent to a user); "" if absent.
func (s *Store) Meta(name string) (string, error) {
	var v string
	err := s.view(func(tx *txn) error {
		var err error
		v, err = tx.Get("meta:x:" + name)
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil
		}
		return err
	})
	return v, err
}

// SetMeta writes a small named value; ttl 0 keeps it forever.
func (s *Store) SetMeta(name, value string, ttl time.Duration) error {
	if strings.ContainsAny(name, "\r\n") {
		return fmt.Errorf("store: bad meta name %q", name)
	}
	return s.update(func(tx *txn) error {
		now := s.now()
		sweepExpired(tx, now, sweepBatch)
		if ttl > 0 {
			return setExpiring(tx, "meta:x:"+name, value, now.Add(ttl))
		}
		clearExpiry(tx, "meta:x:"+name)
		_, _, err := tx.Set("meta:x:"+name, value, nil)
		return err
	})
}

type inboxKey struct{}

// WithInbox marks ctx as the handling of inbox message id. Change-sets made
// while handling it should carry the id (ChangeSet.Inbox), so that applying
// them also marks the message applied: a crash after the change can then
// not run the same message again.
func WithInbox(ctx context.Context, id ID) context.Context {
	return context.WithValue(ctx, inboxKey{}, id)
}

// InboxOf returns the inbox message ctx handles, or 0.
func InboxOf(ctx context.Context) ID {
	id, _ := ctx.Value(inboxKey{}).(ID)
	return id
}
