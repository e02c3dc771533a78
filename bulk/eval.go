package bulk

import (
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// Index is what evaluating a selection needs from the store (*store.Store):
// sorted relationship sets ("<external_userid>:<userid>") from the index
// keys, and a filter reading when and how each relationship was added.
type Index interface {
	RelsWithTag(tagID string) ([]string, error)
	RelsOfFollower(userID string) ([]string, error)
	AllRels() ([]string, error)
	FilterRels(rels []string, keep func(store.RelFacts) bool) ([]string, error)
}

var _ Index = (*store.Store)(nil)

// Resolve replaces the tag names of a selection with tag ids using
// lookup (an unknown name is lookup's error). The result keeps names for
// display in TagIDs.
func Resolve(n Node, lookup func(name string) (string, error)) (Node, error) {
	switch n := n.(type) {
	case Tag:
		id, err := lookup(n.Name)
		if err != nil {
			return nil, err
		}
		return tagID{Tag: n, id: id}, nil
	case And:
		terms, err := resolveAll(n.Terms, lookup)
		return And{Terms: terms}, err
	case Or:
		terms, err := resolveAll(n.Terms, lookup)
		return Or{Terms: terms}, err
	case Not:
		x, err := Resolve(n.X, lookup)
		return Not{X: x}, err
	}
	return n, nil
}

func resolveAll(ns []Node, lookup func(string) (string, error)) ([]Node, error) {
	out := make([]Node, len(ns))
	for i, n := range ns {
		var err error
		if out[i], err = Resolve(n, lookup); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tagID is a Tag resolved to its id.
type tagID struct {
	Tag
	id string
}

// Select evaluates a resolved selection: the relationships it selects,
// sorted. Tag and follower terms are read from the index keys and combined
// as sorted sets; since:, until: and state: filter what the other terms of
// their "and" left (or every relationship, when nothing else narrows it).
func Select(ix Index, n Node) ([]string, error) {
	e := &evaluator{ix: ix}
	return e.eval(n, nil)
}

// evaluator evaluates one selection; all is every relationship, read
// once when a "not" or a lone filter needs it.
type evaluator struct {
	ix  Index
	all []string
}

// eval returns what n selects within base (every relationship when base
// is nil).
func (e *evaluator) eval(n Node, base []string) ([]string, error) {
	switch n := n.(type) {
	case tagID:
		return e.within(e.ix.RelsWithTag(n.id))(base)
	case Follower:
		return e.within(e.ix.RelsOfFollower(n.UserID))(base)
	case Since, Until, State:
		out, err := e.ix.FilterRels(base, facts([]Node{n}))
		return nonNil(out), err
	case Not:
		x, err := e.eval(n.X, base)
		if err != nil {
			return nil, err
		}
		if base == nil {
			if base, err = e.universe(); err != nil {
				return nil, err
			}
		}
		return minus(base, x), nil
	case And:
		return e.and(n, base)
	case Or:
		var out []string
		for _, t := range n.Terms {
			x, err := e.eval(t, base)
			if err != nil {
				return nil, err
			}
			out = union(out, x)
		}
		return nonNil(out), nil
	case Tag:
		return nil, fmt.Errorf("bulk: tag %q not resolved", n.Name)
	}
	return nil, fmt.Errorf("bulk: unknown selection node %T", n)
}

// and narrows base by each term: sets from the index first, then "not"
// terms, then one pass of the since:/until:/state: filters.
func (e *evaluator) and(n And, base []string) ([]string, error) {
	var sets, nots, filters []Node
	for _, t := range n.Terms {
		switch t.(type) {
		case Since, Until, State:
			filters = append(filters, t)
		case Not:
			nots = append(nots, t)
		default:
			sets = append(sets, t)
		}
	}
	cur := base
	if len(sets) == 0 && len(nots) > 0 && len(filters) > 0 && cur == nil {
		// filter everything in one pass before the "not" terms need it all
		all, err := e.ix.FilterRels(nil, facts(filters))
		if err != nil {
			return nil, err
		}
		cur, filters = nonNil(all), nil
	}
	for _, t := range append(sets, nots...) {
		x, err := e.eval(t, cur)
		if err != nil {
			return nil, err
		}
		cur = x
		if len(cur) == 0 {
			return cur, nil
		}
	}
	if len(filters) == 0 {
		return cur, nil
	}
	out, err := e.ix.FilterRels(cur, facts(filters))
	return nonNil(out), err
}

// within intersects a set read from the index with base (nil: everything).
func (e *evaluator) within(set []string, err error) func(base []string) ([]string, error) {
	return func(base []string) ([]string, error) {
		if err != nil || base == nil {
			return nonNil(set), err
		}
		return intersect(set, base), nil
	}
}

func (e *evaluator) universe() ([]string, error) {
	if e.all == nil {
		all, err := e.ix.AllRels()
		if err != nil {
			return nil, err
		}
		e.all = nonNil(all)
	}
	return e.all, nil
}

// facts is the conjunction of since:, until: and state: terms.
func facts(ns []Node) func(store.RelFacts) bool {
	return func(f store.RelFacts) bool {
		for _, n := range ns {
			switch n := n.(type) {
			case Since:
				if f.Created.Before(n.At) {
					return false
				}
			case Until:
				if !f.Created.Before(n.At) {
					return false
				}
			case State:
				if !strings.EqualFold(f.State, n.Value) {
					return false
				}
			}
		}
		return true
	}
}

// nonNil keeps "nothing selected" distinct from "no base" (nil).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// intersect, union and minus combine sorted sets.
func intersect(a, b []string) []string {
	out := make([]string, 0, min(len(a), len(b)))
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

func union(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return append(append(out, a[i:]...), b[j:]...)
}

func minus(a, b []string) []string {
	out := make([]string, 0, len(a))
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}
