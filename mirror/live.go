package mirror

import (
	"sync"
	"time"

	"github.com/tagbot/tagbot/wecom"
)

// rateWindow is the span over which Live measures the current rate.
const rateWindow = time.Minute

// Live is what the outbox worker is doing right now, for `tagbot status`
// and /status. 发件箱实时状态。
type Live struct {
	At       time.Time // when it was read
	InFlight int       // mark_tag calls in flight
	// PerMinute is the entries finished (done or failed) over the last
	// minute, or, for a worker running less than a minute, that count
	// scaled to a minute.
	PerMinute float64
	// Window is the span Finished was counted over: rateWindow, or the
	// worker's running time while under a minute (PerMinute is scaled
	// from it then, so show Finished instead: a few seconds are no rate).
	Window   time.Duration
	Finished int
	// HeldUntil is set while the API is paused (45009, hourly budget).
	HeldUntil time.Time
	// LastFinished is when an entry last finished (done or failed); zero
	// when none has since the worker started. /readyz tells a long queue
	// that moves from one that does not by it.
	LastFinished time.Time
	// MarkTag is the state of the mark_tag limits, when the API reports it.
	MarkTag *wecom.PathState
}

// liveStats counts what the senders do; safe for concurrent use.
type liveStats struct {
	mu        sync.Mutex
	now       func() time.Time // the worker's clock (WorkerOptions.Now)
	started   time.Time
	inflight  int
	finished  []time.Time // finish times within rateWindow, oldest first
	last      time.Time   // the newest finish time, kept past rateWindow
	heldUntil time.Time
}

func (l *liveStats) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started.IsZero() {
		l.started = l.now()
	}
	l.inflight++
}

func (l *liveStats) finish(out outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	now := l.now()
	if out.finished {
		l.finished = append(l.finished, now)
		l.last = now
	}
	if out.heldUntil.After(l.heldUntil) {
		l.heldUntil = out.heldUntil
	}
	l.trim(now)
}

// trim drops finish times older than rateWindow; l.mu is held.
func (l *liveStats) trim(now time.Time) {
	i := 0
	for i < len(l.finished) && now.Sub(l.finished[i]) > rateWindow {
		i++
	}
	if i > 0 {
		l.finished = append(l.finished[:0], l.finished[i:]...)
	}
}

// Live reports what the worker is doing now, the rate measured on the
// worker's clock.
func (w *Worker) Live() Live {
	l := &w.live
	l.mu.Lock()
	now := l.now()
	l.trim(now)
	out := Live{At: now, InFlight: l.inflight, PerMinute: float64(len(l.finished)), Window: rateWindow, Finished: len(l.finished),
		LastFinished: l.last}
	if span := now.Sub(l.started); !l.started.IsZero() && span < rateWindow {
		out.Window = span
		if span > time.Second {
			out.PerMinute = float64(len(l.finished)) * float64(rateWindow) / float64(span)
		}
	}
	if now.Before(l.heldUntil) {
		out.HeldUntil = l.heldUntil
	}
	l.mu.Unlock()
	if ps, ok := w.api.(PathStater); ok {
		st := ps.PathState(wecom.PathMarkTag)
		out.MarkTag = &st
	}
	return out
}
