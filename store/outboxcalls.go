package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// WeCom counts an API's calls per hour for the whole corp, and a breach
// blocks the API for an hour. The client's hourly budget (wecom.gate)
// lives in memory, so a restart would start it from zero: the outbox
// therefore records how many mark_tag calls it made in each minute, in the
// same transaction as each call's outcome (done, retry or failed), and a
// starting tagbot seeds its budget with the last hour of them.
//
// Keys: obm:<unix minute, 12 digits> → calls made in that minute. Buckets
// older than callWindow are deleted as new ones are written.

// callWindow is how long per-minute call counts are kept.
const callWindow = 2 * time.Hour

func callKey(minute int64) string { return fmt.Sprintf("obm:%012d", minute) }

// noteCall counts one WeCom call made at t, and drops buckets past callWindow.
func noteCall(tx *txn, t time.Time) error {
	minute := t.Unix() / 60
	n := 0
	if v, err := tx.Get(callKey(minute)); err == nil {
		n, _ = strconv.Atoi(v)
	}
	if _, _, err := tx.Set(callKey(minute), strconv.Itoa(n+1), nil); err != nil {
		return err
	}
	cut := callKey(minute - int64(callWindow/time.Minute))
	var old []string
	scan(tx, "obm:", func(k, _ string) bool {
		if k >= cut {
			return false
		}
		old = append(old, k)
		return true
	})
	for _, k := range old {
		if _, err := tx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// MinuteCalls is how many WeCom calls the outbox made in one minute.
type MinuteCalls struct {
	Minute time.Time // the minute's start
	Calls  int
}

// OutboxCallsSince returns the outbox's calls per minute from since's
// minute on, oldest first (at most callWindow back).
func (s *Store) OutboxCallsSince(since time.Time) ([]MinuteCalls, error) {
	var out []MinuteCalls
	from := callKey(since.Unix() / 60)
	err := s.view(func(tx *txn) error {
		scan(tx, "obm:", func(k, v string) bool {
			if k < from {
				return true
			}
			m, err := strconv.ParseInt(strings.TrimPrefix(k, "obm:"), 10, 64)
			n, err2 := strconv.Atoi(v)
			if err == nil && err2 == nil && n > 0 {
				out = append(out, MinuteCalls{Minute: time.Unix(m*60, 0).UTC(), Calls: n})
			}
			return true
		})
		return nil
	})
	return out, err
}
