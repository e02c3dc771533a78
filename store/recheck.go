package store

import (
	"strings"
)

// RelRef names one relationship.
type RelRef struct{ Customer, Follower string }

func rcKey(customer, follower string) string { return "rc:" + customer + ":" + follower }

// busy reports whether what WeCom says of a relationship cannot be trusted
// now: calls are still pending, or the ledger changed it after since. A busy
// relationship is marked for a re-check inside tx.
func (s *Store) busy(tx *txn, customer, follower string, since ID) bool {
	if !hasPending(tx, customer, follower) && !changedSince(tx, customer, follower, since) {
		return false
	}
	tx.Set(rcKey(customer, follower), "", nil)
	return true
}

// changedSince reports whether a change-set from id since on touched the
// relationship.
func changedSince(tx *txn, customer, follower string, since ID) bool {
	if since == 0 {
		return false
	}
	found := false
	prefix := "ix:c:" + customer + ":"
	walk := func(iter func(k, v string) bool) error {
		return tx.AscendGreaterOrEqual("", seqKey(prefix, uint64(since)), iter)
	}
	walkIndex(tx, prefix, walk, func(cs ChangeSet) bool {
		found = cs.Follower == follower
		return !found
	})
	return found
}

// NextID is the id the next change-set will get. Taken before reading
// WeCom, it is ReconcileOptions.Since.
func (s *Store) NextID() (ID, error) {
	var id ID
	err := s.view(func(tx *txn) error {
		n, err := lastCS(tx)
		id = ID(n + 1)
		return err
	})
	return id, err
}

// Rechecks lists relationships marked by Reconcile for another look at
// WeCom whose outbox calls have all been sent, at most limit (0 = all).
func (s *Store) Rechecks(limit int) ([]RelRef, error) {
	var out []RelRef
	err := s.view(func(tx *txn) error {
		scan(tx, "rc:", func(k, _ string) bool {
			cust, fol, _ := strings.Cut(k[len("rc:"):], ":")
			if !hasPending(tx, cust, fol) {
				out = append(out, RelRef{cust, fol})
			}
			return limit <= 0 || len(out) < limit
		})
		return nil
	})
	return out, err
}

// RecheckDone clears a relationship's re-check mark.
func (s *Store) RecheckDone(r RelRef) error {
	return s.update(func(tx *txn) error {
		tx.Delete(rcKey(r.Customer, r.Follower))
		return nil
	})
}
