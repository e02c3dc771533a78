// Package suggest measures how far apart two words are, for "did you
// mean" hints: unknown commands and tag names in commands, unknown keys
// and values in config. Each caller keeps its own policy (what counts as
// close enough, how ties break); this package only owns the edit
// distances. 编辑距离，用于“你是不是想用”的提示。
package suggest

// Distance is the Levenshtein distance between a and b counted in runes:
// the fewest single-rune insertions, deletions and substitutions that turn
// a into b. It is symmetric, and a swap of two adjacent runes costs 2.
func Distance(a, b string) int { return distance([]rune(a), []rune(b), false) }

// RuneDistance is Distance of two names already split into runes.
func RuneDistance(a, b []rune) int { return distance(a, b, false) }

// OSADistance is the optimal-string-alignment distance between a and b in
// runes: Levenshtein plus the transposition of two adjacent runes as one
// edit ("sycn" → "sync" is 1), with no substring edited twice. It suits
// typed keys, where swapped letters are a common slip.
func OSADistance(a, b string) int { return distance([]rune(a), []rune(b), true) }

// distance fills the edit-distance table row by row, keeping the last
// three rows; swaps adds adjacent transpositions at cost 1.
func distance(ra, rb []rune, swaps bool) int {
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if swaps && i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
