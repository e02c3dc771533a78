package commands

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/tagbot/tagbot/store"
)

// ledger answers the questions commands ask of the change-set ledger
// (pages of history, batches, who undid what, what to undo next); it
// reads the store and never writes. 账本查询。
type ledger struct {
	st *store.Store
}

// fetch runs q for each of tagIDs (or once without a tag) and
// merges the results newest first, keeping q.Limit: paging by q.Before
// works across the merge as it does on one query.
func (l ledger) fetch(q store.Query, tagIDs []string) ([]store.ChangeSet, error) {
	if len(tagIDs) <= 1 {
		if len(tagIDs) == 1 {
			q.Tag = tagIDs[0]
		}
		list, err := l.st.History(q)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		return list, nil
	}
	seen := map[store.ID]bool{}
	var all []store.ChangeSet
	for _, id := range tagIDs {
		qq := q
		qq.Tag = id
		list, err := l.st.History(qq)
		if err != nil {
			return nil, fmt.Errorf("history of tag %s: %w", id, err)
		}
		for _, cs := range list {
			if !seen[cs.ID] {
				seen[cs.ID] = true
				all = append(all, cs)
			}
		}
	}
	slices.SortFunc(all, func(a, b store.ChangeSet) int { return cmp.Compare(b.ID, a.ID) })
	if len(all) > q.Limit {
		all = all[:q.Limit]
	}
	return all, nil
}

// ledgerPage is one page of history: up to the page size of change-sets,
// newest first, and whether more follow. An empty list with pages > 0
// means the page asked for is past the last one, which is pages.
type ledgerPage struct {
	list  []store.ChangeSet
	more  bool
	pages int
}

// page returns page n (from 1) of q's change-sets (merged over tagIDs)
// as v may read them (Viewer.ShowChange), size per page; q.Limit is ignored.
func (l ledger) page(q store.Query, tagIDs []string, n, size int, v Viewer) (ledgerPage, error) {
	for p := 1; p < n; p++ {
		q.Limit = size
		prev, err := l.fetchShown(q, tagIDs, v)
		if err != nil {
			return ledgerPage{}, err
		}
		if len(prev) < size {
			return ledgerPage{pages: p - 1 + min(len(prev), 1)}, nil
		}
		q.Before = prev[len(prev)-1].ID
	}
	q.Limit = size + 1
	list, err := l.fetchShown(q, tagIDs, v)
	if err != nil {
		return ledgerPage{}, err
	}
	if len(list) == 0 {
		return ledgerPage{pages: n - 1}, nil
	}
	more := len(list) > size
	if more {
		list = list[:size]
	}
	return ledgerPage{list: list, more: more}, nil
}

// deletionRemovals lists the change-sets that recorded the tag's deletion,
// one per relationship.
func (l ledger) deletionRemovals(tagID string) ([]store.ChangeSet, error) {
	q := store.Query{Batch: "tagdel-" + tagID, Limit: 500}
	seen := map[string]bool{}
	var out []store.ChangeSet
	for {
		list, err := l.st.History(q)
		if err != nil {
			return nil, fmt.Errorf("deletion history: %w", err)
		}
		for _, cs := range list {
			if k := cs.Customer + ":" + cs.Follower; !seen[k] {
				seen[k] = true
				out = append(out, cs)
			}
		}
		if len(list) < q.Limit {
			return out, nil
		}
		q.Before = list[len(list)-1].ID
	}
}

// Which change-sets are undone: an undo (a revert) is in effect unless it
// was itself reverted, so a change-set is undone when one of its reverts
// is in effect. /undo, /redo and /restore ask this of the ledger.

// undoneBy returns the revert of id that is in effect (not itself
// reverted), if any: then id is undone. Chains deeper than a few undos of
// undos are taken as not undone.
func (l ledger) undoneBy(id store.ID, depth int) (store.ChangeSet, bool, error) {
	if depth > 8 {
		return store.ChangeSet{}, false, nil
	}
	revs, err := l.st.RevertsOf(id)
	if err != nil {
		return store.ChangeSet{}, false, fmt.Errorf("reverts of %d: %w", id, err)
	}
	for i := len(revs) - 1; i >= 0; i-- {
		_, undone, err := l.undoneBy(revs[i].ID, depth+1)
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
func (l ledger) overwrote(target, cs store.ChangeSet) (bool, error) {
	tags := map[string]bool{}
	for _, refs := range [][]store.TagRef{cs.Add, cs.Remove} {
		for _, t := range refs {
			tags[t.ID] = true
		}
	}
	q := store.Query{Customer: target.Customer, Follower: target.Follower, Before: cs.ID, Limit: 200}
	for {
		list, err := l.st.History(q)
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
func (l ledger) lastUndoable(user string) (store.ChangeSet, error) {
	return l.scanOwn(user, func(cs store.ChangeSet) (bool, error) {
		if cs.Source == store.SourceUndo || cs.Cause != 0 { // a trigger's change goes with its cause
			return false, nil
		}
		_, undone, err := l.undoneBy(cs.ID, 0)
		return !undone, err
	})
}

// lastRedoable finds the user's newest undo (not a redo) that is still in
// effect: not redone, by anyone.
func (l ledger) lastRedoable(user string) (store.ChangeSet, error) {
	return l.scanOwn(user, func(cs store.ChangeSet) (bool, error) {
		if cs.Source != store.SourceUndo || cs.Cause != 0 {
			return false, nil
		}
		t, err := l.st.Get(cs.Reverts)
		if err != nil {
			return false, err
		}
		if t.Source == store.SourceUndo {
			return false, nil // a redo
		}
		_, undone, err := l.undoneBy(cs.ID, 0)
		return !undone, err
	})
}

// scanOwn walks the user's effective change-sets newest first until pick
// accepts one; store.ErrNotFound if none within undoScan.
func (l ledger) scanOwn(user string, pick func(store.ChangeSet) (bool, error)) (store.ChangeSet, error) {
	q := store.Query{Actor: user, Limit: 50}
	for seen := 0; seen < undoScan; {
		list, err := l.st.History(q)
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

// batchMembers is target alone, or every effective change-set of its user
// batch, oldest first.
func (l ledger) batchMembers(target store.ChangeSet) ([]store.ChangeSet, error) {
	if !userBatch(target.Batch) {
		return []store.ChangeSet{target}, nil
	}
	list, err := l.st.History(store.Query{Batch: target.Batch, Limit: 10000})
	if err != nil {
		return nil, fmt.Errorf("read batch %s: %w", target.Batch, err)
	}
	out := make([]store.ChangeSet, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Effective() {
			out = append(out, list[i])
		}
	}
	if len(out) == 0 {
		out = append(out, target)
	}
	return out, nil
}
