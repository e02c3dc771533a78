package commands

import (
	"fmt"

	"github.com/tagbot/tagbot/store"
)

// Which change-sets are undone: an undo (a revert) is in effect unless it
// was itself reverted, so a change-set is undone when one of its reverts
// is in effect. /undo, /redo and /restore ask this of the ledger.

// alreadyUndone answers an undo of change-sets that are all undone
// already (by anyone): who undid them, in which change-set.
func (r *Router) alreadyUndone(req *Request, target store.ChangeSet, members []store.ChangeSet) ([]Reply, error) {
	var first store.ChangeSet
	for i, m := range members {
		u, undone, err := r.undoneBy(m.ID, 0)
		if err != nil {
			return nil, err
		}
		if !undone {
			return nil, nil
		}
		if i == 0 {
			first = u
		}
	}
	who, next := " "+dn(first.Actor)+" ", ""
	if first.Actor == req.UserID {
		who = "你"
	}
	if req.Viewer().MayRevert(first) {
		next = fmt.Sprintf("要恢复请 /undo %d。", first.ID)
	}
	return []Reply{{Text: fmt.Sprintf("#%d 已被%s撤销（#%d），不需要再撤销。%s", target.ID, who, first.ID, next)}}, nil
}

// undoneBy returns the revert of id that is in effect (not itself
// reverted), if any: then id is undone. Chains deeper than a few undos of
// undos are taken as not undone.
func (r *Router) undoneBy(id store.ID, depth int) (store.ChangeSet, bool, error) {
	if depth > 8 {
		return store.ChangeSet{}, false, nil
	}
	revs, err := r.st.RevertsOf(id)
	if err != nil {
		return store.ChangeSet{}, false, fmt.Errorf("reverts of %d: %w", id, err)
	}
	for i := len(revs) - 1; i >= 0; i-- {
		_, undone, err := r.undoneBy(revs[i].ID, depth+1)
		if err != nil {
			return store.ChangeSet{}, false, err
		}
		if !undone {
			return revs[i], true, nil
		}
	}
	return store.ChangeSet{}, false, nil
}

// overwrote reports whether the forced revert cs of target changed a tag
// that someone else had changed on the relationship after target (undos
// of target aside): only then did forcing overwrite anything.
func (r *Router) overwrote(target, cs store.ChangeSet) (bool, error) {
	tags := map[string]bool{}
	for _, refs := range [][]store.TagRef{cs.Add, cs.Remove} {
		for _, t := range refs {
			tags[t.ID] = true
		}
	}
	q := store.Query{Customer: target.Customer, Follower: target.Follower, Before: cs.ID, Limit: 200}
	for {
		list, err := r.st.History(q)
		if err != nil {
			return false, fmt.Errorf("history: %w", err)
		}
		for _, l := range list {
			if l.ID <= target.ID {
				return false, nil
			}
			if l.Actor == cs.Actor || l.Reverts == target.ID || !l.Effective() {
				continue
			}
			for _, refs := range [][]store.TagRef{l.Add, l.Remove} {
				for _, t := range refs {
					if tags[t.ID] {
						return true, nil
					}
				}
			}
		}
		if len(list) < q.Limit {
			return false, nil
		}
		q.Before = list[len(list)-1].ID
	}
}

// lastUndoable finds the user's newest effective change-set that is not an
// undo and is not undone, by anyone (an undo that was redone does not count).
func (r *Router) lastUndoable(user string) (store.ChangeSet, error) {
	return r.scanOwn(user, func(cs store.ChangeSet) (bool, error) {
		if cs.Source == store.SourceUndo {
			return false, nil
		}
		_, undone, err := r.undoneBy(cs.ID, 0)
		return !undone, err
	})
}

// lastRedoable finds the user's newest undo (not a redo) that is still in
// effect: not redone, by anyone.
func (r *Router) lastRedoable(user string) (store.ChangeSet, error) {
	return r.scanOwn(user, func(cs store.ChangeSet) (bool, error) {
		if cs.Source != store.SourceUndo {
			return false, nil
		}
		t, err := r.st.Get(cs.Reverts)
		if err != nil {
			return false, err
		}
		if t.Source == store.SourceUndo {
			return false, nil // a redo
		}
		_, undone, err := r.undoneBy(cs.ID, 0)
		return !undone, err
	})
}

// scanOwn walks the user's effective change-sets newest first until pick
// accepts one; store.ErrNotFound if none within undoScan.
func (r *Router) scanOwn(user string, pick func(store.ChangeSet) (bool, error)) (store.ChangeSet, error) {
	q := store.Query{Actor: user, Limit: 50}
	for seen := 0; seen < undoScan; {
		list, err := r.st.History(q)
		if err != nil {
			return store.ChangeSet{}, err
		}
		for _, cs := range list {
			if ok, err := pick(cs); err != nil || ok {
				return cs, err
			}
		}
		if len(list) < q.Limit {
			break
		}
		seen += len(list)
		q.Before = list[len(list)-1].ID
	}
	return store.ChangeSet{}, fmt.Errorf("nothing to undo for %s: %w", user, store.ErrNotFound)
}
