package classify

import (
	"math/bits"
	"unicode/utf8"
)

// automaton is an Aho-Corasick automaton over runes for many short
// patterns (Chinese keywords of 2–6 characters). Its goto function is a
// dense row for the root, the single child inline for states with one, and
// one open-addressing hash table keyed by (state, rune) for the rest (each
// such state has a 32-bit mask of its children's runes, so most runes
// that continue nothing are refused without a probe), so
// 10,000 patterns take under 2 MB and build in milliseconds; a byte-level
// DFA over the same patterns (github.com/coregx/ahocorasick) needs 32 MB:
// BenchmarkAutomata compares the two. Matches may overlap: every pattern
// ending at every position is reported. 按字符的 AC 自动机。
type automaton struct {
	slots []slot // goto: open addressing on (state, rune)
	shift uint   // 64 - log2(len(slots))
	// root is the goto of the root for BMP runes (256 KB; 0 = none): the
	// state most lookups start from needs no hashing.
	root []int32
	// states holds what a step reads of a state, together (one cache line).
	states []state
	patLen []int // pattern → length in bytes
}

// newAutomaton builds the automaton of patterns (non-empty, valid UTF-8,
// distinct; pattern i is reported as i).
func newAutomaton(patterns []string) *automaton {
	type edge struct {
		from int32
		r    rune
	}
	children := map[edge]int32{}
	out := []int32{-1}
	a := &automaton{patLen: make([]int, len(patterns))}
	for p, s := range patterns {
		a.patLen[p] = len(s)
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
	a.states = make([]state, len(out))
	for st, p := range out {
		a.states[st].out = p
	}
	kids := make([][]edgeTo, len(out))
	for e, to := range children {
		kids[e.from] = append(kids[e.from], edgeTo{e.r, to})
	}
	// A state with one child keeps it inline; only the edges of states
	// with several (and the root's beyond the BMP) go in the hash table.
	hashed := 0
	for st, ks := range kids {
		switch {
		case st != 0 && len(ks) <= 1: // a leaf keeps only {0, 0}: no child
			if len(ks) == 1 {
				a.states[st].only = ks[0]
			}
		default:
			a.states[st].only.to = -1
			hashed += len(ks)
			for _, e := range ks {
				a.states[st].mask |= 1 << (uint32(e.r) & 31)
			}
		}
	}
	a.buildTable(hashed, func(add func(from int32, r rune, to int32)) {
		for e, to := range children {
			if a.states[e.from].only.to < 0 {
				add(e.from, e.r, to)
			}
		}
	})
	a.buildFailure(kids)
	return a
}

// slot is one goto entry; key 0 is empty.
type slot struct {
	key  uint64 // (state+1)<<32 | rune
	next int32
}

// state is one automaton state.
type state struct {
	// only is the single child of a state that has one (to 0: a leaf, no
	// child); to -1 means several children, looked up in slots.
	only edgeTo
	fail int32 // failure state
	out  int32 // pattern ending here, -1 for none
	dict int32 // nearest failure-chain state with an output, 0 for none
	// mask has bit r&31 set for the rune r of each child looked up in
	// slots: a rune whose bit is clear has no child, without a probe.
	mask uint32
}

// edgeTo is one trie edge from a known state.
type edgeTo struct {
	r  rune
	to int32
}

// buildTable sizes the hash table to at most half full and fills it.
func (a *automaton) buildTable(edges int, each func(add func(from int32, r rune, to int32))) {
	size := 1 << bits.Len(uint(2*edges+1))
	a.slots = make([]slot, size)
	a.root = make([]int32, 1<<16)
	a.shift = uint(64 - bits.TrailingZeros(uint(size)))
	each(func(from int32, r rune, to int32) {
		if from == 0 && r >= 0 && r < 1<<16 {
			a.root[r] = to
		}
		k := key(from, r)
		for i := a.slot(k); ; i = (i + 1) & (len(a.slots) - 1) {
			if a.slots[i].key == 0 {
				a.slots[i] = slot{k, to}
				return
			}
		}
	})
}

// buildFailure computes failure and dictionary links breadth first: fail
// is the longest proper suffix state, dict the nearest state on the
// failure chain that ends a pattern (0, the root, for none).
func (a *automaton) buildFailure(kids [][]edgeTo) {
	queue := make([]int32, 0, len(kids))
	for _, e := range kids[0] {
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range kids[u] {
			f := a.states[u].fail
			for {
				if nx, ok := a.step(f, e.r); ok {
					a.states[e.to].fail = nx
					break
				}
				if f == 0 {
					break
				}
				f = a.states[f].fail
			}
			if g := a.states[e.to].fail; a.states[g].out >= 0 {
				a.states[e.to].dict = g
			} else {
				a.states[e.to].dict = a.states[g].dict
			}
			queue = append(queue, e.to)
		}
	}
}

func key(state int32, r rune) uint64 { return uint64(state+1)<<32 | uint64(uint32(r)) }

func (a *automaton) slot(k uint64) int { return int((k * 0x9E3779B97F4A7C15) >> a.shift) }

// step is the goto function: the state after r from st, ok false if none.
func (a *automaton) step(st int32, r rune) (int32, bool) {
	if st == 0 && uint32(r) < 1<<16 {
		nx := a.root[r]
		return nx, nx != 0
	}
	s := &a.states[st]
	if o := s.only; o.to >= 0 {
		return o.to, o.to != 0 && o.r == r
	}
	if s.mask&(1<<(uint32(r)&31)) == 0 {
		return 0, false
	}
	k := key(st, r)
	for i := a.slot(k); ; i = (i + 1) & (len(a.slots) - 1) {
		switch a.slots[i].key {
		case k:
			return a.slots[i].next, true
		case 0:
			return 0, false
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
		st = a.next(st, r)
		if a.states[st].out >= 0 || a.states[st].dict > 0 {
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
// BMP).
func (a *automaton) follow(st int32, r rune) int32 {
	for {
		if nx, ok := a.step(st, r); ok || st == 0 {
			return nx
		}
		st = a.states[st].fail
	}
}

// report appends the patterns ending in state st at byte end to dst.
func (a *automaton) report(st int32, end int, dst []hit) []hit {
	for o := st; o > 0; o = a.states[o].dict {
		if p := a.states[o].out; p >= 0 {
			dst = append(dst, hit{pattern: int(p), start: end - a.patLen[p], end: end})
		}
	}
	return dst
}
