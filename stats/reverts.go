package stats

import (
	"fmt"
	"slices"

	"github.com/tagbot/tagbot/store"
)

// reversals follows, over a run of the ledger oldest first, which of the
// people's own changes were later taken back: by an undo that stands (is
// not itself undone, i.e. redone), or by a rollback of the relationship
// that removes a tag the change added or adds one it removed. It also
// groups change-sets into changes as the user sees them (Person).
type reversals struct {
	undosOf map[store.ID][]store.ID // change-set → the effective undos reverting it
	own     []ownChange
	byRel   map[[2]string][]int // (customer, follower) → indexes into own
	ops     []*op               // the people's changes, undos and redos
	opOf    map[opKey]*op       // batched ones by batch and customer
}

// opKey names one operation on one customer: the change-sets of a batch
// on a customer are one change.
type opKey struct{ actor, batch, customer string }

// op is one change (or undo, or redo) of a counted person: its change-sets
// by id, and the undone target of each undo.
type op struct {
	p       *Person
	undo    bool
	targets []store.ID // undo: the change-sets it reverts
	parts   []int      // not undo: indexes into own
}

// ownChange is one effective change-set of a counted person other than an undo.
type ownChange struct {
	cs     *store.ChangeSet
	rolled bool
}

// see takes the next change-set of the ledger; p is its actor's Person
// when it is theirs to count (effective, in the window), else nil.
func (r *reversals) see(cs *store.ChangeSet, p *Person) {
	if !cs.Effective() {
		return
	}
	if r.undosOf == nil {
		r.undosOf, r.byRel, r.opOf = map[store.ID][]store.ID{}, map[[2]string][]int{}, map[opKey]*op{}
	}
	undo := cs.Source == store.SourceUndo
	if undo && cs.Reverts != 0 {
		r.undosOf[cs.Reverts] = append(r.undosOf[cs.Reverts], cs.ID)
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
	o := r.opFor(cs, p, undo)
	if undo {
		o.targets = append(o.targets, cs.Reverts)
		return
	}
	if len(o.parts) == 0 {
		p.BySource[cs.Source]++
	}
	c := *cs
	r.byRel[rel] = append(r.byRel[rel], len(r.own))
	o.parts = append(o.parts, len(r.own))
	r.own = append(r.own, ownChange{cs: &c})
}

// opFor returns the operation cs belongs to: its batch's on its customer,
// or a new one.
func (r *reversals) opFor(cs *store.ChangeSet, p *Person, undo bool) *op {
	k := opKey{cs.Actor, cs.Batch, cs.Customer}
	if o := r.opOf[k]; o != nil && cs.Batch != "" && o.undo == undo {
		return o
	}
	o := &op{p: p, undo: undo}
	r.ops = append(r.ops, o)
	if cs.Batch != "" {
		r.opOf[k] = o
	}
	return o
}

// finish counts each person's changes, reverted changes, undos and redos
// (an undo of an undo is a redo).
func (r *reversals) finish(st *store.Store) error {
	memo := map[store.ID]bool{}
	for _, o := range r.ops {
		if !o.undo {
			o.p.Changes++
			if slices.ContainsFunc(o.parts, func(i int) bool { return r.own[i].rolled || r.undone(r.own[i].cs.ID, memo) }) {
				o.p.Reverted++
			}
			continue
		}
		redo := false
		if t := o.targets[0]; t != 0 {
			target, err := st.Get(t)
			if err != nil {
				return fmt.Errorf("read change-set %d: %w", t, err)
			}
			redo = target.Source == store.SourceUndo
		}
		if redo {
			o.p.Redos++
		} else {
			o.p.Undos++
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
