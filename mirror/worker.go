package mirror

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// Default worker settings.
const (
	DefaultPoll        = time.Second
	DefaultMaxAttempts = 10
	DefaultCallTimeout = 30 * time.Second
	DefaultParallel    = 4
)

// WorkerOptions tune NewWorker; zero values take the defaults.
type WorkerOptions struct {
	// Now is the clock deciding which entries are due; time.Now when nil.
	Now func() time.Time
	// Notify tells the actor of a change-set that it is delayed by a WeCom
	// outage. Its presence also means someone is listening: a refusal
	// notice is then queued in the store with the failure itself (store
	// replies, sent by the bot's sender). nil means nobody is told (the
	// failure is still logged and compensated).
	Notify Notifier
	// Queued is called after a notice was queued in the store, so it can go
	// out now (the bot's Sender.Flush); nil leaves it to the sender's tick.
	Queued func(ctx context.Context)
	// Logger receives worker logs; slog.Default when nil.
	Logger *slog.Logger
	// Poll is how often Run looks at the queue without a Kick (default 1s).
	Poll time.Duration
	// Backoff says how long to wait before retry number attempt (1-based)
	// after a transient error; default ExponentialBackoff(1s, 5min, Rand).
	// It also spaces re-checks after a failed one.
	Backoff func(attempt int) time.Duration
	// Rand draws the jitter of the default Backoff, in [0,1); math/rand/v2
	// when nil.
	Rand func() float64
	// MaxAttempts is how many transient failures of an entry pass before
	// its actor is told (once) that the change is delayed (default 10).
	// Retries go on regardless; within one Drain an entry that reached it
	// is not tried again.
	MaxAttempts int
	// CallTimeout bounds one mark_tag call (default 30s).
	CallTimeout time.Duration
	// Parallel is how many relationships are sent to at once (default 4).
	// Entries of one relationship are always sent one after another.
	Parallel int
	// Recheck reads one relationship marked by store.Reconcile again from
	// WeCom and clears its mark; it returns an error when the mark stays
	// (e.g. WeCom is unavailable). Default: the Recheck of a Syncer on the
	// worker's store and API.
	Recheck func(ctx context.Context, r store.RelRef) error
	// Failed, when set, is told the errcode of every entry WeCom refused
	// for good (after it is recorded). For metrics; it must not block.
	Failed func(errcode int)
}

// Worker sends the outbox to WeCom.
type Worker struct {
	st   *store.Store
	api  wecom.API
	opts WorkerOptions
	log  *slog.Logger
	kick chan struct{}
	mu   sync.Mutex // one pass at a time
	// sync refreshes the library after 40068 (and re-checks by default).
	sync *Syncer
	lib  libraryRefresh
	// recheckFails counts consecutive failed re-checks; none are tried
	// before recheckAfter. Both are used under mu.
	recheckFails int
	recheckAfter time.Time
}

// NewWorker returns an outbox worker for st that calls api.
func NewWorker(st *store.Store, api wecom.API, opts WorkerOptions) *Worker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.Backoff == nil {
		opts.Backoff = ExponentialBackoff(time.Second, 5*time.Minute, opts.Rand)
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
	}
	sy := NewSyncer(st, api, SyncOptions{Now: opts.Now, Logger: opts.Logger})
	if opts.Recheck == nil {
		opts.Recheck = sy.Recheck
	}
	return &Worker{
		st: st, api: api, opts: opts, sync: sy,
		log:  opts.Logger.With("pkg", "mirror", "part", "outbox"),
		kick: make(chan struct{}, 1),
	}
}

