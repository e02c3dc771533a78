package hygiene

import (
	"errors"
	"fmt"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// groupState follows, relationship by relationship, the tags a mass undo
// leaves as its change-sets are taken back (newest first), so that it
// refuses to put back a tag of an exclusive group while another tag of
// the group stays, as /undo refuses it.
type groupState struct {
	st        *store.Store
	exclusive func(group string) bool
	rels      map[string]map[string]store.Tag // "customer:follower" → tag id → tag
}

// newGroupState starts from the relationships as they are now.
func newGroupState(st *store.Store, exclusive func(group string) bool) *groupState {
	return &groupState{st: st, exclusive: exclusive, rels: map[string]map[string]store.Tag{}}
}

// clash says why taking back cs, which puts readd back, would leave two
// tags of an exclusive group ("" when it would not).
func (g *groupState) clash(cs store.ChangeSet, readd []store.Tag) (string, error) {
	cur, err := g.tags(cs)
	if err != nil {
		return "", err
	}
	for _, t := range readd {
		if !g.exclusive(t.GroupName) {
			continue
		}
		for id, o := range cur {
			if id != t.ID && o.GroupName == t.GroupName && !takesOff(cs, id) {
				return fmt.Sprintf("互斥的标签组「%s」已有「%s」，不能再加回「%s」", display.Name(t.GroupName), display.Name(o.Name), display.Name(t.Name)), nil
			}
		}
	}
	return "", nil
}

// apply records that cs is taken back: its added tags come off, readd
// goes back on.
func (g *groupState) apply(cs store.ChangeSet, readd []store.Tag) error {
	cur, err := g.tags(cs)
	if err != nil {
		return err
	}
	for _, r := range cs.Add {
		delete(cur, r.ID)
	}
	for _, t := range readd {
		cur[t.ID] = t
	}
	return nil
}

// tags is the relationship's simulated tags, read from the store first.
func (g *groupState) tags(cs store.ChangeSet) (map[string]store.Tag, error) {
	key := cs.Customer + ":" + cs.Follower
	if cur, ok := g.rels[key]; ok {
		return cur, nil
	}
	cur := map[string]store.Tag{}
	rel, err := g.st.Relationship(cs.Customer, cs.Follower)
	switch {
	case errors.Is(err, store.ErrNoRelationship) || errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("read relationship: %w", err)
	default:
		for id := range rel.Tags {
			t, err := g.st.Tag(id)
			if err != nil {
				return nil, fmt.Errorf("read tag: %w", err)
			}
			cur[id] = t
		}
	}
	g.rels[key] = cur
	return cur, nil
}

// takesOff reports whether taking back cs removes tag id (cs added it).
func takesOff(cs store.ChangeSet, id string) bool {
	for _, r := range cs.Add {
		if r.ID == id {
			return true
		}
	}
	return false
}
