package store

import (
	"strconv"
	"strings"
)

// Two sequences are not kept in meta:seq: keys, so that Apply writes two
// keys fewer per change-set:
//
//   - the change-set sequence is the chain head's: meta:chain holds the
//     newest change-set's id (chain.go);
//   - the outbox sequence is kept in memory (Store.obSeq, under wmu): the
//     highest ob: key at Open, advanced by each transaction that queues an
//     entry and adopted when it commits. Outbox entries are never deleted,
//     so the highest key is the last id handed out.
//
// A store written before this kept meta:seq:cs and meta:seq:ob; Open
// takes them into account once and deletes them (initSeqs).

// topSeq is the highest sequence among the keys prefix<seq> (0: none).
func topSeq(tx *txn, prefix string) (uint64, error) {
	var top uint64
	var ferr error
	tx.DescendLessOrEqual("", prefix+"~", func(k, _ string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		id, err := seqOf(k, prefix)
		top, ferr = uint64(id), err
		return false
	})
	return top, ferr
}

// legacyLastCS is the newest change-set of a store whose chain has not
// started: its highest cs: key or its counter, whichever is higher.
func legacyLastCS(tx *txn) (uint64, error) {
	top, err := topSeq(tx, "cs:")
	if err != nil {
		return 0, err
	}
	counter, err := lastSeq(tx, "cs")
	return max(top, counter), err
}

// initSeqs sets the change-set and outbox sequences at Open (after
// startChain) from the keys they number, and retires the meta:seq:cs and
// meta:seq:ob counters of an older store.
//
// A change-set above the chain head (a write torn by a power cut in a store
// from before frames kept the change-set but lost the head) lifts the head
// to it, so the next change-set cannot overwrite it; VerifyChain (`tagbot
// check`) reports what else the torn write left.
func (s *Store) initSeqs(tx *txn) error {
	top, err := topSeq(tx, "cs:")
	if err != nil {
		return err
	}
	head, hash, err := chainHead(tx)
	if err != nil {
		return err
	}
	if top > uint64(head) {
		if v, err := tx.Get(seqKey("cs:", top)); err == nil {
			if h, _, ok := splitHashed(v); ok {
				hash = h
			}
		}
		s.log.Warn("chain head behind the ledger, lifted (tagbot check verifies the chain)", "head", head, "highest", top, "in_memory_only", s.readOnly)
		if _, _, err := tx.Set("meta:chain", strconv.FormatUint(top, 10)+" "+hash, nil); err != nil {
			return err
		}
	}
	obTop, err := topSeq(tx, "ob:")
	if err != nil {
		return err
	}
	obCounter, err := lastSeq(tx, "ob")
	if err != nil {
		return err
	}
	tx.obSeq = max(obTop, obCounter)
	for _, k := range []string{"meta:seq:cs", "meta:seq:ob"} {
		if _, err := tx.Get(k); err == nil {
			if _, err := tx.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}
