package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// outcome is what one attempt did to its entry.
type outcome struct {
	finished  bool      // done or failed: the relationship's next entry may go
	failed    bool      // WeCom refused it for good
	retryAt   time.Time // set when the entry waits for a retry
	parked    store.ID  // set when the entry failed transiently at or past MaxAttempts
	heldUntil time.Time // the call was not sent: the API is paused until then (real time)
}

// attempt sends one entry and records the result. The call runs on a
// context detached from ctx (bounded by CallTimeout), so cancelling ctx lets
// the call in hand finish and be recorded. The error is a store error only;
// WeCom errors are recorded on the entry.
//
// Tags the library knows to be deleted are left out of the call; a 40068
// answer refreshes the library first and, if that finds tags of the call
// deleted, the rest is sent again. A transient error is retried later,
// never compensated; anything else is a refusal (store.OutboxStatusFailed).
func (w *Worker) attempt(ctx context.Context, e store.OutboxEntry) (outcome, error) {
	n := e.Attempts + 1
	log := w.log.With("entry", uint64(e.ID), "cs", uint64(e.CS), "customer", e.Customer, "follower", e.Follower, "attempt", n)
	add, remove, err := w.liveTags(e.Add, e.Remove)
	if err != nil {
		return outcome{}, fmt.Errorf("entry %d: %w", e.ID, err)
	}
	if len(add)+len(remove) > 0 {
		err = w.markTag(ctx, e, add, remove)
	}
	if until, ok := notSent(err); ok {
		return outcome{heldUntil: until}, nil // untouched: it goes when the pause ends
	}
	refreshed := false
	for wecom.Code(err) == errcode.InvalidTagID {
		if rerr := w.lib.refresh(ctx, w.lib.seen(), w.refreshLibrary); rerr != nil {
			log.Warn("library refresh after 40068 failed", "err", rerr)
			if wecom.IsTransient(rerr) {
				err = rerr // try the whole entry again later
			}
			break
		}
		refreshed = true
		add2, remove2, serr := w.liveTags(add, remove)
		if serr != nil {
			return outcome{}, fmt.Errorf("entry %d: %w", e.ID, serr)
		}
		if len(add2)+len(remove2) == len(add)+len(remove) {
			break // no tag of the call was deleted: a real refusal
		}
		log.Info("tags deleted on wecom dropped from the call", "kept", len(add2)+len(remove2), "dropped", len(add)+len(remove)-len(add2)-len(remove2))
		add, remove = add2, remove2
		err = nil
		if len(add)+len(remove) > 0 {
			err = w.markTag(ctx, e, add, remove)
		}
	}
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
	// A credential or trusted-IP refusal (a rotated Secret, a new egress
	// IP) is no verdict on this change: it waits, like a transient error,
	// instead of being failed and compensated.
	if wecom.IsTransient(err) || wecom.IsCredential(err) || errors.Is(err, context.Canceled) {
		return w.retry(ctx, e, n, err, log)
	}
	if !refreshed && len(e.Remove) > 0 {
		// The compensation puts removed tags back: make sure the library
		// knows which of them were deleted in the console meanwhile.
		if rerr := w.lib.refresh(ctx, w.lib.seen(), w.refreshLibrary); rerr != nil {
			log.Warn("library refresh before compensating failed", "err", rerr)
			if wecom.IsTransient(rerr) {
				return w.retry(ctx, e, n, rerr, log)
			}
		}
	}
	var notice func(store.OutboxEntry) string
	if !e.Background { // a background job reports its failures in its own summary
		notice = w.failureNotice(e, code)
	}
	fin, ferr := w.st.OutboxFailed(e.ID, code, msg, notice)
	if ferr != nil {
		return outcome{}, fmt.Errorf("record entry %d failed: %w", e.ID, ferr)
	}
	log.Warn("outbox entry failed", "err", err, "compensated", uint64(fin.Compensated))
	if w.opts.Failed != nil {
		w.opts.Failed(code)
	}
	if notice != nil && w.opts.Queued != nil {
		w.opts.Queued(context.WithoutCancel(ctx))
	}
	return outcome{finished: true, failed: true}, nil
}