// Kick tells a running worker that new entries were queued. It never blocks.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run sends the outbox until ctx is done, waking on Kick, on the poll
// interval and when the earliest retry falls due, and re-checks marked
// relationships after every pass. When ctx ends it finishes the call in
// hand, records its result and returns nil. Store errors are logged and the
// pass is tried again on the next wake-up.
func (w *Worker) Run(ctx context.Context) error {
	w.log.Info("outbox worker started")
	defer w.log.Info("outbox worker stopped")
	for {
		res, err := w.pass(ctx, nil)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.log.Error("outbox pass failed", "err", err)
		}
		wait := w.opts.Poll
		if !res.wake.IsZero() {
			if d := res.wake.Sub(w.opts.Now()); d < wait {
				wait = max(d, 0)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-w.kick:
			t.Stop()
		case <-t.C:
		}
	}
}

// Drain sends every entry that is due now, including retries that fall due
// while it runs, re-checks marked relationships after every pass, and
// returns when a pass finds nothing left to try. Entries waiting for a
// later retry stay queued, as do entries that failed transiently with
// MaxAttempts or more attempts: each of those is tried at most once more
// per Drain (Run keeps retrying them). It returns the first store error, or
// ctx's error if ctx ended first.
func (w *Worker) Drain(ctx context.Context) error {
	parked := map[store.ID]bool{}
	for {
		res, err := w.pass(ctx, parked)
		if err != nil {
			return fmt.Errorf("mirror drain: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("mirror drain: %w", err)
		}
		if res.attempted == 0 {
			return nil
		}
		for _, id := range res.parked {
			parked[id] = true
		}
	}
}

// passResult summarises one pass over the queue.
type passResult struct {
	mu        sync.Mutex
	attempted int
	wake      time.Time  // earliest NextAt of an entry left waiting
	parked    []store.ID // entries past MaxAttempts that failed transiently again
	err       error      // first store error
}

func (r *passResult) note(attempted bool, out outcome, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if attempted {
		r.attempted++
	}
	if out.parked != 0 {
		r.parked = append(r.parked, out.parked)
	}
	wake := out.retryAt
	if !wake.IsZero() && (r.wake.IsZero() || wake.Before(r.wake)) {
		r.wake = wake
	}
	if err != nil && r.err == nil {
		r.err = err
	}
}

// pass tries every due entry once (except those in skip), relationship by
// relationship in queue order, up to Parallel relationships at a time, then
// re-checks the marked relationships.
func (w *Worker) pass(ctx context.Context, skip map[store.ID]bool) (*passResult, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	res := &passResult{}
	entries, err := w.st.PendingOutbox(0)
	if err != nil {
		return res, fmt.Errorf("read outbox: %w", err)
	}
	w.send(ctx, entries, skip, res)
	if res.err == nil && ctx.Err() == nil {
		if err := w.recheck(ctx); err != nil {
			res.err = err
		}
	}
	return res, res.err
}

// send tries the due entries of one pass.
func (w *Worker) send(ctx context.Context, entries []store.OutboxEntry, skip map[store.ID]bool, res *passResult) {
	if len(entries) == 0 {
		return
	}
	var order []string
	byRel := map[string][]store.OutboxEntry{}
	for _, e := range entries {
		k := e.RelKey()
		if _, seen := byRel[k]; !seen {
			order = append(order, k)
		}
		byRel[k] = append(byRel[k], e)
	}
	now := w.opts.Now()
	jobs := make(chan []store.OutboxEntry)
	var wg sync.WaitGroup
	for range min(w.opts.Parallel, len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for list := range jobs {
				w.sendRelationship(ctx, list, now, skip, res)
			}
		}()
	}
feed:
	for _, k := range order {
		select {
		case jobs <- byRel[k]:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}

// sendRelationship sends the entries of one relationship in order, stopping
// at the first one that must wait.
func (w *Worker) sendRelationship(ctx context.Context, list []store.OutboxEntry, now time.Time, skip map[store.ID]bool, res *passResult) {
	for _, e := range list {
		if ctx.Err() != nil || skip[e.ID] {
			return
		}
		if e.NextAt.After(now) {
			res.note(false, outcome{retryAt: e.NextAt}, nil)
			return
		}
		out, err := w.attempt(ctx, e)
		res.note(true, out, err)
		if err != nil || !out.finished {
			return
		}
	}
}
