package classify

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// OriginalSnippet returns the part of original that snippet (a substring
// of Normalize(original), as rule evidence is) was normalised from, so a
// card quotes what the customer wrote ("ＤＵＯ 價格多少", not "duo 价格多少").
// Normalize maps rune to rune except where it merges white space; when the
// two differ in rune count, or snippet is not in the normalised text (an
// LLM's evidence is already original text), snippet is returned as it is.
// 把归一化后的证据片段还原为客户原话。
func OriginalSnippet(original, snippet string) string {
	norm := Normalize(original)
	i := strings.Index(norm, snippet)
	if snippet == "" || i < 0 || norm == original || utf8.RuneCountInString(norm) != utf8.RuneCountInString(original) {
		return snippet
	}
	from := utf8.RuneCountInString(norm[:i])
	to := from + utf8.RuneCountInString(snippet)
	start, end, n := len(original), len(original), 0
	for b := range original {
		if n == from {
			start = b
		}
		if n == to {
			end = b
			break
		}
		n++
	}
	return original[start:end]
}

// eventEvidence describes an event for a card and the history: its type and
// attributes, sorted by name, e.g. "行为 coupon_claim：delay_seconds=3".
func eventEvidence(ev *Event) string {
	if len(ev.Attrs) == 0 {
		return "行为 " + ev.Type
	}
	names := make([]string, 0, len(ev.Attrs))
	for k := range ev.Attrs {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s=%v", k, ev.Attrs[k])
	}
	return "行为 " + ev.Type + "：" + strings.Join(parts, " ")
}
