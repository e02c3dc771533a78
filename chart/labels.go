package chart

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
)

// escaped is display.Visible's way of showing an invisible character,
// "⟨U+202E⟩": the font has no "⟨⟩", so charts draw "<U+202E>" instead.
var escaped = regexp.MustCompile(`⟨(U\+[0-9A-F]{4,6})⟩`)

// plain makes s drawable with the font: display's "⟨U+XXXX⟩" escapes,
// and any control, bidi or zero-width character left, become the
// plain-ASCII marker "<U+XXXX>" (never a box, never a reordering); line
// breaks and tabs become spaces.
func (r *Renderer) plain(s string) string {
	s = escaped.ReplaceAllString(s, "<$1>")
	if !strings.ContainsFunc(s, func(c rune) bool { return display.Forbidden(c) }) {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\n' || c == '\r' || c == '\t':
			b.WriteByte(' ')
		case display.Forbidden(c):
			fmt.Fprintf(&b, "<U+%04X>", c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// labels is each of ss made drawable (plain) and cut in the middle to n
// runes, keeping its end, as display.Line does (names that differ at the
// end stay apart), each at most px pixels wide as measure
// reports (px 0: no limit), with a label equal to an earlier one given a
// "#2", "#3" … ending (kept within n runes and px), so two items never
// look alike.
func (r *Renderer) labels(ss []string, n, px int, measure func(string) int) []string {
	out := make([]string, len(ss))
	seen := map[string]bool{}
	for i, s := range ss {
		full := r.plain(s)
		l := fit(full, n, px, measure)
		for k := 2; seen[l]; k++ {
			suffix := fmt.Sprintf("#%d", k)
			room := 0
			if px > 0 {
				room = max(1, px-measure(suffix))
			}
			l = fit(full, max(2, n-len(suffix)), room, measure) + suffix
		}
		seen[l] = true
		out[i] = l
	}
	return out
}

// fit is full cut in the middle to at most n runes and, when px > 0, to
// at most px pixels wide as measure reports (down to 2 runes).
func fit(full string, n, px int, measure func(string) int) string {
	l := display.Line(full, n)
	for m := len([]rune(l)) - 1; px > 0 && m >= 2 && measure(l) > px; m-- {
		l = display.Line(full, m)
	}
	return l
}
