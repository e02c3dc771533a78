package ops

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Readiness defaults.
const (
	// DefaultOutboxStuck is how old the oldest pending WeCom call may be
	// before the bot is not ready: past every retry backoff but the
	// longest, so a stuck worker or a WeCom refusing everything shows.
	DefaultOutboxStuck = 15 * time.Minute
	// DefaultInboxStuck is how old the oldest unprocessed callback may be
	// before the bot is not ready: the worker answers in seconds, so
	// minutes mean it stopped.
	DefaultInboxStuck = 5 * time.Minute
	// DefaultTokenTTL is how long a token check's answer is reused, so a
	// probe every few seconds does not become a gettoken call each time.
	DefaultTokenTTL = 30 * time.Second
)

// ReadyOptions configure a Readiness.
type ReadyOptions struct {
	Store *store.Store
	// Token reports whether a WeCom access token can be had
	// (wecom.Client.TokenReady); nil skips the check.
	Token func(ctx context.Context) error
	// TokenTTL is how long Token's answer is reused; DefaultTokenTTL when 0.
	TokenTTL time.Duration
	// OutboxStuck is how long the outbox may hold pending calls without
	// finishing any (and the oldest may wait) before the bot is not
	// ready; DefaultOutboxStuck when 0.
	OutboxStuck time.Duration
	// InboxStuck is the age of the oldest unprocessed callback past which
	// the bot is not ready; DefaultInboxStuck when 0.
	InboxStuck time.Duration
	// Outbox reports the worker's progress (mirror.Worker.Live). With it,
	// a long queue that keeps moving (a bulk over the hourly budget) or
	// that WeCom asked to pause (45009) is not stuck; nil judges by the
	// oldest call's age alone.
	Outbox func() OutboxProgress
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// OutboxProgress is what the outbox worker last did, for the stuck check.
type OutboxProgress struct {
	LastFinished time.Time // a call last finished (done or failed); zero: none yet
	HeldUntil    time.Time // WeCom asked to pause until then; zero: not paused
}

// Readiness answers /readyz: the store is open and readable, a WeCom token
// is obtainable (answer cached), callbacks are being processed, and the
// outbox is not stuck.
type Readiness struct {
	opts    ReadyOptions
	started time.Time // progress is counted from here when nothing finished yet

	mu      sync.Mutex
	tokenAt time.Time // when the cached token answer was taken
	tokenOK error
}

// NewReadiness returns a Readiness with opts' defaults filled in.
func NewReadiness(opts ReadyOptions) *Readiness {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.InboxStuck <= 0 {
		opts.InboxStuck = DefaultInboxStuck
	}
	if opts.OutboxStuck <= 0 {
		opts.OutboxStuck = DefaultOutboxStuck
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Readiness{opts: opts, started: opts.Now()}
}

// Check is the outcome of one readiness check.
type Check struct {
	Name  string `json:"name"` // store, wecom_token, inbox, outbox
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"` // what failed, safe to show an operator
}

// ReadyReport is /readyz's JSON body.
type ReadyReport struct {
	Ready  bool    `json:"ready"`
	Checks []Check `json:"checks"`
}

// Check runs every check.
func (r *Readiness) Check(ctx context.Context) ReadyReport {
	var rep ReadyReport
	counts, err := r.opts.Store.OpsCounts()
	rep.add("store", err)
	if r.opts.Token != nil {
		rep.add("wecom_token", r.token(ctx))
	}
	if err == nil {
		var late error
		if a := r.opts.Now().Sub(counts.InboxOldest); !counts.InboxOldest.IsZero() && a > r.opts.InboxStuck {
			late = fmt.Errorf("oldest unprocessed callback is %s old (limit %s), %d waiting",
				a.Round(time.Second), r.opts.InboxStuck, counts.InboxPending)
		}
		rep.add("inbox", late)
		rep.add("outbox", r.stuck(counts))
	}
	rep.Ready = true
	for _, c := range rep.Checks {
		rep.Ready = rep.Ready && c.OK
	}
	return rep
}

// stuck says why the outbox is stuck: its oldest pending call has waited
// longer than OutboxStuck, and (when the worker's progress is known) no
// call finished for as long and WeCom asked for no pause; nil otherwise.
func (r *Readiness) stuck(counts store.OpsCounts) error {
	now := r.opts.Now()
	age := now.Sub(counts.OutboxOldest)
	if counts.OutboxOldest.IsZero() || age <= r.opts.OutboxStuck {
		return nil
	}
	if r.opts.Outbox == nil {
		return fmt.Errorf("oldest pending WeCom call is %s old (limit %s), %d pending",
			age.Round(time.Second), r.opts.OutboxStuck, counts.OutboxPending)
	}
	p := r.opts.Outbox()
	if p.HeldUntil.After(now) {
		return nil // WeCom asked for the pause (45009, hourly budget)
	}
	since := r.started
	if p.LastFinished.After(since) {
		since = p.LastFinished
	}
	if idle := now.Sub(since); idle > r.opts.OutboxStuck {
		last := "none since start"
		if !p.LastFinished.IsZero() {
			last = "the last " + idle.Round(time.Second).String() + " ago"
		}
		return fmt.Errorf("%d WeCom calls pending, the oldest for %s; calls finished: %s (limit %s)",
			counts.OutboxPending, age.Round(time.Second), last, r.opts.OutboxStuck)
	}
	return nil
}

func (rep *ReadyReport) add(name string, err error) {
	c := Check{Name: name, OK: err == nil}
	if err != nil {
		c.Error = err.Error()
	}
	rep.Checks = append(rep.Checks, c)
}

// token is the cached answer of opts.Token.
func (r *Readiness) token(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.opts.Now()
	if !r.tokenAt.IsZero() && now.Sub(r.tokenAt) < r.opts.TokenTTL && now.After(r.tokenAt.Add(-time.Second)) {
		return r.tokenOK
	}
	r.tokenOK = r.opts.Token(ctx)
	r.tokenAt = now
	return r.tokenOK
}
