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
	// OutboxStuck is the age of the oldest pending outbox call past which
	// the bot is not ready; DefaultOutboxStuck when 0.
	OutboxStuck time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Readiness answers /readyz: the store is open and readable, a WeCom token
// is obtainable (answer cached), and the outbox is not stuck.
type Readiness struct {
	opts ReadyOptions

	mu      sync.Mutex
	tokenAt time.Time // when the cached token answer was taken
	tokenOK error
}

// NewReadiness returns a Readiness with opts' defaults filled in.
func NewReadiness(opts ReadyOptions) *Readiness {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.OutboxStuck <= 0 {
		opts.OutboxStuck = DefaultOutboxStuck
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Readiness{opts: opts}
}

// Check is the outcome of one readiness check.
type Check struct {
	Name  string `json:"name"` // store, wecom_token, outbox
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
		var stuck error
		if !counts.OutboxOldest.IsZero() {
			if a := r.opts.Now().Sub(counts.OutboxOldest); a > r.opts.OutboxStuck {
				stuck = fmt.Errorf("oldest pending WeCom call is %s old (limit %s), %d pending",
					a.Round(time.Second), r.opts.OutboxStuck, counts.OutboxPending)
			}
		}
		rep.add("outbox", stuck)
	}
	rep.Ready = true
	for _, c := range rep.Checks {
		rep.Ready = rep.Ready && c.OK
	}
	return rep
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
