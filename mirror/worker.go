package mirror

import (
	"context"
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
	// DefaultBackoffBase is the first retry's wait: short, because the
	// client's gate (rate, hourly budget, pause after 45009) already keeps
	// the calls within WeCom's limits; the backoff only spaces the retries
	// of one call, and a short one keeps a batch's tail short.
	DefaultBackoffBase = 100 * time.Millisecond
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
	// after a transient error; default ExponentialBackoff(DefaultBackoffBase,
	// 5min, Rand).
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
	// Parallel is how many mark_tag calls the worker keeps in flight
	// (default: the API's mark_tag concurrency when it reports one, see
	// PathStater, else DefaultParallel). The API's own cap (wecom.concurrency,
	// lowered after 45033) still applies. Entries of one relationship are
	// always sent one after another.
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
	mu   sync.Mutex // one Run or Drain at a time
	live liveStats  // what Live reports (live.go)
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
		opts.Backoff = ExponentialBackoff(DefaultBackoffBase, 5*time.Minute, opts.Rand)
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
		if ps, ok := api.(PathStater); ok {
			if c := ps.PathState(wecom.PathMarkTag).Concurrency; c > 0 {
				opts.Parallel = c
			}
		}
	}
	sy := NewSyncer(st, api, SyncOptions{Now: opts.Now, Logger: opts.Logger})
	if opts.Recheck == nil {
		opts.Recheck = sy.Recheck
	}
	return &Worker{
		st: st, api: api, opts: opts, sync: sy,
		log:  opts.Logger.With("pkg", "mirror", "part", "outbox"),
		kick: make(chan struct{}, 1),
		live: liveStats{now: opts.Now},
	}
}

// Kick tells a running worker that new entries were queued. It never blocks.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// PathStater is implemented by APIs that report the state of an API path's
// limits (*wecom.Client): the worker sizes its pool from it and Live reports it.
type PathStater interface {
	PathState(path string) wecom.PathState
}
