// Package display makes text that comes from WeCom or from a user safe to
// show inside a reply: names, remarks, tag names, user ids and echoed input
// are data, never layout. 展示：把外部文字变成可以安全放进回复里的一行。
//
// Line is the one function every reply uses for such text: it returns one
// line in which control, bidi and zero-width characters show as their code
// ("⟨U+202E⟩"), with runs of combining marks capped, cut in the middle to a
// bounded length with "…". Reply is the
// last line of defence for a whole reply text (built by tagbot, so it may
// span lines): it drops the same forbidden characters but keeps newlines.
package display

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lengths, in runes, of the text Line returns. 长度上限（字）。
const (
	// NameRunes bounds a customer name, remark, tag, group or user id.
	NameRunes = 32
	// EchoRunes bounds user input quoted back in a reply.
	EchoRunes = 20
	// CommandRunes bounds a command shown back to the user as an example.
	CommandRunes = 160
	// CardTitleRunes and the other Card… lengths are the recommended
	// lengths of WeCom template card fields (template_card documentation:
	// "建议不超过 N 个字"): the bot cuts a card to them, and the demo shows
	// cards as cut. A card title keeps what must be read (a time) first.
	CardTitleRunes    = 26  // main_title.title
	CardDescRunes     = 30  // main_title.desc
	CardSubTitleRunes = 112 // sub_title_text, all lines together
	CardKeyNameRunes  = 5   // horizontal_content_list.keyname
	CardValueRunes    = 26  // horizontal_content_list.value
	CardButtonRunes   = 10  // button_list.text
	// Ellipsis ends a text that was cut.
	Ellipsis = "…"
	// maxMarks is how many combining marks may follow one base character
	// (Vietnamese needs two, Thai two); more is "Zalgo" text.
	maxMarks = 3
)

// Line returns s as one line of at most max runes (max < 1 means
// NameRunes): line breaks and other spaces become one space, leading and
// trailing spaces go, control, format (bidi, zero-width, BOM) and other
// invisible characters are shown as their code, e.g. "李华⟨U+200B⟩", so two
// names that differ only by them never look alike; invalid UTF-8 becomes
// U+FFFD, more than a few combining marks on one character are dropped,
// and a longer text is cut in the middle ("前半…后半", max-1 runes and
// "…"), so names that differ at the end stay distinct.
// 一行、不可见字符显示为编码、有长度上限（从中间截断）。
func Line(s string, max int) string {
	if max < 1 {
		max = NameRunes
	}
	if safeASCII(s, max) {
		return s
	}
	out := make([]rune, 0, min(len(s), 4*max))
	marks, space := 0, false
	for _, r := range s { // invalid UTF-8 arrives as utf8.RuneError
		switch {
		case isBreak(r) || unicode.IsSpace(r):
			space = true
			continue
		case Forbidden(r):
			marks = 0
		case unicode.In(r, unicode.Mn, unicode.Me):
			if len(out) == 0 || space || marks >= maxMarks {
				continue // a mark with no base, or too many on one base
			}
			marks++
		default:
			marks = 0
		}
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		if Forbidden(r) {
			out = append(out, []rune(Visible(r))...)
		} else {
			out = append(out, r)
		}
	}
	if len(out) <= max {
		return string(out)
	}
	return string(cutMiddle(out, max))
}

// Visible is how Line shows an invisible or control character: its code
// point in angle brackets, "⟨U+200B⟩". 不可见字符的可见写法。
func Visible(r rune) string { return fmt.Sprintf("⟨U+%04X⟩", r) }

// cutMiddle shortens out to max runes: its start, "…", and its end
// (a combining mark or space at the start of the end part is dropped).
func cutMiddle(out []rune, max int) []rune {
	keep := max - 1
	tailN := keep / 2
	head := out[:keep-tailN]
	tail := out[len(out)-tailN:]
	for len(tail) > 0 && (tail[0] == ' ' || unicode.In(tail[0], unicode.Mn, unicode.Me)) {
		tail = tail[1:]
	}
	res := make([]rune, 0, max)
	res = append(res, head...)
	res = append(res, []rune(Ellipsis)...)
	return append(res, tail...)
}

// Name is Line(s, NameRunes): a customer name, remark, tag name, group
// name or user id as a reply shows it.
func Name(s string) string { return Line(s, NameRunes) }

// Echo is Line(s, EchoRunes): user input quoted back in a reply.
func Echo(s string) string { return Line(s, EchoRunes) }

// Reply cleans a whole reply text built by tagbot: it keeps newlines
// (CR LF and lone CR become LF) and drops the characters Line drops, so a
// name that escaped Line still cannot reorder or hide text.
func Reply(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && (Forbidden(r) || isBreak(r)) || r == utf8.RuneError }) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || isBreak(r):
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case Forbidden(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Forbidden reports a rune a reply never shows: C0 and C1 controls
// (line breaks included: callers turn those into a space or a newline),
// format characters (bidi embeddings, overrides and isolates U+202A–202E,
// U+2066–2069, marks U+200E/U+200F/U+061C, zero-width U+200B–U+200D,
// U+2060–2064, the BOM U+FEFF, soft hyphen, tag characters), line and
// paragraph separators, and invisible fillers (U+034F, Hangul fillers).
// 禁止出现在回复里的字符。
func Forbidden(r rune) bool {
	switch {
	case r < 0x20 || (r >= 0x7f && r < 0xa0):
		return true
	case r < 0x300:
		return r == 0xad // soft hyphen is Cf
	}
	switch r {
	case 0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x3164, 0xffa0, 0x2028, 0x2029:
		return true
	}
	return unicode.Is(unicode.Cf, r) || (r >= 0xfff9 && r <= 0xfffb)
}

// isBreak reports characters that end a line.
func isBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// safeASCII reports whether s is short printable ASCII with no leading,
// trailing or double spaces: Line would return it unchanged.
func safeASCII(s string, max int) bool {
	if len(s) > max || s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return len(s) == 0
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || (c == ' ' && s[i+1] == ' ') {
			return false
		}
	}
	return true
}
