package importer

import (
	"sort"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// library indexes the live tags by name and by group.
type library struct {
	live    []store.Tag
	byID    map[string]store.Tag
	byName  map[string][]store.Tag // folded name → tags (one per group)
	groups  map[string]bool        // live group names
	ordered []string
}

func newLibrary(tags []store.Tag) *library {
	l := &library{live: tags, byID: map[string]store.Tag{}, byName: map[string][]store.Tag{}, groups: map[string]bool{}}
	for _, t := range tags {
		l.byID[t.ID] = t
		k := foldTag(t.Name)
		l.byName[k] = append(l.byName[k], t)
		if !l.groups[t.GroupName] {
			l.groups[t.GroupName] = true
			l.ordered = append(l.ordered, t.GroupName)
		}
	}
	sort.Strings(l.ordered)
	return l
}

func (l *library) groupNames() []string { return l.ordered }

// foldTag folds ASCII letter case only: 'vip' is VIP, but near-duplicates
// (全角, 北上广 vs 北京上海广州) are proposals, never silent matches.
func foldTag(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// find returns the tags called name, in group when group is not "".
func (l *library) find(name, group string) (in []store.Tag, elsewhere []store.Tag) {
	for _, t := range l.byName[foldTag(name)] {
		if group == "" || t.GroupName == group {
			in = append(in, t)
		} else {
			elsewhere = append(elsewhere, t)
		}
	}
	return in, elsewhere
}

// isTag reports whether s is exactly a live tag's name.
func (l *library) isTag(s string) bool { return len(l.byName[foldTag(s)]) > 0 }

// splitTags splits a tag cell on the separators people type between tags.
func splitTags(cell string) []string {
	parts := strings.FieldsFunc(cell, func(r rune) bool {
		switch r {
		case ',', '，', '、', ';', '；', '|', '\n', '\r':
			return true
		}
		return false
	})
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
