package stats

import (
	"fmt"
	"time"

	"github.com/tagbot/tagbot/store"
)

// TagCount is one tag's customers now and their net change (customers
// gained minus lost) over the last 7 and 30 days.
type TagCount struct {
	Tag       store.Tag
	Customers int
	Change7   int
	Change30  int
}

// GroupCounts are the tag counts of one tag group, in library order.
type GroupCounts struct {
	Group string
	Tags  []TagCount
}

// Overview is /stats: customers per live tag, grouped by tag group.
type Overview struct {
	At        time.Time
	Customers int // customers in scope
	Groups    []GroupCounts
	// HistoryFrom is the first full sync when the 30 days reach back
	// before it (the changes count from it); zero otherwise.
	HistoryFrom time.Time
}

// Overview counts customers per tag from the projection and the change
// over the last 7 and 30 days from the ledger.
func (s *Stats) Overview(sc Scope) (*Overview, error) {
	now := s.now()
	counts, err := s.Store.TagCustomerCounts(sc.Follower)
	if err != nil {
		return nil, fmt.Errorf("count tags: %w", err)
	}
	total, err := s.customersInScope(sc)
	if err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	d7, d30, from, err := s.changes(now, sc)
	if err != nil {
		return nil, err
	}
	tags, err := s.Store.Tags(false)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	ov := &Overview{At: now, Customers: total, HistoryFrom: from}
	idx := map[string]int{}
	for _, t := range tags {
		i, ok := idx[t.GroupID]
		if !ok {
			i = len(ov.Groups)
			idx[t.GroupID] = i
			ov.Groups = append(ov.Groups, GroupCounts{Group: t.GroupName})
		}
		ov.Groups[i].Tags = append(ov.Groups[i].Tags, TagCount{Tag: t, Customers: counts[t.ID], Change7: d7[t.ID], Change30: d30[t.ID]})
	}
	return ov, nil
}

// changes sums the ledger's customer-level events per tag over the last
// 7 and 30 days, a restored tag's older ids counted under its live id.
// Both windows start after the first full sync at the earliest (from).
func (s *Stats) changes(now time.Time, sc Scope) (d7, d30 map[string]int, from time.Time, err error) {
	since7 := now.AddDate(0, 0, -7)
	since30, from, err := s.clampSince(now.AddDate(0, 0, -30))
	if err != nil {
		return nil, nil, from, err
	}
	var evs []event
	if sc.Follower == "" {
		evs, err = s.allEvents(since30)
	} else {
		evs, err = s.customerEvents(since30, "", sc)
	}
	if err != nil {
		return nil, nil, from, err
	}
	ln, err := s.lineage()
	if err != nil {
		return nil, nil, from, err
	}
	d7, d30 = map[string]int{}, map[string]int{}
	for _, e := range evs {
		tag := ln.of(e.tag) // a deleted and restored tag's removes and adds net out
		d30[tag] += e.delta
		if !e.at.Before(since7) {
			d7[tag] += e.delta
		}
	}
	return d7, d30, from, nil
}
