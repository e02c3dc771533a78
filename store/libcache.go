package store

import (
	"slices"
	"sort"
	"strings"
)

// library is the tag library held in memory: every /tag resolves names and
// every Apply checks tags against it, so it is decoded once, when the store
// opens, and again only by a transaction that changes it (a write to a
// grp: or tag: key), which replaces it as it commits (Store.update). It is
// never modified in place.
type library struct {
	groups  map[string]Group
	tags    map[string]Tag
	ordered []Tag // every tag, deleted ones too, in display order
}

// loadLibrary decodes the library as tx sees it.
func loadLibrary(tx *txn) (*library, error) {
	lib := &library{groups: map[string]Group{}, tags: map[string]Tag{}}
	err := scanJSON(tx, "grp:", func(_ string, g *Group) bool {
		lib.groups[g.ID] = *g
		return true
	})
	if err != nil {
		return nil, err
	}
	err = scanJSON(tx, "tag:", func(_ string, t *Tag) bool {
		lib.tags[t.ID] = *t
		lib.ordered = append(lib.ordered, *t)
		return true
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(lib.ordered, func(i, j int) bool {
		a, b := lib.ordered[i], lib.ordered[j]
		ga, gb := lib.groups[a.GroupID], lib.groups[b.GroupID]
		if ga.Order != gb.Order {
			return ga.Order > gb.Order // WeCom: larger order first
		}
		if a.GroupName != b.GroupName {
			return a.GroupName < b.GroupName
		}
		if a.Order != b.Order {
			return a.Order > b.Order
		}
		return a.Name < b.Name
	})
	return lib, nil
}

// isLibraryKey reports whether a write to key changes the library.
func isLibraryKey(key string) bool {
	return strings.HasPrefix(key, "tag:") || strings.HasPrefix(key, "grp:")
}

// library returns the library as tx sees it: the shared one, unless tx
// has changed it, in which case it is decoded from tx.
func (t *txn) library() (*library, error) {
	if t.lib != nil && !t.libDirty {
		return t.lib, nil
	}
	return loadLibrary(t)
}

// tagsWhere returns the library's tags, in display order, that keep says.
func (l *library) tagsWhere(keep func(t *Tag) bool) []Tag {
	var out []Tag
	for i := range l.ordered {
		if keep(&l.ordered[i]) {
			out = append(out, l.ordered[i])
		}
	}
	return out
}

// liveGroups returns the groups not deleted, larger order first.
func (l *library) liveGroups() []Group {
	var out []Group
	for _, g := range l.groups {
		if !g.Deleted {
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		if a.Order != b.Order {
			return b.Order - a.Order
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}
