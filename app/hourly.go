package app

import (
	"time"

	"github.com/tagbot/tagbot/wecom"
)

// hourlyUsed reads the outbox's mark_tag calls of the last hour from the
// store, to seed the client's hourly budget: WeCom counts an API's calls
// per hour across restarts, so tagbot must too. Each minute's calls are
// placed at the minute's last second (never later than now), so they leave
// the budget no earlier than WeCom forgets them. A store that cannot be
// read seeds nothing (logged).
func (m *Main) hourlyUsed(now func() time.Time) map[string][]wecom.UsedCalls {
	if now == nil {
		now = time.Now
	}
	t := now()
	mins, err := m.Store.OutboxCallsSince(t.Add(-time.Hour))
	if err != nil {
		m.log.Warn("hourly budget not seeded: outbox calls not read", "err", err)
		return nil
	}
	used := make([]wecom.UsedCalls, 0, len(mins))
	for _, mc := range mins {
		at := mc.Minute.Add(59 * time.Second)
		if at.After(t) {
			at = t
		}
		used = append(used, wecom.UsedCalls{At: at, Calls: mc.Calls})
	}
	return map[string][]wecom.UsedCalls{wecom.PathMarkTag: used}
}
