package intake

import (
	"cmp"
	"context"
	"time"

	"github.com/tagbot/tagbot/store"
)

// lanesPerSlot is how many customers' activities may be started per
// classification slot: the others wait out a retry back-off.
const lanesPerSlot = 4

// sched is Run's bookkeeping: the queued activities it has read, by
// customer, and which customers have one running. Only Run's goroutine
// touches it; the activities run in goroutines of their own and report
// back on a channel.
type sched struct {
	lanes   map[string]*lane // customer → ids read and not finished, in id order
	ready   []string         // customers with ids waiting and none running, first come first served
	held    int              // ids in lanes (at most maxHeld)
	running int              // lanes whose first activity was started (at most lanesPerSlot × concurrency)
	after   store.ID         // the highest id read
	more    bool             // the last read filled its batch: read again before waiting
}

// lane is one customer's activities read from the queue; the first runs
// when busy, the rest wait for it.
type lane struct {
	ids  []store.ID
	busy bool
}

// finished reports that the first activity of a customer's lane has
// ended; err is ctx's error when it was stopped by ctx (it stays queued).
type finished struct {
	customer string
	err      error
}

// Run classifies the queue until ctx is done, then waits for the
// activities running to end (they see ctx cancelled; each is bounded by
// its own time limit too) and returns ctx's error.
//
// It reads the queue in id order from the start, puts each activity in its
// customer's lane and starts the first activity of up to lanesPerSlot ×
// Concurrency lanes, of which Concurrency are classified at once (one
// waiting out its retry back-off takes no slot); a customer's next
// activity starts only when the one before it has been offered and marked
// done (or given up). At most maxHeld queued ids are held in memory
// (ids only: the record is read when the activity runs), so one customer
// with a long backlog delays the others only beyond that many.
func (w *Worker) Run(ctx context.Context) error {
	conc := cmp.Or(max(w.Concurrency, 0), DefaultConcurrency)
	slots := make(chan struct{}, conc) // a token per classification running
	lanes := lanesPerSlot * conc
	sc := &sched{lanes: map[string]*lane{}}
	fin := make(chan finished, lanes) // one send per started lane: never blocks
	for {
		if ctx.Err() != nil {
			return sc.stop(fin, ctx.Err())
		}
		if sc.held < maxHeld {
			w.read(sc)
		}
		for sc.running < lanes && len(sc.ready) > 0 {
			w.start(ctx, sc, slots, fin)
		}
		if sc.more && sc.held < maxHeld {
			select { // take what ended, then read on
			case f := <-fin:
				sc.finish(f)
			default:
			}
			continue
		}
		if err := w.wait(ctx, sc, fin); err != nil {
			return sc.stop(fin, err)
		}
	}
}

// read reads the next batch of the queue into the lanes.
func (w *Worker) read(sc *sched) {
	n := min(batchSize, maxHeld-sc.held)
	acts, err := w.store.ActivitiesAfter(sc.after, n)
	if err != nil {
		w.log.Error("intake: read queue", "err", err)
		sc.more = false
		return
	}
	sc.more = len(acts) == n
	for _, a := range acts {
		sc.add(a.Customer, a.ID) // an expired record has no customer: lane ""
	}
}

// start runs the first activity of the first ready lane.
func (w *Worker) start(ctx context.Context, sc *sched, slots chan struct{}, fin chan<- finished) {
	c := sc.ready[0]
	sc.ready = sc.ready[1:]
	l := sc.lanes[c]
	l.busy = true
	sc.running++
	id := l.ids[0]
	go func() { fin <- finished{customer: c, err: w.handle(ctx, id, slots)} }()
}

// wait blocks until an activity ends, a Wake, the poll interval or ctx.
func (w *Worker) wait(ctx context.Context, sc *sched, fin <-chan finished) error {
	t := time.NewTimer(idlePoll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case f := <-fin:
		sc.finish(f)
	case <-w.wake:
	case <-t.C:
	}
	return nil
}

// add queues id in customer c's lane.
func (sc *sched) add(c string, id store.ID) {
	l := sc.lanes[c]
	if l == nil {
		l = &lane{}
		sc.lanes[c] = l
	}
	l.ids = append(l.ids, id)
	sc.held++
	sc.after = id
	if !l.busy && len(l.ids) == 1 {
		sc.ready = append(sc.ready, c)
	}
}

// finish takes the ended activity out of its lane; the customer's next
// one, if any, becomes ready.
func (sc *sched) finish(f finished) {
	l := sc.lanes[f.customer]
	l.ids = l.ids[1:]
	l.busy = false
	sc.held--
	sc.running--
	if len(l.ids) == 0 {
		delete(sc.lanes, f.customer)
		return
	}
	sc.ready = append(sc.ready, f.customer)
}

// stop waits for the running activities to end and returns err.
func (sc *sched) stop(fin <-chan finished, err error) error {
	for sc.running > 0 {
		sc.finish(<-fin)
	}
	return err
}
