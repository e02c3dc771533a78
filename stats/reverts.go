package stats

import (
	"fmt"
	"slices"

	"github.com/tagbot/tagbot/store"
)

// reversals follows, over a run of the ledger oldest first, which of the
// people's own changes were later taken back: by an undo that stands (is
// not itself undone, i.e. redone), or by a rollback of the relationship
// that removes a tag the change added or adds one it removed.
type reversals struct {
	undosOf map[store.ID][]store.ID // change-set → the effective undos reverting it
	own     []ownChange
	byRel   map[[2]string][]int // (customer, follower) → indexes into own
	undos   []personUndo        // the people's undos and redos, told apart in finish
}

// ownChange is one effective change-set of a counted person other than an undo.
type ownChange struct {
	cs     *store.ChangeSet
	p      *Person
	rolled bool
}

// personUndo is an undo (or redo) by p reverting target.
type personUndo struct {
	p      *Person
	target store.ID
}

// see takes the next change-set of the ledger; p is its actor's Person
// when it is theirs to count (effective, in the window), else nil.
func (r *reversals) see(cs *store.ChangeSet, p *Person) {
	if !cs.Effective() {
		return
	}
	if r.undosOf == nil {
		r.undosOf, r.byRel = map[store.ID][]store.ID{}, map[[2]string][]int{}
	}
	if cs.Source == store.SourceUndo {
		if cs.Reverts != 0 {
			r.undosOf[cs.Reverts] = append(r.undosOf[cs.Reverts], cs.ID)
		}
		if p != nil {
			r.undos = append(r.undos, personUndo{p, cs.Reverts})
		}
		return
	}
	rel := [2]string{cs.Customer, cs.Follower}
	if cs.Source == store.SourceRollback {
		for _, i := range r.byRel[rel] {
			o := &r.own[i]
			if overlaps(cs.Remove, o.cs.Add) || overlaps(cs.Add, o.cs.Remove) {
				o.rolled = true
			}
		}
	}
	if p == nil {
		return
	}
	p.Changes++
	p.BySource[cs.Source]++
	c := *cs
	r.byRel[rel] = append(r.byRel[rel], len(r.own))
	r.own = append(r.own, ownChange{cs: &c, p: p})
}

// finish labels the people's undos (an undo of an undo is a redo) and
// counts each person's reverted changes.
func (r *reversals) finish(st *store.Store) error {
	for _, u := range r.undos {
		src := store.SourceUndo
		if u.target != 0 {
			target, err := st.Get(u.target)
			if err != nil {
				return fmt.Errorf("read change-set %d: %w", u.target, err)
			}
			if target.Source == store.SourceUndo {
				src = SourceRedo
			}
		}
		u.p.BySource[src]++
	}
	memo := map[store.ID]bool{}
	for _, o := range r.own {
		if o.rolled || r.undone(o.cs.ID, memo) {
			o.p.Reverted++
		}
	}
	return nil
}

// undone reports whether an undo that stands reverts id.
func (r *reversals) undone(id store.ID, memo map[store.ID]bool) bool {
	if v, ok := memo[id]; ok {
		return v
	}
	memo[id] = false // undos only revert older change-sets: no loops
	for _, u := range r.undosOf[id] {
		if !r.undone(u, memo) {
			memo[id] = true
			break
		}
	}
	return memo[id]
}

// overlaps reports whether a and b name a common tag.
func overlaps(a, b []store.TagRef) bool {
	return slices.ContainsFunc(a, func(x store.TagRef) bool {
		return slices.ContainsFunc(b, func(y store.TagRef) bool { return x.ID == y.ID })
	})
}
