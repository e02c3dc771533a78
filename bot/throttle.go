package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rejected callbacks are logged through a logThrottle: a flood of forged,
// stale or oversized requests (an attacker, a misconfigured proxy, a WeCom
// retry storm while the store is full) costs a few log lines a second, not
// one per request, and the first line logged after a quiet spell says how
// many were left out.
const (
	// rejectLogRate is how many rejection lines a second are logged once
	// the burst is spent.
	rejectLogRate = 2
	// rejectLogBurst is how many rejection lines may be logged at once.
	rejectLogBurst = 5
)

// logThrottle lets log lines through at a bounded rate and counts the lines
// it holds back. It is safe for concurrent use.
type logThrottle struct {
	mu         sync.Mutex
	lim        *rate.Limiter
	suppressed int
}

// newLogThrottle allows perSecond lines a second after a burst of burst.
func newLogThrottle(perSecond float64, burst int) *logThrottle {
	return &logThrottle{lim: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

// allow reports whether a line may be logged at now. When it may,
// suppressed is how many lines were held back since the last one allowed
// (and the count starts again from zero).
func (t *logThrottle) allow(now time.Time) (ok bool, suppressed int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.lim.AllowN(now, 1) {
		t.suppressed++
		return false, 0
	}
	suppressed, t.suppressed = t.suppressed, 0
	return true, suppressed
}
