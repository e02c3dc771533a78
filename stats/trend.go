package stats

import (
	"fmt"
	"time"

	"github.com/tagbot/tagbot/store"
)

// WeeklyAfter is the longest window shown per day; longer ones are per week.
const WeeklyAfter = 60 * 24 * time.Hour

// TrendPoint is one day or week (from Start) of a trend: customers who
// gained the tag and who lost it.
type TrendPoint struct {
	Start   time.Time
	Adds    int
	Removes int
}

// Trend is one tag's customer-level adds and removes per day, or per week
// (weeks from Monday) when the window is longer than WeeklyAfter.
type Trend struct {
	Tag          store.Tag
	Since, Until time.Time
	Weekly       bool
	Points       []TrendPoint
	Customers    int // customers with the tag now
	Total        int // customers in scope now
	// HistoryFrom is the first full sync when the window asked for began
	// before it (Since was moved after it); zero otherwise.
	HistoryFrom time.Time
}

// Trend derives tag's adds and removes in [since, until) from the ledger
// (undo and rollback included: they are change-sets), including the
// history of the deleted tags it was restored from. Zero times mean the
// last 30 days.
func (s *Stats) Trend(tag store.Tag, since, until time.Time, sc Scope) (*Trend, error) {
	since, until, from, err := s.window(since, until)
	if err != nil {
		return nil, err
	}
	tr := &Trend{Tag: tag, Since: since, Until: until, HistoryFrom: from, Weekly: until.Sub(since) > WeeklyAfter}
	evs, err := s.familyEvents(since, tag, sc)
	if err != nil {
		return nil, err
	}
	lists, err := s.Store.TagCustomers([]string{tag.ID}, sc.Follower)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	tr.Customers = len(lists[tag.ID])
	if tr.Total, err = s.customersInScope(sc); err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	loc := s.loc()
	at := map[time.Time]int{} // bucket start → index of its point
	for b := s.bucket(since.In(loc), tr.Weekly); b.Before(until); b = s.next(b, tr.Weekly) {
		at[b] = len(tr.Points)
		tr.Points = append(tr.Points, TrendPoint{Start: b})
	}
	for _, e := range evs {
		if !e.at.Before(until) {
			break
		}
		i, ok := at[s.bucket(e.at.In(loc), tr.Weekly)]
		if !ok {
			continue
		}
		if e.delta > 0 {
			tr.Points[i].Adds++
		} else {
			tr.Points[i].Removes++
		}
	}
	return tr, nil
}

// bucket is the start of the day (or week) holding t.
func (s *Stats) bucket(t time.Time, weekly bool) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	if weekly {
		d = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	return d
}

func (s *Stats) next(b time.Time, weekly bool) time.Time {
	if weekly {
		return b.AddDate(0, 0, 7)
	}
	return b.AddDate(0, 0, 1)
}