// notSent reports whether err says the call was held back unsent because
// the API is paused (45009 earlier, the hourly budget spent) or the minute's
// rate would outlast the call's deadline, and until when to hold off.
func notSent(err error) (time.Time, bool) {
	if until, sent, ok := wecom.PausedUntil(err); ok && !sent {
		return until, true
	}
	if errors.Is(err, wecom.ErrRateLimited) {
		return time.Now().Add(time.Second), true
	}
	return time.Time{}, false
}

// retry records a transient failure of attempt n: the entry waits for
// Backoff(n) and is never given up. The actor is told once, when n reaches
// MaxAttempts, that the change is delayed.
func (w *Worker) retry(ctx context.Context, e store.OutboxEntry, n int, cause error, log *slog.Logger) (outcome, error) {
	code, msg := errDetail(cause)
	next := w.opts.Now().Add(w.opts.Backoff(n))
	if err := w.st.OutboxRetry(e.ID, next, code, msg); err != nil {
		return outcome{}, fmt.Errorf("record entry %d retry: %w", e.ID, err)
	}
	log.Warn("outbox entry will be retried", "err", cause, "next", next)
	out := outcome{retryAt: next}
	if until, sent, ok := wecom.PausedUntil(cause); ok && sent {
		out.heldUntil = until // WeCom answered 45009: hold every call until the pause ends
	}
	if n >= w.opts.MaxAttempts {
		out.parked = e.ID
	}
	if n == w.opts.MaxAttempts && !e.Background {
		w.notifyDelay(ctx, e)
	}
	return out, nil
}

// markTag makes one mark_tag call on a context detached from ctx.
func (w *Worker) markTag(ctx context.Context, e store.OutboxEntry, add, remove []string) error {
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.opts.CallTimeout)
	defer cancel()
	return w.api.MarkTag(callCtx, e.Follower, e.Customer, add, remove)
}

// liveTags returns add and remove without the tags the library marks
// deleted (tags it does not know are kept: WeCom decides).
func (w *Worker) liveTags(add, remove []string) ([]string, []string, error) {
	keep := func(ids []string) ([]string, error) {
		var out []string
		for _, id := range ids {
			t, err := w.st.Tag(id)
			switch {
			case errors.Is(err, store.ErrUnknownTag):
			case err != nil:
				return nil, fmt.Errorf("read tag %s: %w", id, err)
			case t.Deleted:
				continue
			}
			out = append(out, id)
		}
		return out, nil
	}
	a, err := keep(add)
	if err != nil {
		return nil, nil, err
	}
	r, err := keep(remove)
	return a, r, err
}

// refreshLibrary refreshes the library on a context detached from ctx.
func (w *Worker) refreshLibrary(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*w.opts.CallTimeout)
	defer cancel()
	_, err := w.sync.RefreshLibrary(rctx)
	return err
}

// libraryRefresh lets the worker's goroutines share library refreshes: when
// several calls fail with 40068 together, one refresh serves them all.
type libraryRefresh struct {
	mu      sync.Mutex
	started uint64 // refreshes started
	done    uint64 // the number (started) of the last successful one
}

// seen is the count of refreshes started so far; taken after a 40068, a
// refresh numbered above it read WeCom after the answer.
func (l *libraryRefresh) seen() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.started
}

// refresh runs fn unless a refresh started after seen has succeeded.
func (l *libraryRefresh) refresh(ctx context.Context, seen uint64, fn func(context.Context) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done > seen {
		return nil
	}
	l.started++
	n := l.started
	if err := fn(ctx); err != nil {
		return err
	}
	l.done = n
	return nil
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
