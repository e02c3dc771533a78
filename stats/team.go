package stats

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Sources lists the sources of own changes (every source but undo) in the
// order replies show them.
var Sources = []store.Source{
	store.SourceCommand, store.SourceRule, store.SourceLLM, store.SourceImport, store.SourceBulk,
	store.SourceWeComUI, store.SourceSync, store.SourceRollback, store.SourceRestore,
	store.SourceTrigger, store.SourceLifecycle, store.SourceChannel, store.SourceMerge,
}

// Person is one actor's changes in a window. A change is one operation
// on one customer as the user sees it: the change-sets of one batch on one
// customer (a /rollback over the customer's two followers, a batch undo)
// count once; a change-set outside a batch counts once. Changes are the
// person's own tag changes, BySource the same changes by source (they sum
// to Changes); undos and redos are counted apart, and not as changes.
type Person struct {
	UserID   string
	BySource map[store.Source]int
	Changes  int // own changes: every effective source but undo and redo
	Reverted int // of Changes, later undone (an undo not itself redone) or taken back by a rollback
	Undos    int // undos the person made
	Redos    int // undos of undos (/redo)
	Denied   int // refused attempts
}

// UndoRate is the share of the person's own changes later undone or
// rolled back.
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
// when set). An own change (not an undo or redo) counts as reverted when,
// at any time up to now, an undo that stands (is not redone) reverts it,
// or a rollback of its relationship takes back a tag it added or removed.
func (s *Stats) People(userID string, since, until time.Time) (*Team, error) {
	return s.people(userID, since, until, nil)
}

// people is People leaving out the change-sets hide reports (nil: none).
func (s *Stats) people(userID string, since, until time.Time, hide func(*store.ChangeSet) bool) (*Team, error) {
	since, until, from, err := s.window(since, until)
	if err != nil {
		return nil, err
	}
	by := map[string]*Person{}
	var rv reversals
	err = s.Store.ChangeSetsBetween(since, time.Time{}, "", func(cs *store.ChangeSet) bool {
		if hide != nil && hide(cs) {
			return true
		}
		mine := cs.Time.Before(until) && (userID == "" || cs.Actor == userID)
		if !mine {
			rv.see(cs, nil)
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
			rv.see(cs, p)
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	if err := rv.finish(s.Store); err != nil {
		return nil, err
	}
	t := &Team{Since: since, Until: until, HistoryFrom: from}
	for _, p := range by {
		t.People = append(t.People, *p)
	}
	slices.SortFunc(t.People, func(a, b Person) int {
		return cmp.Or(cmp.Compare(b.Changes, a.Changes), cmp.Compare(a.UserID, b.UserID))
	})
	if userID != "" && len(t.People) == 0 {
		if err := s.knownEmployee(userID); err != nil {
			return nil, err
		}
		t.People = []Person{{UserID: userID, BySource: map[store.Source]int{}}}
	}
	return t, nil
}
