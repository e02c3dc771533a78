package classify

import (
	"github.com/coregx/ahocorasick"
)

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
// one Aho-Corasick automaton (github.com/coregx/ahocorasick, a DFA; see
// bench_test.go for the comparison against a hand-written automaton and
// strings.Contains). Patterns are normalised and deduplicated; each knows
// the rules that use it.
type keywordIndex struct {
	ac    *ahocorasick.Automaton // nil when no rule has words
	refs  [][]wordRef            // pattern id → uses
	words []string               // pattern id → normalised word
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

func (b *keywordBuilder) build() (*keywordIndex, error) {
	k := &keywordIndex{refs: b.refs, words: b.words}
	if len(b.words) == 0 {
		return k, nil
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(b.words).Build()
	if err != nil {
		return nil, err
	}
	k.ac = ac
	return k, nil
}

// hit is one occurrence of a pattern in the text (byte offsets).
type hit struct {
	pattern    int
	start, end int
}

// find appends every occurrence of every pattern, overlapping ones
// included, to dst.
func (k *keywordIndex) find(text string, dst []hit) []hit {
	if k.ac == nil || text == "" {
		return dst
	}
	for _, m := range k.ac.FindAllOverlapping([]byte(text)) {
		dst = append(dst, hit{pattern: m.PatternID, start: m.Start, end: m.End})
	}
	return dst
}
