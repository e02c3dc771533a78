package wecom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// A gate admits the calls of one API path: at most Concurrency at once,
// within the per-minute rate (a token bucket) and the hourly budget (a
// sliding hour), never while WeCom has the path blocked.
//
// What WeCom's answers do to it (release):
//   - 45009 (接口调用超过限制): the path is paused. WeCom blocks a path for
//     60 s after a per-minute breach and for an hour after a per-hour one,
//     and its answer does not say which: the first pause is RatePause
//     (60 s); then one call alone probes, and each probe answered 45009
//     again doubles the pause, up to MaxRatePause (1 h). A handful of
//     probes per hour, never a stream of calls into a block.
//   - 45033 (接口并发调用超过限制): the path's concurrency is halved (once
//     for all the calls refused that were admitted under the same
//     concurrency), then raised by one after every raiseEvery successes, no
//     sooner than raiseGap after the last change.
//   - errcode -1, HTTP 5xx and dropped or refused connections: WeCom did not
//     carry the call out, so it gives its place in the minute and the hour
//     back; retries then do not eat into the configured rate. (Should WeCom
//     have counted such a call anyway, the defaults' headroom absorbs it.)
type gate struct {
	path string
	now  func() time.Time

	turn     chan struct{} // held by the one caller waiting to be admitted: callers go first come, first served
	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever a waiter may proceed
	bucket   bucket
	hour     hourWindow
	max      int // configured concurrency; <= 0 means unlimited
	cur      int // current concurrency (lowered by 45033)
	inflight int
	lastCut  time.Time // when cur last changed
	okSince  int       // successes since cur last changed
	gen      int       // changes of cur: a 45033 cuts only calls admitted under the current cur

	pause        time.Duration
	maxPause     time.Duration
	pausedUntil  time.Time
	pauseLevel   int  // consecutive 45009 answers: the pause doubles with each
	needProbe    bool // the next call after a pause goes alone
	probing      bool // that call is in flight
	pausesStarts int  // pauses started (for tests and metrics)
}

// Gate tuning not exposed in config.
const (
	raiseEvery = 50
	raiseGap   = 10 * time.Second
)

// PausedError says an API path is paused until Until: WeCom answered 45009
// (Cause is that answer; the call was made) or the hourly budget is spent
// or a pause runs past the caller's deadline (Cause is nil; the call was
// not made). It is transient. 接口因频率限制暂停。
type PausedError struct {
	API   string
	Until time.Time
	Cause error
}

// Error says which path is paused until when.
func (e *PausedError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%v (paused until %s)", e.Cause, e.Until.Format(time.RFC3339))
	}
	return fmt.Sprintf("wecom %s: paused until %s (rate limit), call not sent", e.API, e.Until.Format(time.RFC3339))
}

// Unwrap returns WeCom's 45009 answer, if this call got it.
func (e *PausedError) Unwrap() error { return e.Cause }

// PausedUntil reports the end of the pause err reports, and whether the
// call was sent (WeCom answered it 45009) or held back unsent.
func PausedUntil(err error) (until time.Time, sent, ok bool) {
	var pe *PausedError
	if !errors.As(err, &pe) {
		return time.Time{}, false, false
	}
	return pe.Until, pe.Cause != nil, true
}

func newGate(path string, perMin, perHour, conc int, pause, maxPause time.Duration, now func() time.Time) *gate {
	return &gate{
		path: path, now: now, changed: make(chan struct{}), turn: make(chan struct{}, 1),
		bucket: newBucket(perMin, now()), hour: newHourWindow(perHour),
		max: conc, cur: conc, pause: pause, maxPause: maxPause,
	}
}

// slot is one admitted call; release it exactly once.
type slot struct {
	g     *gate
	at    time.Time
	probe bool
	gen   int // the gate's gen when admitted
}

