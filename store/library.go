package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

func getTag(tx *txn, id string) (*Tag, error) {
	lib, err := tx.library()
	if err != nil {
		return nil, err
	}
	t, err := lib.tag(id)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// tag returns one tag of the library, deleted or not.
func (l *library) tag(id string) (Tag, error) {
	t, ok := l.tags[id]
	if !ok {
		return Tag{}, fmt.Errorf("%w: %s", ErrUnknownTag, id)
	}
	return t, nil
}

// Tag reads one tag of the library, deleted or not.
func (s *Store) Tag(id string) (Tag, error) {
	return viewOne(s, func(tx *txn) (*Tag, error) { return getTag(tx, id) })
}

// Tags lists the library's tags ordered by group order, group, tag order,
// name. Deleted tags are included only when withDeleted.
func (s *Store) Tags(withDeleted bool) ([]Tag, error) {
	return s.lib.Load().tagsWhere(func(t *Tag) bool { return withDeleted || !t.Deleted }), nil
}

// Groups lists the tag groups that are not deleted.
func (s *Store) Groups() ([]Group, error) {
	return s.lib.Load().liveGroups(), nil
}

// TagsByName returns the live tags called name (a name may repeat across groups).
func (s *Store) TagsByName(name string) ([]Tag, error) {
	return s.lib.Load().tagsWhere(func(t *Tag) bool { return !t.Deleted && t.Name == name }), nil
}

// DeletedTagsByName returns deleted tags called name, newest deletion first.
func (s *Store) DeletedTagsByName(name string) ([]Tag, error) {
	out := s.lib.Load().tagsWhere(func(t *Tag) bool { return t.Deleted && t.Name == name })
	sort.SliceStable(out, func(i, j int) bool { return out[i].DeletedAt.After(out[j].DeletedAt) })
	return out, nil
}

// scan calls fn for every key with the prefix, in key order, until fn returns false.
func scan(tx *txn, prefix string, fn func(k, v string) bool) {
	tx.AscendGreaterOrEqual("", prefix, func(k, v string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		return fn(k, v)
	})
}

// anyKey reports whether a key starts with prefix.
func anyKey(tx *txn, prefix string) bool {
	found := false
	scan(tx, prefix, func(string, string) bool {
		found = true
		return false
	})
	return found
}

// Library is the whole corp tag library as WeCom reports it.
type Library struct {
	Groups []Group
	Tags   []Tag
}

// PutLibrary makes the stored library match lib: new groups and tags are
// added, changed ones updated, and live ones missing from lib are marked
// deleted. WeCom removes a deleted tag from every customer, so for each
// relationship that had a deleted tag a `sync` change-set (actor, batch
// "tagdel-<tag id>") records the removal: that is what /restore replays.
// It returns the tags newly marked deleted.
func (s *Store) PutLibrary(lib Library, actor string) ([]Tag, error) {
	var deleted []Tag
	err := s.update(func(tx *txn) error {
		deleted = deleted[:0]
		now := s.now().UTC()
		seen := map[string]bool{}
		for _, g := range lib.Groups {
			seen["grp:"+g.ID] = true
			if _, _, err := tx.Set("grp:"+g.ID, encode(&g), nil); err != nil {
				return err
			}
		}
		for _, t := range lib.Tags {
			seen["tag:"+t.ID] = true
			if old, err := getTag(tx, t.ID); err == nil {
				t.RestoredAs = old.RestoredAs
			}
			if _, _, err := tx.Set("tag:"+t.ID, encode(&t), nil); err != nil {
				return err
			}
		}
		var gone []Tag
		err := scanJSON(tx, "tag:", func(k string, t *Tag) bool {
			if !t.Deleted && !seen[k] {
				gone = append(gone, *t)
			}
			return true
		})
		if err != nil {
			return err
		}
		for _, t := range gone {
			if err := s.deleteTagTx(tx, t, actor, now); err != nil {
				return err
			}
			t.Deleted, t.DeletedAt = true, now
			deleted = append(deleted, t)
		}
		var goneGroups []Group
		if err := scanJSON(tx, "grp:", func(k string, g *Group) bool {
			if !g.Deleted && !seen[k] {
				goneGroups = append(goneGroups, *g)
			}
			return true
		}); err != nil {
			return err
		}
		for _, g := range goneGroups {
			g.Deleted, g.DeletedAt = true, now
			if err := putJSON(tx, "grp:"+g.ID, &g); err != nil {
				return err
			}
		}
		return nil
	})
	return deleted, err
}

// deleteTagTx records the removal of a deleted tag from every relationship
// that had it, then marks the tag deleted.
func (s *Store) deleteTagTx(tx *txn, t Tag, actor string, now time.Time) error {
	var pairs []string
	scan(tx, "tt:"+t.ID+":", func(k, _ string) bool {
		pairs = append(pairs, k[len("tt:"+t.ID+":"):])
		return true
	})
	for _, p := range pairs {
		cust, fol, _ := strings.Cut(p, ":")
		cs := ChangeSet{
			Actor: actor, Source: SourceSync, Customer: cust, Follower: fol,
			Remove: []TagRef{{ID: t.ID}}, Batch: "tagdel-" + t.ID,
			Reason: "标签「" + t.Name + "」在企业微信中被删除",
		}
		if err := s.applyTx(tx, &cs); err != nil && !errors.Is(err, ErrNoChange) {
			return err
		}
	}
	t.Deleted, t.DeletedAt = true, now
	_, _, err := tx.Set("tag:"+t.ID, encode(&t), nil)
	return err
}

// PutTag adds or updates one tag (and its group) in the library, e.g. after
// the bot created it on WeCom.
func (s *Store) PutTag(g Group, t Tag) error {
	return s.update(func(tx *txn) error {
		if _, _, err := tx.Set("grp:"+g.ID, encode(&g), nil); err != nil {
			return err
		}
		_, _, err := tx.Set("tag:"+t.ID, encode(&t), nil)
		return err
	})
}

// MarkRestored links a deleted tag to the tag that recreated it.
func (s *Store) MarkRestored(oldID, newID string) error {
	return s.update(func(tx *txn) error {
		t, err := getTag(tx, oldID)
		if err != nil {
			return err
		}
		t.RestoredAs = newID
		_, _, err = tx.Set("tag:"+oldID, encode(t), nil)
		return err
	})
}
