package classify

// Kinds of a rule word.
const (
	wordAny     = iota // keywords: any one matches
	wordAll            // all: every one must appear
	wordExclude        // exclude: any one vetoes
)

// wordRef is one use of a pattern: rule r's i-th word of kind.
type wordRef struct {
	rule int32
	kind uint8
	idx  uint16 // index in the rule's list of that kind (for all: its bit)
}

// keywordIndex is every keyword, all-word and exclude word of every rule in
// one Aho-Corasick automaton (automaton, over runes; BenchmarkAutomata
// shows why not github.com/coregx/ahocorasick). Patterns are normalised
// and deduplicated; each knows the rules that use it.
type keywordIndex struct {
	ac *automaton // nil when no rule has words
	// uses of pattern p are refs[start[p]:start[p+1]] (one flat array: one
	// cache line for most hits, not a slice header and then its array).
	refs  []wordRef
	start []int32
	words []string // pattern id → normalised word
	t2s   *t2sMap  // Normalize's table, kept at hand for scan
}

// keywordBuilder collects patterns before building the automaton.
type keywordBuilder struct {
	ids   map[string]int
	words []string
	refs  [][]wordRef
}

func newKeywordBuilder() *keywordBuilder {
	return &keywordBuilder{ids: map[string]int{}}
}

// add records rule r's idx-th word of kind; an empty normalised word is
// ignored (the parser refuses them).
func (b *keywordBuilder) add(word string, r int, kind uint8, idx int) {
	w := Normalize(word)
	if w == "" {
		return
	}
	id, ok := b.ids[w]
	if !ok {
		id = len(b.words)
		b.ids[w] = id
		b.words = append(b.words, w)
		b.refs = append(b.refs, nil)
	}
	b.refs[id] = append(b.refs[id], wordRef{rule: int32(r), kind: kind, idx: uint16(idx)})
}

func (b *keywordBuilder) build() *keywordIndex {
	k := &keywordIndex{words: b.words, start: make([]int32, len(b.refs)+1)}
	for p, rs := range b.refs {
		k.refs = append(k.refs, rs...)
		k.start[p+1] = int32(len(k.refs))
	}
	if len(b.words) > 0 {
		k.ac, k.t2s = newAutomaton(b.words), t2sTable()
	}
	return k
}

// uses is the uses of pattern p.
func (k *keywordIndex) uses(p int) []wordRef { return k.refs[k.start[p]:k.start[p+1]] }

// hit is one occurrence of a pattern in the text (byte offsets).
type hit struct {
	pattern    int
	start, end int
}

// scan returns Normalize(s) and appends every occurrence of every pattern
// in it, overlapping ones included, to dst. The part of s that Normalize
// keeps as it is (often all of it) is scanned in the same pass that checks
// it; the rest is scanned as it is normalised.
func (k *keywordIndex) scan(s string, dst []hit) (string, []hit) {
	if k.ac == nil {
		return Normalize(s), dst
	}
	n, st, dst := scanNormal(s, k.t2s, k.ac, dst)
	if n == len(s) {
		return s, dst
	}
	return normalizeScan(s, n, k.t2s, k.ac, st, dst)
}
