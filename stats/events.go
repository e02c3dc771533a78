package stats

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/tagbot/tagbot/store"
)

// event is a customer starting (+1) or ceasing (−1) to carry a tag on the
// relationships in scope, at the time of the change-set that did it.
// Whether a change-set makes an event depends only on the ledger up to it,
// so events once derived never change (eventCache relies on it).
type event struct {
	at       time.Time
	tag      string
	customer string
	delta    int
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
		if next == before && before > 0 {
			w.last = max(w.last, before-1) // everything before it was read
		}
		for i := len(css) - 1; i >= 0; i-- { // back to the state before them
			apply(state, &css[i], tagID, true, nil)
		}
		for i := range css {
			apply(state, &css[i], tagID, false, func(tag string, d int) {
				w.events = append(w.events, event{at: css[i].Time, tag: tag, customer: css[i].Customer, delta: d})
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

// eventCache keeps, for the managers' scope (every relationship), the
// events from its since on and the customers of each tag asked for so far
// as bit sets, both as of ledger id last; the next call reads only the
// change-sets appended since. Events never change once derived, so this
// is the ledger's answer, read once.
type eventCache struct {
	mu     sync.Mutex
	ok     bool
	since  time.Time
	events []event
	last   store.ID
	lastAt time.Time
	index  map[string]uint32 // customer → bit
	names  []string          // bit → customer
	// sets are compressed bitmaps (roaring): a tag on a few customers of
	// a million costs bytes, not the 125 KB of a plain bit set, so
	// warming every tag of a large library stays small.
	sets map[string]*roaring.Bitmap
}

// sync brings the cache up to the end of the ledger, keeping events from
// since on; c.mu must be held.
func (s *Stats) sync(since time.Time) error {
	c := &s.cache
	if !c.ok || since.Before(c.since) {
		w, err := s.eventsAfter(since, 0, "", Scope{})
		if err != nil {
			return err
		}
		c.ok, c.since, c.events, c.last, c.lastAt = true, since, w.events, w.last, w.lastAt
		c.index, c.names, c.sets = nil, nil, nil // read again at the new position
		return nil
	}
	w, err := s.eventsAfter(c.lastAt, c.last, "", Scope{})
	if err != nil {
		return err
	}
	c.events, c.last, c.lastAt = append(c.events, w.events...), w.last, w.lastAt
	for _, e := range w.events {
		if set, ok := c.sets[e.tag]; ok {
			if e.delta > 0 {
				set.Add(c.bit(e.customer))
			} else {
				set.Remove(c.bit(e.customer))
			}
		}
	}
	i := 0
	for i < len(c.events) && c.events[i].at.Before(since) {
		i++
	}
	c.events, c.since = slices.Clip(c.events[i:]), since
	return nil
}

// allEvents returns the events of every tag and relationship from since
// on, through the cache.
func (s *Stats) allEvents(since time.Time) ([]event, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if err := s.sync(since); err != nil {
		return nil, err
	}
	return s.cache.events, nil
}

// withTagSets calls fn with the customers of each tag (every
// relationship) as bitmaps and the bit → customer table, through the
// cache, under its lock: fn must only read them, and not keep them. A tag
// not held yet is read from the projection at the cache's ledger position.
func (s *Stats) withTagSets(ids []string, fn func(sets []*roaring.Bitmap, names []string)) error {
	c := &s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	for try := 0; ; try++ {
		since := s.now().AddDate(0, 0, -30)
		if c.ok && c.since.Before(since) {
			since = c.since
		}
		if err := s.sync(since); err != nil {
			return err
		}
		var missing []string
		for _, id := range ids {
			if _, ok := c.sets[id]; !ok {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 {
			break
		}
		lists, next, err := s.Store.TagCustomersAsOf(missing, "")
		if err != nil {
			return fmt.Errorf("read tags: %w", err)
		}
		if next != c.last+1 && try < 3 {
			continue // the ledger moved since sync: catch up first
		}
		if next != c.last+1 {
			return fmt.Errorf("stats: the ledger keeps moving")
		}
		if c.sets == nil {
			c.sets, c.index = map[string]*roaring.Bitmap{}, map[string]uint32{}
		}
		for _, id := range missing {
			bits := make([]uint32, len(lists[id]))
			for i, cust := range lists[id] {
				bits[i] = c.bit(cust)
			}
			set := roaring.BitmapOf(bits...)
			c.sets[id] = set
		}
	}
	sets := make([]*roaring.Bitmap, len(ids))
	for i, id := range ids {
		sets[i] = c.sets[id]
	}
	fn(sets, c.names)
	return nil
}

// bit is the customer's bit, assigned on first sight; c.mu must be held.
func (c *eventCache) bit(customer string) uint32 {
	if b, ok := c.index[customer]; ok {
		return b
	}
	b := uint32(len(c.names))
	c.index[customer] = b
	c.names = append(c.names, strings.Clone(customer))
	return b
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
