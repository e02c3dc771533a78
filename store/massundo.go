package store

import "slices"

// Mass undo and merge support (package hygiene): which change-sets a mass
// undo would conflict with, and tags restored since a change-set named
// them (an undo job puts back the restored tag).

// maxRestoreHops bounds how many times a deleted tag is followed to the
// tag that recreated it (a restored tag may be deleted and restored again).
const maxRestoreHops = 16

// UndoConflicts judges, as an undo job run by actor would (revertRow),
// which of the change-sets ids (newest first) conflict: a later effective
// change-set on the same relationship touches the same tags, was made by
// someone other than actor, does not revert it and is not itself among
// ids (those are taken back first). It returns the conflicting ones by id
// with the later change-sets.
func (s *Store) UndoConflicts(ids []ID, actor string) (map[ID][]ChangeSet, error) {
	out := map[ID][]ChangeSet{}
	in := make(map[ID]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	err := s.view(func(tx *txn) error {
		for _, id := range ids {
			orig, err := getChangeSet(tx, id)
			if err != nil {
				return err
			}
			if !orig.Effective() {
				continue
			}
			later, err := touchingAfter(tx, &orig)
			if err != nil {
				return err
			}
			for _, l := range later {
				if l.Actor == actor || l.Reverts == orig.ID || in[l.ID] {
					continue
				}
				out[id] = append(out[id], l)
			}
		}
		return nil
	})
	return out, err
}

// RestoredTag follows a deleted tag to the live tag that recreated it
// (/restore tag); ok is false when the tag is live (returned as is) or
// deleted and not restored.
func (s *Store) RestoredTag(id string) (t Tag, ok bool, err error) {
	err = s.view(func(tx *txn) error {
		var cur *Tag
		cur, err := getTag(tx, id)
		if err != nil {
			return err
		}
		t = *cur
		r := restoredRef(tx, cur.Ref())
		if r.ID != id {
			nt, err := getTag(tx, r.ID)
			if err != nil {
				return err
			}
			t, ok = *nt, true
		}
		return nil
	})
	return t, ok, err
}

// restoredRef returns ref, or for a deleted tag since restored (RestoredAs)
// the ref of the live tag that recreated it.
func restoredRef(tx *txn, ref TagRef) TagRef {
	id := ref.ID
	for range maxRestoreHops {
		t, err := getTag(tx, id)
		if err != nil || !t.Deleted || t.RestoredAs == "" {
			break
		}
		id = t.RestoredAs
	}
	if id == ref.ID {
		return ref
	}
	if t, err := getTag(tx, id); err == nil && !t.Deleted {
		return t.Ref()
	}
	return ref
}

// restoredRefs maps refs through restoredRef (a copy; refs is not changed).
func restoredRefs(tx *txn, refs []TagRef) []TagRef {
	out := slices.Clone(refs)
	for i, r := range out {
		out[i] = restoredRef(tx, r)
	}
	return out
}
