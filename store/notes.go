package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Trigger notes: messages a tag trigger queued (notify the technical team
// now, remind the follower in three days), kept until they are due and then
// turned into queued replies (replies.go) in one transaction, so a note is
// neither lost nor sent twice across restarts.
//
//	tn:<seq>            Note
//	tnd:<unix>:<seq>    the note is due then (12 digits each; value "")
//
// Notes are not derived from the ledger: Rebuild leaves them as they are.

// Note is one message a trigger queued.
type Note struct {
	ID   ID        `json:"id"`
	Due  time.Time `json:"due"`
	To   []string  `json:"to"` // member userids
	Text string    `json:"text"`
	// Trigger names the trigger that queued it (logs, /history).
	Trigger  string `json:"trigger,omitempty"`
	Customer string `json:"customer,omitempty"`
	Follower string `json:"follower,omitempty"`
	// IfTag, when set, cancels the note if at its due time the
	// relationship no longer has that tag (IfAbsent: has it again).
	IfTag    string `json:"if_tag,omitempty"`
	IfAbsent bool   `json:"if_absent,omitempty"`
	Cause    ID     `json:"cause,omitempty"` // the change-set that queued it
	// Tag is the tag the note is about (the one that fired the trigger):
	// the sender keeps it from members who may not see its group
	// (DeliverNoteTo).
	Tag TagRef `json:"tag,omitempty"`
}

// maxNoteText bounds a note's text (WeCom's text message holds 2048 bytes).
const maxNoteText = 2000

func noteKey(id ID) string { return seqKey("tn:", uint64(id)) }

func noteDueKey(n *Note) string {
	return fmt.Sprintf("tnd:%012d:%012d", n.Due.Unix(), uint64(n.ID))
}

// putNoteTx queues n (its ID is assigned) inside tx.
func putNoteTx(tx *txn, n Note) error {
	var to []string // a userid that cannot be a key is skipped: a note never fails the change that queued it
	for _, u := range n.To {
		if u != "" && !strings.ContainsAny(u, ":\r\n") {
			to = append(to, u)
		}
	}
	if n.To = to; len(n.To) == 0 || n.Text == "" {
		return nil
	}
	if len(n.Text) > maxNoteText {
		cut := maxNoteText
		for cut > 0 && !utf8.RuneStart(n.Text[cut]) {
			cut--
		}
		n.Text = n.Text[:cut]
	}
	seq, err := nextSeq(tx, "tn")
	if err != nil {
		return err
	}
	n.ID, n.Due = ID(seq), n.Due.UTC()
	if err := putJSON(tx, noteKey(n.ID), &n); err != nil {
		return err
	}
	_, _, err = tx.Set(noteDueKey(&n), "", nil)
	return err
}

// DueNotes lists up to limit notes due at now, earliest first.
func (s *Store) DueNotes(now time.Time, limit int) ([]Note, error) {
	var out []Note
	err := s.view(func(tx *txn) error {
		var ids []ID
		bound := fmt.Sprintf("tnd:%012d;", now.Unix()) // ';' sorts after ':'
		tx.AscendRange("", "tnd:", bound, func(k, _ string) bool {
			if n, err := strconv.ParseUint(k[strings.LastIndexByte(k, ':')+1:], 10, 64); err == nil {
				ids = append(ids, ID(n))
			}
			return len(ids) < limit
		})
		for _, id := range ids {
			n, err := getJSON[Note](tx, noteKey(id), nil)
			if err != nil {
				return err
			}
			out = append(out, *n)
		}
		return nil
	})
	return out, err
}

// Notes lists every queued note, by id (for tests and status).
func (s *Store) Notes() ([]Note, error) {
	var out []Note
	err := s.view(func(tx *txn) error {
		return scanJSON(tx, "tn:", func(_ string, n *Note) bool {
			out = append(out, *n)
			return true
		})
	})
	return out, err
}

// DeliverNote turns note id into replies queued to its members and
// deletes it, in one transaction, unless its condition no longer holds
// (the tag is gone, or the relationship is): then it is only deleted.
// sent reports which; a note already delivered is ErrNotFound.
func (s *Store) DeliverNote(id ID) (sent bool, err error) { return s.DeliverNoteTo(id, nil) }

// DeliverNoteTo is DeliverNote sending only to the members keep accepts
// (all when keep is nil); it runs inside the transaction, so it must not
// call the Store. The note is done either way.
func (s *Store) DeliverNoteTo(id ID, keep func(user string) bool) (sent bool, err error) {
	err = s.update(func(tx *txn) error {
		n, err := getJSON[Note](tx, noteKey(id), func() error { return fmt.Errorf("note %d: %w", id, ErrNotFound) })
		if err != nil {
			return err
		}
		if sent, err = noteHolds(tx, n); err != nil {
			return err
		}
		if sent {
			for _, u := range n.To {
				if keep != nil && !keep(u) {
					continue
				}
				if err := queueRepliesTx(tx, u, []QueuedReply{{Text: n.Text}}, s.now().UTC()); err != nil {
					return err
				}
			}
		}
		tx.Delete(noteDueKey(n))
		_, err = tx.Delete(noteKey(id))
		return err
	})
	return sent, err
}

// noteHolds reports whether n's condition still holds.
func noteHolds(tx *txn, n *Note) (bool, error) {
	if n.IfTag == "" {
		return true, nil
	}
	rel, err := getRel(tx, n.Customer, n.Follower)
	if errors.Is(err, ErrNoRelationship) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, has := rel.Tags[n.IfTag]
	return has != n.IfAbsent, nil
}
