// Package tagmatch finds near-duplicate tag names: names equal once width
// (全角/半角), case, punctuation and spaces are normalised, names equal
// once configured synonyms and abbreviations are replaced (北上广 ≈
// 北京上海广州, 客户 ≈ 用户), and names a small rune edit distance apart.
// /dupes and /merge use it to tidy the library, the importer to propose
// an existing tag instead of creating a near-duplicate. Results are
// deterministic: ties break by tag name, group name and id.
// 近似重复标签：全半角、大小写、标点空格、同义词/缩写、编辑距离。
package tagmatch

import (
	"cmp"
	"slices"

	"github.com/tagbot/tagbot/store"
)

// Match is a library tag that looks like a given name: how much (Score in
// (0, 1], 1 for the same name) and why, in Chinese ("仅全角/半角不同",
// "同义词 用户≈客户", "相差 1 个字").
type Match struct {
	Tag   store.Tag
	Score float64
	Why   string
}

// Matcher compares names with a tag library. It is read-only once built
// and safe for concurrent use.
type Matcher struct {
	tags  []store.Tag
	forms []form
	syn   *synonyms
	index []posting // (hash of a deletion variant of a canonical form, tag), sorted
}

// posting says that tag i has a deletion variant hashing to h.
type posting struct {
	h uint64
	i int32
}

// New indexes the live tags of tags (deleted ones are left out) with the
// synonym groups: each group is a list of names meaning the same, its
// first entry the canonical one (config `tag_synonyms`).
func New(tags []store.Tag, synonyms [][]string) *Matcher {
	m := &Matcher{syn: newSynonyms(synonyms)}
	for _, t := range tags {
		if !t.Deleted {
			m.tags = append(m.tags, t)
		}
	}
	slices.SortFunc(m.tags, compareTags)
	m.forms = make([]form, len(m.tags))
	n := 0
	for i, t := range m.tags {
		m.forms[i] = newForm(t.Name, m.syn)
		n += variantCount(len(m.forms[i].runes))
	}
	m.index = make([]posting, 0, n)
	var buf []uint64
	for i := range m.tags {
		buf = variants(m.forms[i].runes, buf)
		for _, v := range buf {
			m.index = append(m.index, posting{v, int32(i)})
		}
	}
	// Order within a hash does not matter: Duplicates' groups are the same
	// sets whichever pair joins them, and candidates sorts its result.
	slices.SortFunc(m.index, func(a, b posting) int { return cmp.Compare(a.h, b.h) })
	return m
}

// Nearest returns up to n library tags that look like name, best first
// (n <= 0: all of them). A tag of exactly that name comes first with
// score 1. Names that merely share a few characters are not returned.
func (m *Matcher) Nearest(name string, n int) []Match {
	f := newForm(name, m.syn)
	var out []Match
	for _, i := range m.candidates(&f, nil, nil) {
		if score, why, ok := compare(&f, &m.forms[i], queryPair); ok {
			out = append(out, Match{Tag: m.tags[i], Score: score, Why: why})
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return compareTags(a.Tag, b.Tag)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Compare says whether library tags a and b look alike, as Duplicates
// judges them, with b as the Match's tag.
func (m *Matcher) Compare(a, b store.Tag) (Match, bool) {
	fa, fb := newForm(a.Name, m.syn), newForm(b.Name, m.syn)
	score, why, ok := compare(&fa, &fb, libraryPair)
	return Match{Tag: b, Score: score, Why: why}, ok
}

// Duplicates returns the groups of library tags that look alike (each
// tag alike to at least one other of its group), each group sorted by
// name, group name and id, the groups by their first tag.
func (m *Matcher) Duplicates() [][]store.Tag {
	parent := make([]int32, len(m.tags))
	for i := range parent {
		parent[i] = int32(i)
	}
	for lo := 0; lo < len(m.index); {
		hi := lo + 1
		for hi < len(m.index) && m.index[hi].h == m.index[lo].h {
			hi++
		}
		m.unite(parent, m.index[lo:hi])
		lo = hi
	}
	groups := map[int32][]store.Tag{}
	var roots []int32
	for i := range m.tags {
		r := find(parent, int32(i))
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], m.tags[i])
	}
	var out [][]store.Tag
	for _, r := range roots {
		if len(groups[r]) > 1 {
			out = append(out, groups[r])
		}
	}
	return out
}

// unite joins the tags of one run of postings (sharing a deletion
// variant) that look alike.
func (m *Matcher) unite(parent []int32, run []posting) {
	for x := range run {
		for y := x + 1; y < len(run); y++ {
			i, j := run[x].i, run[y].i
			if find(parent, i) == find(parent, j) {
				continue
			}
			if _, _, ok := compare(&m.forms[i], &m.forms[j], libraryPair); ok {
				parent[find(parent, j)] = find(parent, i)
			}
		}
	}
}

// candidates lists, once each and in order, the tags sharing a deletion
// variant with f: every tag within editLimit edits of f is among them
// (hash collisions only add candidates). buf and out are reused.
func (m *Matcher) candidates(f *form, buf []uint64, out []int32) []int32 {
	out = out[:0]
	for _, v := range variants(f.runes, buf) {
		k, _ := slices.BinarySearchFunc(m.index, v, func(p posting, h uint64) int { return cmp.Compare(p.h, h) })
		for ; k < len(m.index) && m.index[k].h == v; k++ {
			out = append(out, m.index[k].i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// variants returns into buf the hashes of the name and of every string
// made from it by deleting up to editLimit(len) runes, each once
// (symmetric-deletion candidate search: two names within d edits share a
// variant with at most d deletions from each).
func variants(rs []rune, buf []uint64) []uint64 {
	buf = append(buf[:0], hashWithout(rs, -1, -1))
	for i := range rs {
		buf = append(buf, hashWithout(rs, i, -1))
	}
	if editLimit(len(rs)) >= 2 {
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				buf = append(buf, hashWithout(rs, i, j))
			}
		}
	}
	slices.Sort(buf)
	return slices.Compact(buf)
}

// variantCount is at most how many variants a name of n runes has.
func variantCount(n int) int {
	if editLimit(n) >= 2 {
		return 1 + n + n*(n-1)/2
	}
	return 1 + n
}

// hashWithout is the 64-bit FNV-1a hash of rs without the runes at i and j.
func hashWithout(rs []rune, i, j int) uint64 {
	h := uint64(14695981039346656037)
	for k, r := range rs {
		if k != i && k != j {
			h ^= uint64(r)
			h *= 1099511628211
		}
	}
	return h
}

// find is the union-find root of i, halving paths as it goes.
func find(parent []int32, i int32) int32 {
	for parent[i] != i {
		parent[i] = parent[parent[i]]
		i = parent[i]
	}
	return i
}

// compareTags orders tags by name, group name and id.
func compareTags(a, b store.Tag) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.GroupName, b.GroupName), cmp.Compare(a.ID, b.ID))
}
