package store

import (
	"strings"
	"time"
)

// exportChunk is how many change-sets or customers one read transaction of
// an export holds: a long BuntDB read lock would stall every writer, and a
// whole ledger in one slice would not be bounded memory.
const exportChunk = 1024

// EachChangeSet calls fn with every change-set at or after since (zero:
// all), oldest first, until fn returns an error, which it returns. It
// reads the ledger in chunks of separate read transactions, so writers go
// on meanwhile and memory stays bounded; change-sets are immutable and
// appended in sequence, so the chunks join into one consistent run: the
// ledger as it was when the export began (later change-sets are left out).
func (s *Store) EachChangeSet(since time.Time, fn func(cs *ChangeSet) error) error {
	var lo, hi ID
	err := s.view(func(tx *txn) error {
		var err error
		lo, hi, err = idRange(tx, Query{Since: since}, true)
		return err
	})
	if err != nil {
		return err
	}
	batch := make([]ChangeSet, 0, exportChunk)
	for lo <= hi {
		batch = batch[:0]
		end := min(hi, lo+exportChunk-1)
		err := s.view(func(tx *txn) error {
			for id := lo; id <= end; id++ {
				cs, err := getChangeSet(tx, id)
				if err != nil {
					return err
				}
				batch = append(batch, cs)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i := range batch {
			if err := fn(&batch[i]); err != nil {
				return err
			}
		}
		lo = end + 1
	}
	return nil
}

// EachCustomer calls fn with every customer and its relationships (with
// their current tags), in external_userid order, until fn returns an
// error, which it returns. Like EachChangeSet it reads in chunks; each
// customer is read whole in one transaction, but a customer changed while
// the export runs may show its state before or after the change.
func (s *Store) EachCustomer(fn func(c *Customer, rels []Relationship) error) error {
	type item struct {
		c    Customer
		rels []Relationship
	}
	after := "cust:"
	for {
		var batch []item
		err := s.view(func(tx *txn) error {
			var ferr error
			tx.AscendGreaterOrEqual("", after, func(k, v string) bool {
				if k == after {
					return true
				}
				if !strings.HasPrefix(k, "cust:") || len(batch) == exportChunk {
					return false
				}
				var it item
				if ferr = decode(k, v, &it.c); ferr != nil {
					return false
				}
				rels, err := relsOf(tx, &it.c)
				if err != nil {
					ferr = err
					return false
				}
				for _, r := range rels {
					it.rels = append(it.rels, *r)
				}
				batch = append(batch, it)
				after = k
				return true
			})
			return ferr
		})
		if err != nil {
			return err
		}
		for i := range batch {
			if err := fn(&batch[i].c, batch[i].rels); err != nil {
				return err
			}
		}
		if len(batch) < exportChunk {
			return nil
		}
	}
}
