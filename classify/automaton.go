package classify

import (
	"cmp"
	"math/bits"
	"slices"
	"unicode/utf8"
)

// automaton is an Aho-Corasick automaton over runes for many short
// patterns (Chinese keywords of 2–6 characters). Its goto function is a
// dense row for the root, the single child inline for states with one, and
// for states with several a block of their children sorted by rune (each
// such state has a 32-bit mask of its children's runes, so most runes that
// continue nothing are refused without looking; a block of many children
// is a small hash table). States are numbered breadth first, so the
// shallow states most lookups reach are together, and a state is 16
// bytes: 10,000 patterns take under 1 MB and build in milliseconds; a
// byte-level DFA over the same patterns
// (github.com/coregx/ahocorasick) needs 32 MB: BenchmarkAutomata compares
// the two. Matches may overlap: every pattern ending at every position is
// reported. 按字符的 AC 自动机。
type automaton struct {
	// root is the goto of the root for BMP runes (256 KB; 0 = none): the
	// state most lookups start from needs no search.
	root *[1 << 16]int32
	// states holds what a step reads of a state, together (16 bytes).
	states []state
	// kids holds each block of children: a header, then the children.
	// A block of at most linearKids children has header {count, 0} and
	// its children sorted by rune; a larger one is an open-addressing
	// table: header {shift, size}, size slots (to 0: empty).
	kids   []edgeTo
	out    []int32 // state → pattern ending there, -1 for none
	patLen []int   // pattern → length in bytes
}

// state is one automaton state.
type state struct {
	// r is the rune of the only child of a state with one; for a state with
	// several, bit r&31 is set for the rune r of each child (a rune whose
	// bit is clear has no child, without a look).
	r uint32
	// to is the only child (0: a leaf, no child) or, negative, -1-i for
	// the block of children at kids[i].
	to     int32
	fail   int32 // failure state
	report int32 // the state itself if a pattern ends here, else the nearest such state on the failure chain; 0 for none
}

// edgeTo is one trie edge from a known state.
type edgeTo struct {
	r  rune
	to int32
}

// newAutomaton builds the automaton of patterns (non-empty, valid UTF-8,
// distinct; pattern i is reported as i).
func newAutomaton(patterns []string) *automaton {
	kids, out := trie(patterns)
	// number the states breadth first: id[t] is trie node t's state
	id := make([]int32, len(kids))
	order := make([]int32, 1, len(kids)) // state → trie node
	for k := 0; k < len(order); k++ {
		for _, e := range kids[order[k]] {
			id[e.to] = int32(len(order))
			order = append(order, e.to)
		}
	}
	a := &automaton{root: new([1 << 16]int32), states: make([]state, len(order)), out: make([]int32, len(order)),
		patLen: make([]int, len(patterns))}
	for p, s := range patterns {
		a.patLen[p] = len(s)
	}
	for st, t := range order {
		a.out[st] = out[t]
		ks := kids[t]
		for i := range ks {
			ks[i].to = id[ks[i].to]
		}
		s := &a.states[st]
		switch {
		case st != 0 && len(ks) <= 1: // a leaf keeps {0, 0}: no child
			if len(ks) == 1 {
				s.r, s.to = uint32(ks[0].r), ks[0].to
			}
		case st == 0: // the root row, and a block for runes past the BMP
			for len(ks) > 0 && ks[0].r < 1<<16 {
				a.root[ks[0].r] = ks[0].to
				ks = ks[1:]
			}
			fallthrough
		default:
			s.to = -1 - int32(len(a.kids))
			a.kids = kidBlock(a.kids, ks)
			for _, e := range ks {
				s.r |= 1 << (uint32(e.r) & 31)
			}
		}
	}
	a.buildFailure()
	return a
}

// linearKids is the most children a block lists in order; more are
// hashed (a frequent character has hundreds).
const linearKids = 8

// kidBlock appends the block of children ks to dst.
func kidBlock(dst []edgeTo, ks []edgeTo) []edgeTo {
	if len(ks) <= linearKids {
		return append(append(dst, edgeTo{r: rune(len(ks))}), ks...)
	}
	size := 1 << bits.Len(uint(2*len(ks)-1)) // at most half full
	shift := 32 - bits.TrailingZeros(uint(size))
	dst = append(dst, edgeTo{r: rune(shift), to: int32(size)})
	dst = append(dst, make([]edgeTo, size)...)
	table := dst[len(dst)-size:]
	for _, e := range ks {
		j := kidSlot(e.r, shift)
		for table[j].to != 0 {
			j = (j + 1) & (size - 1)
		}
		table[j] = e
	}
	return dst
}

// kidSlot is the first slot of rune r in a hashed block of 1<<(32-shift).
func kidSlot(r rune, shift int) int { return int(uint32(r) * 0x9E3779B1 >> shift) }