// acquire waits until a call may go, callers in the order they came (a
// channel's senders queue in order). A wait that cannot end before ctx's
// deadline is refused at once: ErrRateLimited for the minute bucket, a
// *PausedError for a pause or a spent hourly budget.
func (g *gate) acquire(ctx context.Context) (*slot, error) {
	g.mu.Lock()
	until := g.pausedUntil
	g.mu.Unlock()
	if g.now().Before(until) && !canWait(ctx, until) {
		return nil, &PausedError{API: g.path, Until: until}
	}
	select {
	case g.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wecom %s: rate limit wait: %w", g.path, ctx.Err())
	}
	defer func() { <-g.turn }()
	for {
		g.mu.Lock()
		now := g.now()
		var until time.Time // wait until then (zero: until something changes)
		switch {
		case now.Before(g.pausedUntil):
			until = g.pausedUntil
			if !canWait(ctx, until) {
				g.mu.Unlock()
				return nil, &PausedError{API: g.path, Until: until}
			}
		case g.probing, g.max > 0 && g.inflight >= g.cur:
		default:
			if next, full := g.hour.full(now); full {
				g.mu.Unlock()
				if !canWait(ctx, next) {
					return nil, &PausedError{API: g.path, Until: next}
				}
				if err := sleepUntil(ctx, next, g.now); err != nil {
					return nil, fmt.Errorf("wecom %s: hourly budget wait: %w", g.path, err)
				}
				continue
			}
			if d := g.bucket.take(now); d > 0 {
				until = now.Add(d)
				if !canWait(ctx, until) {
					g.mu.Unlock()
					return nil, fmt.Errorf("wecom %s: %w: next call in %s", g.path, ErrRateLimited, d.Round(time.Millisecond))
				}
				break
			}
			g.hour.add(now)
			g.inflight++
			s := &slot{g: g, at: now, probe: g.needProbe, gen: g.gen}
			if s.probe {
				g.needProbe, g.probing = false, true
			}
			g.mu.Unlock()
			return s, nil
		}
		changed := g.changed
		g.mu.Unlock()
		if err := waitChange(ctx, changed, until, g.now); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("wecom %s: rate limit wait: %w", g.path, ctx.Err())
			}
			return nil, err
		}
	}
}

// release records what WeCom answered the call and returns err, wrapped in
// a *PausedError when it was 45009.
func (s *slot) release(err error) error {
	g := s.g
	g.mu.Lock()
	defer g.mu.Unlock()
	defer g.wake()
	now := g.now()
	g.inflight--
	if s.probe {
		g.probing = false
	}
	switch code := Code(err); {
	case err == nil:
		g.pauseLevel = 0
		g.okSince++
		if g.max > 0 && g.cur < g.max && g.okSince >= raiseEvery && now.Sub(g.lastCut) >= raiseGap {
			g.cur++
			g.okSince, g.lastCut = 0, now
			g.gen++
		}
	case code == errcode.RateLimited:
		if !now.Before(g.pausedUntil) || s.probe { // one pause per block, not one per refused call
			g.pauseLevel++
			d := g.pause << min(g.pauseLevel-1, 20)
			if d > g.maxPause || d <= 0 {
				d = g.maxPause
			}
			g.pausedUntil = now.Add(d)
			g.pausesStarts++
		}
		g.needProbe = true
		return &PausedError{API: g.path, Until: g.pausedUntil, Cause: err}
	case code == errcode.ConcurrencyLimited:
		if g.max > 0 && s.gen == g.gen {
			g.cur = max(1, min(g.cur, g.inflight+1)/2)
			g.okSince, g.lastCut = 0, now
			g.gen++
		}
	case notCarriedOut(err):
		g.bucket.refund(now)
		g.hour.remove(s.at)
	}
	if s.probe && err != nil {
		g.needProbe = true // the probe told nothing: the next call probes
	}
	return err
}

// wake lets waiters look again; g.mu is held.
func (g *gate) wake() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// notCarriedOut reports whether err says WeCom did not carry the call out:
// -1 (系统繁忙), an HTTP 5xx, a connection refused or dropped before an
// answer. Timeouts are not among them: WeCom may have run the call.
func notCarriedOut(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code == errcode.SystemBusy
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

// canWait reports whether ctx allows waiting until t.
func canWait(ctx context.Context, t time.Time) bool {
	dl, ok := ctx.Deadline()
	return !ok || !dl.Before(t)
}

// waitChange waits until changed is closed, until (if set) passes, or ctx ends.
func waitChange(ctx context.Context, changed <-chan struct{}, until time.Time, now func() time.Time) error {
	var timer <-chan time.Time
	if !until.IsZero() {
		t := time.NewTimer(max(until.Sub(now()), 0))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-timer:
	}
	return nil
}

// sleepUntil waits until t or ctx's end.
func sleepUntil(ctx context.Context, t time.Time, now func() time.Time) error {
	return waitChange(ctx, nil, t, now)
}

// PathMarkTag is the mark_tag API path, as the limits and PathState name it.
const PathMarkTag = pathMarkTag

// PathState is what the gate of one API path is doing now. 某接口的限流状态。
type PathState struct {
	Limits
	Current     int       // concurrency allowed now (lowered after 45033)
	InFlight    int       // calls in flight
	PausedUntil time.Time // after 45009; zero or past when not paused
	Pauses      int       // pauses started since the Client was made
}

// PathState reports the limits and the state of path's gate.
func (c *Client) PathState(path string) PathState {
	g := c.lim.get(path)
	g.mu.Lock()
	defer g.mu.Unlock()
	return PathState{Limits: c.lim.limitsOf(path), Current: g.cur, InFlight: g.inflight, PausedUntil: g.pausedUntil, Pauses: g.pausesStarts}
}
