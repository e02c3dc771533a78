package stats

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tagbot/tagbot/store"
)

// event is a customer starting (+1) or ceasing (−1) to carry a tag on the
// relationships in scope, at the time of the change-set that did it.
// Whether a change-set makes an event depends only on the ledger up to it,
// so events once derived never change (eventCache relies on it).
type event struct {
	at    time.Time
	tag   string
	delta int
}

// pair is a (tag, customer) whose state the replay follows.
type pair struct{ tag, customer string }

// walked is what one read of the ledger saw: its events and the newest
// change-set (id and time), to continue from.
type walked struct {
	events []event
	last   store.ID
	lastAt time.Time
}

// customerEvents derives from the ledger the customer-level events of
// every change-set from since to the end of the ledger (of tagID only when
// set), oldest first: a customer whose tag moves between two relationships
// makes no event.
func (s *Stats) customerEvents(since time.Time, tagID string, sc Scope) ([]event, error) {
	w, err := s.eventsAfter(since, 0, tagID, sc)
	return w.events, err
}

// eventsAfter is customerEvents for the change-sets after id `after` from
// time since. The state before them is the current projection with them
// reverted, so only they are read. The ledger and the projection are read
// in two transactions; when a change-set lands between them the read is
// repeated (a few times at most).
func (s *Stats) eventsAfter(since time.Time, after store.ID, tagID string, sc Scope) (walked, error) {
	var w walked
	for try := 0; ; try++ {
		var css []store.ChangeSet
		w = walked{last: after, lastAt: since}
		before, err := s.Store.NextID()
		if err != nil {
			return w, fmt.Errorf("read ledger: %w", err)
		}
		err = s.Store.ChangeSetsBetween(since, time.Time{}, tagID, func(cs *store.ChangeSet) bool {
			if cs.ID <= after {
				return true
			}
			w.last, w.lastAt = cs.ID, cs.Time
			if cs.Effective() && (sc.Follower == "" || cs.Follower == sc.Follower) {
				css = append(css, *cs)
			}
			return true
		})
		if err != nil {
			return w, fmt.Errorf("read ledger: %w", err)
		}
		state, err := s.currentState(css, tagID, sc)
		if err != nil {
			return w, err
		}
		next, err := s.Store.NextID()
		if err != nil {
			return w, fmt.Errorf("read ledger: %w", err)
		}
		if next != before && try < 3 {
			continue // the ledger moved while it and the projection were read
		}
		for i := len(css) - 1; i >= 0; i-- { // back to the state before them
			apply(state, &css[i], tagID, true, nil)
		}
		for i := range css {
			apply(state, &css[i], tagID, false, func(tag string, d int) {
				w.events = append(w.events, event{at: css[i].Time, tag: tag, delta: d})
			})
		}
		return w, nil
	}
}

// currentState reads, for every (tag, customer) css touch, the followers
// in scope carrying the tag now.
func (s *Stats) currentState(css []store.ChangeSet, tagID string, sc Scope) (map[pair]map[string]bool, error) {
	var pairs []store.TagCustomer
	seen := map[store.TagCustomer]bool{}
	for _, cs := range css {
		for _, ref := range append(cs.Add[:len(cs.Add):len(cs.Add)], cs.Remove...) {
			p := store.TagCustomer{Tag: ref.ID, Customer: cs.Customer}
			if (tagID == "" || ref.ID == tagID) && !seen[p] {
				seen[p] = true
				pairs = append(pairs, p)
			}
		}
	}
	now, err := s.Store.TagFollowers(pairs)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	state := make(map[pair]map[string]bool, len(pairs)) // followers carrying the tag
	for _, p := range pairs {
		set := map[string]bool{}
		for _, f := range now[p] {
			if sc.Follower == "" || f == sc.Follower {
				set[f] = true
			}
		}
		state[pair{p.Tag, p.Customer}] = set
	}
	return state, nil
}

// eventCache keeps the events of every tag for all relationships (the
// managers' /stats) from its since on, so a later /stats reads only the
// change-sets appended since the last one.
type eventCache struct {
	mu     sync.Mutex
	ok     bool
	since  time.Time
	events []event
	last   store.ID
	lastAt time.Time
}

// allEvents returns the events of every tag and relationship from since
// on, through the cache.
func (s *Stats) allEvents(since time.Time) ([]event, error) {
	c := &s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ok || since.Before(c.since) {
		w, err := s.eventsAfter(since, 0, "", Scope{})
		if err != nil {
			return nil, err
		}
		c.ok, c.since, c.events, c.last, c.lastAt = true, since, w.events, w.last, w.lastAt
	} else {
		w, err := s.eventsAfter(c.lastAt, c.last, "", Scope{})
		if err != nil {
			return nil, err
		}
		c.events, c.last, c.lastAt = append(c.events, w.events...), w.last, w.lastAt
		i := 0
		for i < len(c.events) && c.events[i].at.Before(since) {
			i++
		}
		c.events, c.since = slices.Clip(c.events[i:]), since
	}
	return c.events, nil
}

// apply plays cs on state, forwards or (reverse) backwards, and reports
// each tag whose customer went from none to some relationships (+1) or
// back (−1).
func apply(state map[pair]map[string]bool, cs *store.ChangeSet, tagID string, reverse bool, emit func(tag string, d int)) {
	play := func(refs []store.TagRef, add bool) {
		for _, ref := range refs {
			if tagID != "" && ref.ID != tagID {
				continue
			}
			p := pair{ref.ID, cs.Customer}
			set := state[p]
			if set == nil {
				set = map[string]bool{}
				state[p] = set
			}
			before := len(set) > 0
			if add {
				set[cs.Follower] = true
			} else {
				delete(set, cs.Follower)
			}
			if after := len(set) > 0; emit != nil && before != after {
				emit(ref.ID, map[bool]int{true: 1, false: -1}[after])
			}
		}
	}
	play(cs.Add, !reverse)
	play(cs.Remove, reverse)
}

// LedgerCounts replays the whole ledger from an empty store and counts,
// per tag id, the customers carrying it at the end within sc. It reads
// every change-set, so it is for checks (tests, tagbot check), not for
// replies: it must equal what Overview counts from the projection.
func (s *Stats) LedgerCounts(sc Scope) (map[string]int, error) {
	state := map[pair]map[string]bool{}
	out := map[string]int{}
	err := s.Store.ChangeSetsBetween(time.Time{}, time.Time{}, "", func(cs *store.ChangeSet) bool {
		if cs.Effective() && (sc.Follower == "" || cs.Follower == sc.Follower) {
			apply(state, cs, "", false, func(tag string, d int) { out[tag] += d })
		}
		return true
	})
	for tag, n := range out {
		if n == 0 {
			delete(out, tag)
		}
	}
	return out, err
}
