package store

// Replies the bot has yet to send are queued here so a restart sends what
// was pending instead of losing it.
//
// Key scheme (add to the list at the top of store.go):
//
//	meta:seq:rq                last sequence handed out for rq (plain number)
//	rq:<seq>                   QueuedReply: a reply not yet sent, until sent or dropped
//	rqu:<userid>:<seq>         queued replies by member, in order (value "")

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// QueuedReply is a reply waiting to be sent to a member: a text, a card or
// an image or file.
type QueuedReply struct {
	ID   ID         `json:"id"`
	User string     `json:"user"`
	Text string     `json:"text,omitempty"`
	Card *ReplyCard `json:"card,omitempty"`
	// Media is an image or file (replymedia.go); its bytes, given in Blob
	// to ReplyPut, are kept under their own key (ReplyBlob).
	Media    *ReplyMedia `json:"media,omitempty"`
	Blob     []byte      `json:"-"`
	QueuedAt time.Time   `json:"queued_at"`
	// Tries counts transient send failures; NextAt is when to try again.
	Tries  int       `json:"tries,omitempty"`
	NextAt time.Time `json:"next_at,omitempty"`
}

// ReplyCard is a queued button or checkbox card (the fields of commands.Card).
type ReplyCard struct {
	TaskID  string        `json:"task_id"`
	Title   string        `json:"title"`
	Desc    string        `json:"desc,omitempty"`
	Lines   []string      `json:"lines,omitempty"`
	Buttons []ReplyButton `json:"buttons,omitempty"`
	Choices []ReplyChoice `json:"choices,omitempty"` // a checkbox card's options
}

// ReplyChoice is an option of a checkbox ReplyCard.
type ReplyChoice struct {
	Key     string `json:"key"`
	Text    string `json:"text"`
	Checked bool   `json:"checked,omitempty"`
}

// ReplyButton is a button of a ReplyCard.
type ReplyButton struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

func rqKey(id ID) string { return seqKey("rq:", uint64(id)) }

func rquPrefix(user string) string { return "rqu:" + user + ":" }

// rquKey is the queue key of reply seq to user.
func rquKey(user string, seq uint64) string { return joinSeq(seq, rquPrefix(user)) }

func getReply(tx *txn, id ID) (*QueuedReply, error) {
	return getJSON[QueuedReply](tx, rqKey(id), func() error { return fmt.Errorf("reply %d: %w", id, ErrNotFound) })
}

// ReplyPut queues items for user, in order, in one transaction. It sets
// each item's ID and User, and QueuedAt when zero.
func (s *Store) ReplyPut(user string, items []QueuedReply) error {
	if user == "" || strings.ContainsAny(user, ":\r\n") {
		return fmt.Errorf("store: bad reply user %q", user)
	}
	for _, r := range items {
		if r.Text == "" && r.Card == nil && r.Media == nil {
			return fmt.Errorf("store: reply to %s has neither text, card nor media", user)
		}
	}
	now := s.now().UTC()
	return s.update(func(tx *txn) error {
		return queueRepliesTx(tx, user, items, now)
	})
}

// queueRepliesTx queues replies to user inside tx (user and items checked).
func queueRepliesTx(tx *txn, user string, items []QueuedReply, now time.Time) error {
	for _, r := range items {
		seq, err := nextSeq(tx, "rq")
		if err != nil {
			return err
		}
		r.ID, r.User = ID(seq), user
		if r.QueuedAt.IsZero() {
			r.QueuedAt = now
		}
		if _, _, err := tx.Set(rquKey(user, seq), "", nil); err != nil {
			return err
		}
		if err := putBlobTx(tx, &r); err != nil {
			return err
		}
		if err := putJSON(tx, rqKey(r.ID), &r); err != nil {
			return err
		}
	}
	return nil
}

// RepliesPending lists up to limit queued replies of every member, oldest
// first (0 = all).
func (s *Store) RepliesPending(limit int) ([]QueuedReply, error) {
	var out []QueuedReply
	err := s.view(func(tx *txn) error {
		return scanJSON(tx, "rq:", func(_ string, r *QueuedReply) bool {
			out = append(out, *r)
			return limit <= 0 || len(out) < limit
		})
	})
	return out, err
}

// RepliesFor lists user's queued replies in order.
func (s *Store) RepliesFor(user string) ([]QueuedReply, error) {
	var out []QueuedReply
	err := s.view(func(tx *txn) error {
		prefix := rquPrefix(user)
		var ferr error
		scan(tx, prefix, func(k, _ string) bool {
			id, err := seqOf(k, prefix)
			if err != nil {
				ferr = err
				return false
			}
			r, err := getReply(tx, id)
			if err != nil {
				ferr = fmt.Errorf("%w: %s points at a missing reply", ErrCorrupt, k)
				return false
			}
			out = append(out, *r)
			return true
		})
		return ferr
	})
	return out, err
}

// ReplyUsers lists the members with queued replies, sorted.
func (s *Store) ReplyUsers() ([]string, error) {
	var out []string
	err := s.view(func(tx *txn) error {
		pivot := "rqu:"
		for {
			var user string
			var ferr error
			tx.AscendGreaterOrEqual("", pivot, func(k, _ string) bool {
				if strings.HasPrefix(k, "rqu:") {
					i := strings.LastIndexByte(k, ':')
					if user = k[len("rqu:"):max(i, len("rqu:"))]; user == "" {
						ferr = fmt.Errorf("%w: %s", ErrCorrupt, k)
					}
				}
				return false
			})
			if ferr != nil || user == "" {
				return ferr
			}
			out = append(out, user)
			pivot = "rqu:" + user + ";" // just past every "rqu:<user>:" key
		}
	})
	return out, err
}

// RepliesDone removes sent (or dropped) replies; ids no longer queued are
// skipped.
func (s *Store) RepliesDone(ids ...ID) error {
	return s.update(func(tx *txn) error {
		for _, id := range ids {
			r, err := getReply(tx, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			tx.Delete(rquKey(r.User, uint64(id)))
			if r.Media != nil {
				tx.Delete(rqbKey(id))
			}
			if _, err := tx.Delete(rqKey(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReplyRetry records a transient send failure of a queued reply and when to
// try again.
func (s *Store) ReplyRetry(id ID, next time.Time) error {
	return s.updateReply(id, func(r *QueuedReply) error {
		r.Tries++
		r.NextAt = next.UTC()
		return nil
	})
}

// ReplyCut records that the head of a long text reply was sent: the reply
// keeps only rest, and its tries start over.
func (s *Store) ReplyCut(id ID, rest string) error {
	return s.updateReply(id, func(r *QueuedReply) error {
		if r.Card != nil || r.Media != nil || rest == "" {
			return fmt.Errorf("store: reply %d: cut needs a text and a rest", id)
		}
		r.Text, r.Tries, r.NextAt = rest, 0, time.Time{}
		return nil
	})
}

// updateReply changes one queued reply in a transaction.
func (s *Store) updateReply(id ID, change func(r *QueuedReply) error) error {
	return s.update(func(tx *txn) error {
		r, err := getReply(tx, id)
		if err != nil {
			return err
		}
		if err := change(r); err != nil {
			return err
		}
		return putJSON(tx, rqKey(id), r)
	})
}
