package bot

import "time"

// Default per-member message limits: WeCom drops app messages beyond 30 per
// minute or 1,000 per hour to one member (config messages.*).
const (
	// DefaultPerUserPerMinute is WeCom's per-member limit per minute.
	DefaultPerUserPerMinute = 30
	// DefaultPerUserPerHour is WeCom's per-member limit per hour.
	DefaultPerUserPerHour = 1000
)

// windows is a member's send history for the sliding per-minute and
// per-hour limits. Times are kept oldest first and pruned after an hour.
type windows struct {
	sent []time.Time
}

// prune forgets sends older than an hour before now.
func (w *windows) prune(now time.Time) {
	cut := 0
	for cut < len(w.sent) && now.Sub(w.sent[cut]) >= time.Hour {
		cut++
	}
	if cut > 0 {
		w.sent = append(w.sent[:0], w.sent[cut:]...)
	}
}

// inLast counts sends during the last d before now.
func (w *windows) inLast(now time.Time, d time.Duration) int {
	n := 0
	for i := len(w.sent) - 1; i >= 0 && now.Sub(w.sent[i]) < d; i-- {
		n++
	}
	return n
}

// allow reports whether one more send at now stays within perMinute and
// perHour (a limit <= 0 is not enforced).
func (w *windows) allow(now time.Time, perMinute, perHour int) bool {
	w.prune(now)
	if perHour > 0 && len(w.sent) >= perHour {
		return false
	}
	return perMinute <= 0 || w.inLast(now, time.Minute) < perMinute
}

// record counts a send at now.
func (w *windows) record(now time.Time) { w.sent = append(w.sent, now) }

// idle reports whether the history no longer matters (nothing in the last hour).
func (w *windows) idle(now time.Time) bool {
	w.prune(now)
	return len(w.sent) == 0
}
