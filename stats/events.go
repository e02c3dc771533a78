package stats

import (
	"fmt"
	"time"

	"github.com/tagbot/tagbot/store"
)

// event is a customer starting (+1) or ceasing (−1) to carry a tag on the
// relationships in scope, at the time of the change-set that did it.
type event struct {
	at    time.Time
	tag   string
	delta int
}

// pair is a (tag, customer) whose state the replay follows.
type pair struct{ tag, customer string }

// customerEvents derives from the ledger the customer-level events of
// every change-set from since to the end of the ledger (of tagID only when
// set), oldest first. The state at since is the current projection with
// the window's change-sets reverted, so only the window is read: a
// customer whose tag moves between two relationships makes no event.
func (s *Stats) customerEvents(since time.Time, tagID string, sc Scope) ([]event, error) {
	var css []store.ChangeSet
	err := s.Store.ChangeSetsBetween(since, time.Time{}, tagID, func(cs *store.ChangeSet) bool {
		if cs.Effective() && (sc.Follower == "" || cs.Follower == sc.Follower) {
			css = append(css, *cs)
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
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
	for i := len(css) - 1; i >= 0; i-- { // back to the state at since
		apply(state, &css[i], tagID, true, nil)
	}
	var out []event
	for i := range css {
		apply(state, &css[i], tagID, false, func(tag string, d int) {
			out = append(out, event{at: css[i].Time, tag: tag, delta: d})
		})
	}
	return out, nil
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
