package store

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// The outbox's two lanes and its counters.
//
// Every pending entry is in one lane: obl:i:<seq> (interactive: a /tag, a
// confirmed suggestion, an undo) or obl:b:<seq> (background: the entries of
// change-sets whose ChangeSet.Background() holds — bulk, import,
// lifecycle, merge, a "bg-" batch). The worker serves due interactive
// entries before background ones, so one employee's /tag never waits behind
// a batch of 100,000.
//
// obc:l:i and obc:l:b hold the counts of each lane, obc:b:<batch> those of
// one batch (OutboxCounts, JSON); Apply and the outcome of each entry keep
// them, Rebuild rewrites them from the entries. The counts of the whole
// outbox are the two lanes' together (no key of their own: one key fewer
// per Apply). obcv says which of these keys the store has: "2" these;
// "1" (before) also obc:t, the whole outbox's counts, and the queue obq:,
// which the lanes make redundant — Open deletes them.

// Outbox lanes.
const (
	laneInteractive = "i"
	laneBackground  = "b"
	outboxCountsV   = "2"
)

// OutboxCounts counts outbox entries by status: of the whole outbox, of one
// lane or of one batch. 发件箱计数。
type OutboxCounts struct {
	Batch      string      `json:"batch,omitempty"`
	Background bool        `json:"background,omitempty"`
	Actor      string      `json:"actor,omitempty"` // who started the batch (its first entry's actor)
	Pending    int         `json:"pending"`
	Done       int         `json:"done"`
	Failed     map[int]int `json:"failed,omitempty"` // by errcode
	First      time.Time   `json:"first"`            // when its first entry was queued
	Last       time.Time   `json:"last"`             // when an entry last finished
}

// FailedTotal is the number of failed entries, all errcodes together.
func (c OutboxCounts) FailedTotal() int {
	n := 0
	for _, v := range c.Failed {
		n += v
	}
	return n
}

func lane(bg bool) string {
	if bg {
		return laneBackground
	}
	return laneInteractive
}

// addCounts adds c to into: the whole outbox is its two lanes.
func addCounts(into *OutboxCounts, c OutboxCounts) {
	if !c.First.IsZero() && (into.First.IsZero() || c.First.Before(into.First)) {
		into.First, into.Actor, into.Background = c.First, c.Actor, c.Background
	}
	into.Pending += c.Pending
	into.Done += c.Done
	for code, n := range c.Failed {
		if into.Failed == nil {
			into.Failed = map[int]int{}
		}
		into.Failed[code] += n
	}
	if c.Last.After(into.Last) {
		into.Last = c.Last
	}
}

// count applies one entry's move (from "" when queued, to its new status
// at time at) to c.
func count(c *OutboxCounts, e *OutboxEntry, from OutboxStatus, at time.Time) {
	switch from {
	case OutboxStatusPending:
		c.Pending--
	case "":
		if c.First.IsZero() {
			c.First, c.Actor, c.Background = e.CreatedAt, e.Actor, e.Background
		}
	}
	switch e.Status {
	case OutboxStatusPending:
		c.Pending++
	case OutboxStatusDone:
		c.Done++
	case OutboxStatusFailed:
		if c.Failed == nil {
			c.Failed = map[int]int{}
		}
		c.Failed[e.ErrCode]++
	}
	if e.Status != OutboxStatusPending && at.After(c.Last) {
		c.Last = at
	}
}

// recount moves e from status from to its status in the stored counters
// and lanes.
func recount(tx *txn, e *OutboxEntry, from OutboxStatus, at time.Time) error {
	if from == "" && e.Status == OutboxStatusPending {
		if _, _, err := tx.Set(laneKey(e.Background, e.ID), "", nil); err != nil {
			return err
		}
	} else if from == OutboxStatusPending && e.Status != OutboxStatusPending {
		if _, err := tx.Delete(laneKey(e.Background, e.ID)); err != nil && !errors.Is(err, buntdb.ErrNotFound) {
			return err
		}
	}
	for _, k := range countKeys(e) {
		if k == "" {
			break
		}
		c, err := getCounts(tx, k) // countscodec.go
		if err != nil {
			return err
		}
		if c == nil {
			c = &OutboxCounts{Batch: strings.TrimPrefix(k, "obc:b:")}
			if !strings.HasPrefix(k, "obc:b:") {
				c.Batch = ""
			}
		}
		count(c, e, from, at)
		if err := putCounts(tx, k, c); err != nil {
			return err
		}
	}
	return nil
}

// deriveOutbox computes the lane keys and counters from the entries.
func deriveOutbox(tx *txn) (lanes map[string]bool, counts map[string]*OutboxCounts, err error) {
	lanes, counts = map[string]bool{}, map[string]*OutboxCounts{}
	err = scanJSON(tx, "ob:", func(_ string, e *OutboxEntry) bool {
		if e.Status == OutboxStatusPending {
			lanes[laneKey(e.Background, e.ID)] = true
		}
		for _, k := range countKeys(e) {
			if k == "" {
				break
			}
			if counts[k] == nil {
				counts[k] = &OutboxCounts{}
				if b, ok := strings.CutPrefix(k, "obc:b:"); ok {
					counts[k].Batch = b
				}
			}
			count(counts[k], e, "", e.DoneAt)
		}
		return true
	})
	return lanes, counts, err
}

