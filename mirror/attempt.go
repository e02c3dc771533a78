package mirror

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// outcome is what one attempt did to its entry.
type outcome struct {
	finished bool      // done or failed: the relationship's next entry may go
	retryAt  time.Time // set when the entry waits for a retry
}

// attempt sends one entry and records the result. The call runs on a
// context detached from ctx (bounded by CallTimeout), so cancelling ctx lets
// the call in hand finish and be recorded. The error is a store error only;
// WeCom errors are recorded on the entry.
func (w *Worker) attempt(ctx context.Context, e store.OutboxEntry) (outcome, error) {
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.opts.CallTimeout)
	err := w.api.MarkTag(callCtx, e.Follower, e.Customer, e.Add, e.Remove)
	cancel()
	n := e.Attempts + 1
	log := w.log.With("entry", uint64(e.ID), "cs", uint64(e.CS), "customer", e.Customer, "follower", e.Follower, "attempt", n)
	if err == nil {
		if err := w.st.OutboxDone(e.ID); err != nil {
			// The call succeeded but is not recorded: it will be sent again,
			// which mark_tag tolerates (see the package doc).
			return outcome{}, fmt.Errorf("record entry %d done: %w", e.ID, err)
		}
		log.Debug("outbox entry sent")
		return outcome{finished: true}, nil
	}
	code, msg := errDetail(err)
	transient := wecom.IsTransient(err) || errors.Is(err, context.Canceled)
	if transient && n < w.opts.MaxAttempts {
		next := w.opts.Now().Add(w.opts.Backoff(n))
		if err := w.st.OutboxRetry(e.ID, next, code, msg); err != nil {
			return outcome{}, fmt.Errorf("record entry %d retry: %w", e.ID, err)
		}
		log.Warn("outbox entry will be retried", "err", err, "next", next)
		return outcome{retryAt: next}, nil
	}
	if transient {
		msg = fmt.Sprintf("gave up after %d attempts: %s", n, msg)
	}
	fin, ferr := w.st.OutboxFailed(e.ID, code, msg)
	if ferr != nil {
		return outcome{}, fmt.Errorf("record entry %d failed: %w", e.ID, ferr)
	}
	log.Warn("outbox entry failed", "err", err, "compensated", uint64(fin.Compensated))
	w.notifyFailure(ctx, fin, code, transient)
	return outcome{finished: true}, nil
}

// errDetail extracts the errcode and a credential-free message from a call error.
func errDetail(err error) (int, string) {
	var ae *wecom.APIError
	if errors.As(err, &ae) {
		return ae.Code, ae.Msg
	}
	return 0, err.Error()
}

// ExponentialBackoff returns a Backoff that waits base before the first
// retry and doubles up to limit, each wait drawn uniformly from its upper
// half ([d/2, d)) with rnd so that many entries failing together (a rate
// limit) do not retry together.
func ExponentialBackoff(base, limit time.Duration, rnd func() float64) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		if attempt < 1 {
			attempt = 1
		}
		d := float64(base) * math.Pow(2, float64(attempt-1))
		if d > float64(limit) || math.IsInf(d, 0) {
			d = float64(limit)
		}
		r := rnd()
		if r < 0 || r >= 1 {
			r = 0
		}
		return time.Duration(d/2 + r*d/2)
	}
}
