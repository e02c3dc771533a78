package mirror

import (
	"context"
	"fmt"
	"time"

	"github.com/tagbot/tagbot/store"
)

// How the worker reads the queue: the interactive lane whole (it is small)
// on every Kick and at least every Poll, the background lane in chunks.
const (
	interactiveScan = 1000
	backgroundChunk = 500
	// drainHoldMax is the longest pause of the API Drain waits out.
	drainHoldMax = 2 * time.Second
)

// Run sends the outbox until ctx is done, keeping up to Parallel calls in
// flight, due interactive entries always before background ones; it wakes
// on Kick, on the poll interval and when the earliest retry or the end of
// a pause falls due, and re-checks marked relationships whenever the queue
// has nothing due. When ctx ends it finishes the calls in hand, records
// their results and returns nil. Store errors are logged and the queue is
// read again after Poll.
func (w *Worker) Run(ctx context.Context) error {
	w.log.Info("outbox worker started", "parallel", w.opts.Parallel)
	defer w.log.Info("outbox worker stopped")
	for ctx.Err() == nil {
		// Between rounds the lock is free, so a Drain (the demo) may run.
		w.mu.Lock()
		wait, err := w.serve(ctx, false, nil)
		w.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			w.log.Error("outbox worker: store error, reading the queue again shortly", "err", err)
			wait = w.opts.Poll
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-w.kick:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// Drain sends every entry that is due now, including retries that fall due
// while it runs, re-checks marked relationships, and returns when nothing
// is left to try. Entries waiting for a later retry (or behind a pause of
// the API longer than drainHoldMax) stay queued, as do entries that failed transiently with
// MaxAttempts or more attempts: each of those is tried at most once more
// per Drain (Run keeps retrying them). It returns the first store error, or
// ctx's error if ctx ended first.
func (w *Worker) Drain(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.serve(ctx, true, map[store.ID]bool{}); err != nil {
		return fmt.Errorf("mirror drain: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mirror drain: %w", err)
	}
	if err := w.recheck(ctx); err != nil {
		return fmt.Errorf("mirror drain: %w", err)
	}
	return nil
}

// result is what a sender reports of one entry.
type result struct {
	e   store.OutboxEntry
	out outcome
	err error
}

// serve dispatches entries to Parallel senders until ctx ends or nothing
// is left to try now; it returns how long until something may be (for Run)
// and the first store error (after the calls in flight are recorded).
func (w *Worker) serve(ctx context.Context, drain bool, parked map[store.ID]bool) (time.Duration, error) {
	q := &queue{w: w, parked: parked, busy: map[string]bool{}}
	jobs := make(chan store.OutboxEntry)
	results := make(chan result, w.opts.Parallel)
	for range w.opts.Parallel {
		go func() {
			for e := range jobs {
				w.live.start()
				out, err := w.attempt(ctx, e)
				w.live.finish(out)
				results <- result{e, out, err}
			}
		}()
	}
	inflight := 0
	var ferr error
	defer func() {
		close(jobs)
		for ; inflight > 0; inflight-- {
			<-results
		}
	}()
	for ctx.Err() == nil && ferr == nil {
		select { // a Kick is seen before the next entry is picked
		case <-w.kick:
			q.kicked = true
		default:
		}
		now := w.opts.Now()
		if inflight < w.opts.Parallel && !q.held() {
			e, ok, err := q.next(now)
			if err != nil {
				return 0, err
			}
			if ok {
				q.busy[e.RelKey()] = true
				inflight++
				jobs <- e
				continue
			}
		}
		if inflight == 0 && !drain && q.held() {
			return time.Until(q.holdUntil), nil // wait out the pause without the lock
		}
		if inflight == 0 && drain && time.Until(q.holdUntil) > drainHoldMax {
			return 0, nil // the API is paused for long: what is left stays queued
		}
		if inflight == 0 && !q.held() {
			if q.restart(now) {
				continue
			}
			if drain {
				return 0, nil
			}
			if err := w.recheck(ctx); err != nil {
				return 0, err
			}
			return q.wait(w.opts.Now()), nil
		}
		select {
		case r := <-results:
			inflight--
			ferr = q.record(r)
		case <-w.kick:
			q.kicked = true
		case <-time.After(q.wait(now)):
			q.kicked = true
		case <-ctx.Done():
		}
	}
	return 0, ferr
}

// queue picks the next entry to send.
type queue struct {
	w      *Worker
	parked map[store.ID]bool // Drain: not to be tried again
	busy   map[string]bool   // relationships with a call in flight

	inter     []store.OutboxEntry // interactive entries read, not yet considered
	interAt   time.Time           // when the interactive lane was last read
	bg        []store.OutboxEntry // background entries read, not yet considered
	cursor    store.ID            // last background entry read
	bgEnd     bool                // the background lane was read to its end
	kicked    bool                // read both lanes from the start
	wake      time.Time           // earliest NextAt of an entry passed over
	busySkip  bool                // an entry was passed over because its relationship was busy
	holdUntil time.Time           // the API is paused until then (real time)
}

// next returns the next entry to send: a due interactive one if any, else a
// due background one, always the first pending entry of its relationship.
func (q *queue) next(now time.Time) (store.OutboxEntry, bool, error) {
	if q.kicked || q.interAt.IsZero() || now.Sub(q.interAt) >= q.w.opts.Poll {
		list, err := q.w.st.OutboxLane(false, 0, interactiveScan)
		if err != nil {
			return store.OutboxEntry{}, false, err
		}
		q.inter, q.interAt = list, now
	}
	if q.kicked { // read from the start: what was passed over is noted again
		q.kicked, q.bg, q.cursor, q.bgEnd = false, nil, 0, false
		q.wake, q.busySkip = time.Time{}, false
	}
	// Interactive entries stay listed until sent or finished: one whose
	// relationship first sends an earlier entry goes right after it, and
	// while it waits for that call no background entry takes its place.
	waiting := false
	for i := 0; i < len(q.inter); {
		e := q.inter[i]
		waiting = waiting || q.busy[e.RelKey()]
		c, ok, err := q.candidate(e, now)
		if err != nil {
			return c, false, err
		}
		if ok && c.ID != e.ID {
			return c, true, nil
		}
		if ok || c.ID == 0 {
			q.inter = append(q.inter[:i], q.inter[i+1:]...)
		} else {
			i++
		}
		if ok {
			return c, true, nil
		}
	}
	if waiting {
		return store.OutboxEntry{}, false, nil
	}
	for {
		for len(q.bg) > 0 {
			e := q.bg[0]
			q.bg = q.bg[1:]
			if c, ok, err := q.candidate(e, now); err != nil || ok {
				return c, ok, err
			}
		}
		if q.bgEnd {
			return store.OutboxEntry{}, false, nil
		}
		chunk, err := q.w.st.OutboxLane(true, q.cursor, backgroundChunk)
		if err != nil {
			return store.OutboxEntry{}, false, err
		}
		if len(chunk) == 0 {
			q.bgEnd = true
			continue
		}
		q.cursor, q.bg = chunk[len(chunk)-1].ID, chunk
	}
}

// candidate returns what to send for e: the first pending entry of its
// relationship (e itself, or an earlier one of either lane, so a
// relationship's entries always go in order), if due and not in flight.
// It returns a zero entry when the relationship has nothing pending.
func (q *queue) candidate(e store.OutboxEntry, now time.Time) (store.OutboxEntry, bool, error) {
	if q.busy[e.RelKey()] {
		q.busySkip = true
		return e, false, nil
	}
	if e.NextAt.After(now) { // e may be stale, but its retry only ever moves later
		q.noteWake(e.NextAt)
		return e, false, nil
	}
	rel, err := q.w.st.RelOutbox(e.Customer, e.Follower)
	if err != nil || len(rel) == 0 {
		return store.OutboxEntry{}, false, err // finished meanwhile
	}
	head := rel[0]
	if q.parked[head.ID] {
		return head, false, nil
	}
	if head.NextAt.After(now) {
		q.noteWake(head.NextAt)
		return head, false, nil
	}
	return head, true, nil
}

// record takes a sender's result; it returns the store error, if any.
func (q *queue) record(r result) error {
	delete(q.busy, r.e.RelKey())
	switch {
	case !r.out.heldUntil.IsZero():
		if r.out.heldUntil.After(q.holdUntil) {
			q.holdUntil = r.out.heldUntil
		}
		q.kicked = true // the entry is still due: read the lanes again after the pause
	case !r.out.retryAt.IsZero():
		q.noteWake(r.out.retryAt)
	}
	if r.out.parked != 0 && q.parked != nil {
		q.parked[r.out.parked] = true
	}
	return r.err
}

// noteWake remembers the earliest retry passed over.
func (q *queue) noteWake(t time.Time) {
	if q.wake.IsZero() || t.Before(q.wake) {
		q.wake = t
	}
}

// held reports whether the API is paused.
func (q *queue) held() bool { return time.Now().Before(q.holdUntil) }

// restart reports whether both lanes were read to their end but something
// may be due now: a retry whose time came, or an entry passed over behind
// its relationship's call in flight. It then starts reading them again.
func (q *queue) restart(now time.Time) bool {
	if !q.bgEnd {
		return false
	}
	if q.busySkip || (!q.wake.IsZero() && !q.wake.After(now)) {
		q.busySkip, q.wake, q.kicked = false, time.Time{}, true
		return true
	}
	return false
}

// wait is how long until the queue should be looked at again without a
// Kick: the poll interval, the earliest retry, the end of a pause.
func (q *queue) wait(now time.Time) time.Duration {
	wait := q.w.opts.Poll
	if !q.wake.IsZero() {
		wait = min(wait, max(q.wake.Sub(now), 0))
	}
	if d := time.Until(q.holdUntil); d > 0 {
		wait = d
	}
	return wait
}
