package lifecycle

import (
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Schedule: a rule's slots are the times its runs are due. An `every: P`
// rule's slots are FirstSeen+P, FirstSeen+2P, …; an `at: HH:MM` rule's are
// each day's HH:MM in the zone, the first one after FirstSeen. So the first
// run waits one period (or until the next HH:MM) after the rule was first
// loaded, never at start-up, and since FirstSeen and the last slot run are
// in the store, a restart neither shifts nor skips a run: slots missed while
// tagbot was down are caught up by one run at start.

// nextSlot is the first slot of r after the later of st's first-seen time
// and its last slot run.
func nextSlot(r *config.LifecycleRule, st store.LifecycleRuleState, zone *time.Location) time.Time {
	after := st.FirstSeen
	if st.LastSlot.After(after) {
		after = st.LastSlot
	}
	if r.At == "" {
		if r.Every <= 0 {
			return time.Time{}
		}
		k := after.Sub(st.FirstSeen)/r.Every + 1
		return st.FirstSeen.Add(k * r.Every)
	}
	return nextAt(after, r.AtMinute, zone)
}

// nextAt is the first time strictly after t that is minute-of-day m in zone.
func nextAt(t time.Time, m int, zone *time.Location) time.Time {
	lt := t.In(zone)
	slot := time.Date(lt.Year(), lt.Month(), lt.Day(), m/60, m%60, 0, 0, zone)
	if !slot.After(t) {
		slot = time.Date(lt.Year(), lt.Month(), lt.Day()+1, m/60, m%60, 0, 0, zone)
	}
	return slot
}

// dueSlot reports whether r is due at now and, if so, the latest slot at
// or before now (slots missed while down are covered by this one run).
func dueSlot(r *config.LifecycleRule, st store.LifecycleRuleState, now time.Time, zone *time.Location) (time.Time, bool) {
	next := nextSlot(r, st, zone)
	if next.IsZero() || now.Before(next) {
		return time.Time{}, false
	}
	for {
		st.LastSlot = next
		after := nextSlot(r, st, zone)
		if now.Before(after) {
			return next, true
		}
		if r.At == "" { // jump, not step, over a long downtime
			k := now.Sub(st.FirstSeen) / r.Every
			return st.FirstSeen.Add(k * r.Every), true
		}
		next = after
	}
}
