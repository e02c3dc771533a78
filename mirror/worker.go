// Package mirror moves tag state between tagbot's store and WeCom: the
// outbox worker sends the mark_tag calls the ledger has queued, and the
// syncer reads the tag library and customers back from WeCom.
//
// # Delivery guarantees of the outbox worker
//
// Every change-set that needs WeCom is written to the store together with
// its outbox entry (store.Apply), so nothing is lost: the worker reads the
// queue from the store on every pass, and after a restart Run simply
// continues where the last process stopped.
//
// An entry is marked done only after WeCom answered errcode 0, in a
// transaction of its own. The one window in which a call can be sent twice
// is a crash (or a store write error) between a successful mark_tag and
// that transaction, or a call that timed out on our side after WeCom had
// applied it: the entry is still pending and is sent again. That is safe
// because mark_tag is idempotent — it sets the listed tags present or absent
// on one relationship, so a repeated call leaves WeCom in the same state —
// and because entries of one relationship are sent strictly in queue
// order, a repeated call can never overtake a later change.
//
// Only one worker may serve a store at a time; within a worker, Run and
// Drain never send concurrently.
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
	// Notify tells the actor of a change-set that WeCom refused it; nil
	// means nobody is told (the failure is still logged and compensated).
	Notify Notifier
	// Logger receives worker logs; slog.Default when nil.
	Logger *slog.Logger
	// Poll is how often Run looks at the queue without a Kick (default 1s).
	Poll time.Duration
	// Backoff says how long to wait before retry number attempt (1-based)
	// after a transient error; default ExponentialBackoff(1s, 5min, Rand).
	Backoff func(attempt int) time.Duration
	// Rand draws the jitter of the default Backoff, in [0,1); math/rand/v2
	// when nil.
	Rand func() float64
	// MaxAttempts bounds the calls per entry: a transient error on the last
	// one is treated as permanent (default 10).
	MaxAttempts int
	// CallTimeout bounds one mark_tag call (default 30s).
	CallTimeout time.Duration
	// Parallel is how many relationships are sent to at once (default 4).
	// Entries of one relationship are always sent one after another.
	Parallel int
}

// Worker sends the outbox to WeCom.
type Worker struct {
	st   *store.Store
	api  wecom.API
	opts WorkerOptions
	log  *slog.Logger
	kick chan struct{}
	mu   sync.Mutex // one pass at a time
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
	return &Worker{
		st: st, api: api, opts: opts,
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
// interval and when the earliest retry falls due. When ctx ends it finishes
// the call in hand, records its result and returns nil. Store errors are
// logged and the pass is tried again on the next wake-up.
func (w *Worker) Run(ctx context.Context) error {
	w.log.Info("outbox worker started")
	defer w.log.Info("outbox worker stopped")
	for {
		res, err := w.pass(ctx)
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
// while it runs, and returns when a pass finds nothing left to try (entries
// waiting for a later retry stay queued). It returns the first store error,
// or ctx's error if ctx ended first.
func (w *Worker) Drain(ctx context.Context) error {
	for {
		res, err := w.pass(ctx)
		if err != nil {
			return fmt.Errorf("mirror drain: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("mirror drain: %w", err)
		}
		if res.attempted == 0 {
			return nil
		}
	}
}

// passResult summarises one pass over the queue.
type passResult struct {
	mu        sync.Mutex
	attempted int
	wake      time.Time // earliest NextAt of an entry left waiting
	err       error     // first store error
}

func (r *passResult) note(attempted bool, wake time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if attempted {
		r.attempted++
	}
	if !wake.IsZero() && (r.wake.IsZero() || wake.Before(r.wake)) {
		r.wake = wake
	}
	if err != nil && r.err == nil {
		r.err = err
	}
}

// pass tries every due entry once, relationship by relationship in queue
// order, up to Parallel relationships at a time.
func (w *Worker) pass(ctx context.Context) (*passResult, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	res := &passResult{}
	entries, err := w.st.PendingOutbox(0)
	if err != nil {
		return res, fmt.Errorf("read outbox: %w", err)
	}
	if len(entries) == 0 {
		return res, nil
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
				w.sendRelationship(ctx, list, now, res)
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
	return res, res.err
}

// sendRelationship sends the entries of one relationship in order, stopping
// at the first one that must wait.
func (w *Worker) sendRelationship(ctx context.Context, list []store.OutboxEntry, now time.Time, res *passResult) {
	for _, e := range list {
		if ctx.Err() != nil {
			return
		}
		if e.NextAt.After(now) {
			res.note(false, e.NextAt, nil)
			return
		}
		out, err := w.attempt(ctx, e)
		res.note(true, out.retryAt, err)
		if err != nil || !out.finished {
			return
		}
	}
}
