package stats

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Sources lists every change-set source in the order replies show them.
var Sources = []store.Source{
	store.SourceCommand, store.SourceRule, store.SourceLLM, store.SourceImport, store.SourceBulk,
	store.SourceWeComUI, store.SourceSync, store.SourceUndo, store.SourceRollback, store.SourceRestore,
}

// Person is one actor's change-sets in a window: effective ones per
// source, how many of those were later undone, and refused attempts.
type Person struct {
	UserID   string
	BySource map[store.Source]int
	Changes  int // effective change-sets
	Reverted int // of Changes, undone later (by the window's end or since)
	Denied   int // refused attempts
}

// UndoRate is the share of the person's change-sets later undone.
func (p Person) UndoRate() float64 {
	if p.Changes == 0 {
		return 0
	}
	return float64(p.Reverted) / float64(p.Changes)
}

// Team is /stats team (every actor, most changes first) or /stats @userid
// (one person).
type Team struct {
	Since, Until time.Time
	People       []Person
	// HistoryFrom is the first full sync when the window asked for began
	// before it; zero otherwise.
	HistoryFrom time.Time
}

// People counts the change-sets of [since, until) per actor (only userID's
// when set). A change-set counts as undone when an effective change-set
// reverts it, at any time up to now.
func (s *Stats) People(userID string, since, until time.Time) (*Team, error) {
	since, until, from, err := s.window(since, until)
	if err != nil {
		return nil, err
	}
	by := map[string]*Person{}
	var mine []store.ID
	owner := map[store.ID]*Person{}
	reverted := map[store.ID]bool{}
	err = s.Store.ChangeSetsBetween(since, time.Time{}, "", func(cs *store.ChangeSet) bool {
		if cs.Reverts != 0 && cs.Effective() {
			reverted[cs.Reverts] = true
		}
		if !cs.Time.Before(until) || (userID != "" && cs.Actor != userID) {
			return true
		}
		p := by[cs.Actor]
		if p == nil {
			p = &Person{UserID: cs.Actor, BySource: map[store.Source]int{}}
			by[cs.Actor] = p
		}
		switch {
		case cs.Denied != "":
			p.Denied++
		case cs.Effective():
			p.Changes++
			p.BySource[cs.Source]++
			mine = append(mine, cs.ID)
			owner[cs.ID] = p
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	for _, id := range mine {
		if reverted[id] {
			owner[id].Reverted++
		}
	}
	t := &Team{Since: since, Until: until, HistoryFrom: from}
	for _, p := range by {
		t.People = append(t.People, *p)
	}
	slices.SortFunc(t.People, func(a, b Person) int {
		return cmp.Or(cmp.Compare(b.Changes, a.Changes), cmp.Compare(a.UserID, b.UserID))
	})
	if userID != "" && len(t.People) == 0 {
		t.People = []Person{{UserID: userID, BySource: map[store.Source]int{}}}
	}
	return t, nil
}