// trie is the trie of patterns: each node's children sorted by rune, and
// the pattern ending at each node (-1 for none); node 0 is the root.
func trie(patterns []string) ([][]edgeTo, []int32) {
	type edge struct {
		from int32
		r    rune
	}
	children := map[edge]int32{}
	out := []int32{-1}
	for p, s := range patterns {
		st := int32(0)
		for _, r := range s {
			nx, ok := children[edge{st, r}]
			if !ok {
				nx = int32(len(out))
				out = append(out, -1)
				children[edge{st, r}] = nx
			}
			st = nx
		}
		out[st] = int32(p)
	}
	kids := make([][]edgeTo, len(out))
	for e, to := range children {
		kids[e.from] = append(kids[e.from], edgeTo{e.r, to})
	}
	for _, ks := range kids {
		slices.SortFunc(ks, func(x, y edgeTo) int { return cmp.Compare(x.r, y.r) })
	}
	return kids, out
}

// children is each child of st (of the root: past the BMP), sorted by
// rune in a linear block.
func (a *automaton) children(st int32) []edgeTo {
	s := a.states[st]
	switch {
	case s.to == 0:
		return nil
	case s.to > 0:
		return []edgeTo{{rune(s.r), s.to}}
	}
	i := -1 - s.to
	if h := a.kids[i]; h.to == 0 {
		return a.kids[i+1 : i+1+h.r]
	}
	var ks []edgeTo
	for _, e := range a.kids[i+1 : i+1+a.kids[i].to] {
		if e.to != 0 {
			ks = append(ks, e)
		}
	}
	return ks
}

// buildFailure computes failure and report links in breadth-first order
// (the states' order): fail is the longest proper suffix state, report
// the state itself or the nearest state on the failure chain that ends a
// pattern (0, the root, for none).
func (a *automaton) buildFailure() {
	for u := range a.states {
		for _, e := range a.children(int32(u)) {
			f := a.states[u].fail
			for u != 0 {
				if nx, ok := a.step(f, e.r); ok {
					a.states[e.to].fail = nx
					break
				}
				if f == 0 {
					break
				}
				f = a.states[f].fail
			}
		}
		if a.out[u] >= 0 {
			a.states[u].report = int32(u)
		} else if u != 0 {
			a.states[u].report = a.states[a.states[u].fail].report
		}
	}
}

// step is the goto function: the state after r from st, or 0 and ok
// false if none.
func (a *automaton) step(st int32, r rune) (int32, bool) {
	if st == 0 && uint32(r) < 1<<16 {
		nx := a.root[r]
		return nx, nx != 0
	}
	s := &a.states[st]
	if s.to >= 0 {
		return s.to, s.to != 0 && s.r == uint32(r)
	}
	if s.r&(1<<(uint32(r)&31)) == 0 {
		return 0, false
	}
	nx := a.child(-1-s.to, r)
	return nx, nx != 0
}

// child is the child for r in the block of children at kids[i], 0 if none.
func (a *automaton) child(i int32, r rune) int32 {
	h := a.kids[i]
	if h.to == 0 {
		for _, e := range a.kids[i+1 : i+1+h.r] {
			if e.r == r {
				return e.to
			}
		}
		return 0
	}
	size := int(h.to)
	table := a.kids[i+1 : i+1+h.to]
	for j := kidSlot(r, int(h.r)); ; j = (j + 1) & (size - 1) {
		switch e := table[j]; {
		case e.r == r && e.to != 0:
			return e.to
		case e.to == 0:
			return 0
		}
	}
}

// findAll appends every occurrence of every pattern in text to dst.
func (a *automaton) findAll(text string, dst []hit) []hit {
	return a.findFrom(text, 0, 0, dst)
}

// findFrom goes on scanning text at byte i in state st (the state after
// text[:i]).
func (a *automaton) findFrom(text string, i int, st int32, dst []hit) []hit {
	for i < len(text) {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
			if n == 1 { // an invalid byte matches no pattern
				r = -1
			}
		}
		i += n
		if st = a.next(st, r); a.states[st].report > 0 {
			dst = a.report(st, i, dst)
		}
	}
	return dst
}

// next is the state after r from st, following failure links; the root's
// dense row is looked up inline.
func (a *automaton) next(st int32, r rune) int32 {
	if st == 0 && uint32(r) < 1<<16 {
		return a.root[r]
	}
	return a.follow(st, r)
}

// follow is next from a state other than the root (or for a rune past the
// BMP): step and the failure links in one loop, the common cases inline.
func (a *automaton) follow(st int32, r rune) int32 {
	bit := uint32(1) << (uint32(r) & 31)
	for st != 0 {
		s := &a.states[st]
		switch {
		case s.to > 0: // one child
			if s.r == uint32(r) {
				return s.to
			}
		case s.to < 0 && s.r&bit != 0: // several, and maybe one for r
			if nx := a.child(-1-s.to, r); nx != 0 {
				return nx
			}
		}
		st = s.fail
	}
	if uint32(r) < 1<<16 {
		return a.root[r]
	}
	return a.child(-1-a.states[0].to, r)
}

// report appends the patterns ending in state st at byte end to dst.
func (a *automaton) report(st int32, end int, dst []hit) []hit {
	for o := a.states[st].report; o > 0; o = a.states[a.states[o].fail].report {
		p := a.out[o]
		dst = append(dst, hit{pattern: int(p), start: end - a.patLen[p], end: end})
	}
	return dst
}