// rewriteOutbox makes the lane keys and counters what the entries say and
// reports how many keys it changed.
func rewriteOutbox(tx *txn) (int, error) {
	lanes, counts, err := deriveOutbox(tx)
	if err != nil {
		return 0, err
	}
	changed, err := retireV1Keys(tx)
	if err != nil {
		return 0, err
	}
	var extra []string
	scan(tx, "obl:", func(k, _ string) bool {
		if !lanes[k] {
			extra = append(extra, k)
		}
		delete(lanes, k)
		return true
	})
	scan(tx, "obc:", func(k, v string) bool {
		if c, ok := counts[k]; ok && encode(c) == v {
			delete(counts, k)
		} else if !ok {
			extra = append(extra, k)
		}
		return true
	})
	for _, k := range extra {
		if _, err := tx.Delete(k); err != nil {
			return changed, err
		}
		changed++
	}
	for _, k := range slices.Sorted(maps.Keys(lanes)) {
		if _, _, err := tx.Set(k, "", nil); err != nil {
			return changed, err
		}
		changed++
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		if err := putJSON(tx, k, counts[k]); err != nil {
			return changed, err
		}
		changed++
	}
	_, _, err = tx.Set("obcv", outboxCountsV, nil)
	return changed, err
}

// initOutboxLanes derives the lanes and counters once for a store from
// before them, and deletes the keys of version "1" the lanes replaced
// (Open).
func initOutboxLanes(tx *txn) error {
	switch v, _ := tx.Get("obcv"); v {
	case outboxCountsV:
		return nil
	case "1":
		if _, err := retireV1Keys(tx); err != nil {
			return err
		}
		_, _, err := tx.Set("obcv", outboxCountsV, nil)
		return err
	}
	_, err := rewriteOutbox(tx)
	return err
}

// retireV1Keys deletes obc:t and the obq: queue (obcv "1"), reporting how
// many keys it deleted.
func retireV1Keys(tx *txn) (int, error) {
	var keys []string
	scan(tx, "obq:", func(k, _ string) bool {
		keys = append(keys, k)
		return true
	})
	if _, err := tx.Get("obc:t"); err == nil {
		keys = append(keys, "obc:t")
	}
	for _, k := range keys {
		if _, err := tx.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// pendingIDs lists up to limit (0: all) pending entries' ids in queue
// order, both lanes merged; with countAll, n is the number pending in all
// (else at most what it lists).
func pendingIDs(tx *txn, limit int, countAll bool) (ids []ID, n int, err error) {
	var lanes [2][]ID
	for i, bg := range []bool{false, true} {
		prefix := "obl:" + lane(bg) + ":"
		scan(tx, prefix, func(k, _ string) bool {
			n++
			if limit <= 0 || len(lanes[i]) < limit {
				var id ID
				if id, err = seqOf(k, prefix); err != nil {
					return false
				}
				lanes[i] = append(lanes[i], id)
			}
			return countAll || limit <= 0 || len(lanes[i]) < limit
		})
		if err != nil {
			return nil, 0, err
		}
	}
	ids = append(lanes[0], lanes[1]...)
	slices.Sort(ids)
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	if !countAll {
		n = len(ids)
	}
	return ids, n, nil
}

// OutboxLane lists up to limit pending entries of one lane (background or
// interactive) in queue order, after the entry after (0: from the start).
func (s *Store) OutboxLane(background bool, after ID, limit int) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := s.view(func(tx *txn) error {
		prefix := "obl:" + lane(background) + ":"
		var ferr error
		tx.AscendGreaterOrEqual("", seqKey(prefix, uint64(after)+1), func(k, _ string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			id, err := seqOf(k, prefix)
			if err == nil {
				var e *OutboxEntry
				if e, err = getOutbox(tx, id); err == nil {
					out = append(out, *e)
				}
			}
			ferr = err
			return err == nil && (limit <= 0 || len(out) < limit)
		})
		return ferr
	})
	return out, err
}

// RelOutbox lists the pending entries of one relationship in queue order.
func (s *Store) RelOutbox(customer, follower string) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := s.view(func(tx *txn) error {
		prefix := "obr:" + customer + ":" + follower + ":"
		var ferr error
		scan(tx, prefix, func(k, _ string) bool {
			n, err := strconv.ParseUint(k[len(prefix):], 10, 64)
			if err == nil {
				var e *OutboxEntry
				if e, err = getOutbox(tx, ID(n)); err == nil {
					out = append(out, *e)
				}
			}
			ferr = err
			return err == nil
		})
		return ferr
	})
	return out, err
}

// OutboxCountsAll returns the counts of the whole outbox, of the
// interactive and the background lane, and of every batch (oldest first,
// then by id).
func (s *Store) OutboxCountsAll() (total, interactive, background OutboxCounts, batches []OutboxCounts, err error) {
	err = s.view(func(tx *txn) error {
		counts := map[string]*OutboxCounts{}
		if v, gerr := tx.Get("obcv"); gerr != nil || v != outboxCountsV {
			var derr error // a read-only store from before the counters
			if _, counts, derr = deriveOutbox(tx); derr != nil {
				return derr
			}
		} else {
			if ferr := scanJSON(tx, "obc:", func(k string, c *OutboxCounts) bool {
				counts[k] = c
				return true
			}); ferr != nil {
				return ferr
			}
		}
		for k, c := range counts {
			switch {
			case k == "obc:l:i":
				interactive = *c
			case k == "obc:l:b":
				background = *c
			case strings.HasPrefix(k, "obc:b:"):
				batches = append(batches, *c)
			}
		}
		addCounts(&total, interactive)
		addCounts(&total, background)
		return nil
	})
	slices.SortFunc(batches, func(a, b OutboxCounts) int {
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		return strings.Compare(a.Batch, b.Batch)
	})
	return total, interactive, background, batches, err
}
