package store

import (
	"strings"
	"time"
)

// OpsCounts are the queue sizes and ages an operator watches (the admin
// listener's /metrics and /readyz read them at scrape time), counted from
// the store's own keys so they cannot drift from it.
type OpsCounts struct {
	InboxPending      int       // received callbacks not yet handled (inq:)
	InboxOldest       time.Time // when the oldest of them arrived; zero if none
	OutboxPending     int       // WeCom calls still to make (obl:)
	OutboxRetrying    int       // of those, calls tried at least once (waiting to retry)
	OutboxOldest      time.Time // when the oldest pending call was queued; zero if none
	RepliesQueued     int       // replies not yet sent (rq:)
	ActivitiesPending int       // received messages not yet classified (actq:)
}

// opsScanLimit bounds how many pending outbox entries OpsCounts decodes to
// count retries: past it only keys are counted (a backlog that large is
// the alarm by itself).
const opsScanLimit = 10000

// OpsCounts counts the queues in one read transaction.
func (s *Store) OpsCounts() (OpsCounts, error) {
	var c OpsCounts
	err := s.view(func(tx *txn) error {
		var ferr error
		scan(tx, "inq:", func(k, _ string) bool {
			if c.InboxPending == 0 {
				key := "in:" + k[len("inq:"):]
				var m InboxMessage
				if v, err := tx.Get(key); err == nil {
					if ferr = decode(key, v, &m); ferr != nil {
						return false
					}
					c.InboxOldest = m.Received
				}
			}
			c.InboxPending++
			return true
		})
		if ferr != nil {
			return ferr
		}
		ids, n, err := pendingIDs(tx, opsScanLimit, true) // outboxlanes.go
		if err != nil {
			return err
		}
		c.OutboxPending = n
		for i, id := range ids {
			e, err := getOutbox(tx, id)
			if err != nil {
				return err
			}
			if i == 0 {
				c.OutboxOldest = e.CreatedAt
			}
			if e.Attempts > 0 {
				c.OutboxRetrying++
			}
		}
		c.RepliesQueued = countPrefix(tx, "rq:")
		c.ActivitiesPending = countPrefix(tx, "actq:")
		return nil
	})
	return c, err
}

// countPrefix counts the keys with prefix.
func countPrefix(tx *txn, prefix string) int {
	n := 0
	tx.AscendGreaterOrEqual("", prefix, func(k, _ string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		n++
		return true
	})
	return n
}
