package tagmatch

import (
	"fmt"
	"github.com/tagbot/tagbot/internal/suggest"
	"slices"
	"strings"
)

// Scores of the ways two names can look alike, best first. An edit
// distance scores below every normalisation stage and synonym match.
const (
	scoreSame    = 1.0
	scoreStep    = 0.01 // taken off per normalisation stage needed
	scoreSynonym = 0.95
	scoreEdit    = 0.9 // times the share of runes that agree
)

// minEditRunes is the shortest canonical name an edit distance applies to.
const minEditRunes = 2

// editLimit is how many edits two names of which the shorter has n runes
// may differ by and still look alike: 1, or 2 from 8 runes on.
func editLimit(n int) int { return min(2, max(1, n/4)) }

// pairKind says what two compared names are.
type pairKind int

const (
	queryPair   pairKind = iota // a typed name against a library tag
	libraryPair                 // two tags of the library
)

// compare says whether a and b look alike, how much (score in (0,1]) and
// why, in Chinese. Names with nothing left once normalised look like
// nothing.
func compare(a, b *form, kind pairKind) (float64, string, bool) {
	if a.canon == "" || b.canon == "" {
		return 0, "", false
	}
	if a.stages[stageRaw] == b.stages[stageRaw] {
		if kind == libraryPair {
			return scoreSame, "同名，不同标签组", true
		}
		return scoreSame, "名称相同", true
	}
	for k := stageWidth; k < nStages; k++ {
		if a.stages[k] == b.stages[k] {
			return scoreSame - scoreStep*float64(k), "仅" + aspects(a, b, k) + "不同", true
		}
	}
	if a.canon == b.canon {
		return scoreSynonym, "同义词 " + synonymWhy(a, b), true
	}
	d, ok := editDistance(a, b)
	if !ok {
		return 0, "", false
	}
	syn := synonymWhy(a, b)
	longest := max(len(a.runes), len(b.runes))
	score := scoreEdit * float64(longest-d) / float64(longest)
	why := fmt.Sprintf("相差 %d 个字", d)
	if syn != "" {
		why = "同义词 " + syn + "，" + why
	}
	return score, why, true
}

// contrastRunes are characters that name a level, state or order: two
// names differing only by substituting one of them for another are
// sibling values (高意向 / 低意向, 已付款 / 待付款), not duplicates.
const contrastRunes = "高中低大小多少新老旧已未待不无有是否男女正负上下前后早晚冷热强弱快慢长短好坏真假买卖进出增减开关一二三四五六七八九十百千万甲乙丙丁首末初终"

// editDistance is the rune edit distance of the canonical forms when it
// is within editLimit, the ASCII letters and digits agree (2023双十一 and
// 2024双十一 are different campaigns) and the names are not siblings
// (see contrastRunes).
func editDistance(a, b *form) (int, bool) {
	short := min(len(a.runes), len(b.runes))
	lim := editLimit(short)
	if short < minEditRunes || a.alnum != b.alnum || abs(len(a.runes)-len(b.runes)) > lim {
		return 0, false
	}
	d := suggest.RuneDistance(a.runes, b.runes)
	if d > lim || d >= short {
		return 0, false
	}
	if len(a.runes) == len(b.runes) && hamming(a.runes, b.runes) == d && contrasting(a.runes, b.runes) {
		return 0, false
	}
	return d, true
}

// contrasting reports whether, at some position where two equally long
// names differ, both characters are contrastRunes.
func contrasting(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] && strings.ContainsRune(contrastRunes, a[i]) && strings.ContainsRune(contrastRunes, b[i]) {
			return true
		}
	}
	return false
}

// aspects names what differs between a and b up to stage k ("全角/半角、大小写").
func aspects(a, b *form, k int) string {
	var out []string
	for i := stageWidth; i <= k; i++ {
		if a.stages[i] != a.stages[i-1] || b.stages[i] != b.stages[i-1] {
			out = append(out, stageAspect[i])
		}
	}
	if len(out) == 0 {
		out = append(out, stageAspect[k])
	}
	return strings.Join(out, "、")
}

// synonymWhy names the synonyms that tell a and b apart, a's word first
// ("北京上海广州≈北上广、用户≈客户"): replacements made in one name and not
// the other, paired by their canonical form.
func synonymWhy(a, b *form) string {
	onlyA, onlyB := subtract(a.subs, b.subs), subtract(b.subs, a.subs)
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, sa := range onlyA {
		word := sa.to
		if i := slices.IndexFunc(onlyB, func(sb sub) bool { return sb.to == sa.to }); i >= 0 {
			word = onlyB[i].from
		}
		add(sa.from + "≈" + word)
	}
	for _, sb := range onlyB {
		if !slices.ContainsFunc(onlyA, func(sa sub) bool { return sa.to == sb.to }) {
			add(sb.to + "≈" + sb.from)
		}
	}
	return strings.Join(out, "、")
}

// subtract is the multiset difference x − y.
func subtract(x, y []sub) []sub {
	y = slices.Clone(y)
	var out []sub
	for _, s := range x {
		if i := slices.Index(y, s); i >= 0 {
			y = slices.Delete(y, i, i+1)
			continue
		}
		out = append(out, s)
	}
	return out
}

// hamming counts the positions at which two equally long rune slices differ.
func hamming(a, b []rune) int {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// abs is |x|.
func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
