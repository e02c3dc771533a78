package classify

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/width"
)

// Normalize is the form in which text and rule words are compared: full-width
// letters, digits and punctuation made half-width (golang.org/x/text/width),
// letter case folded, traditional Chinese characters made simplified (OpenCC's
// t2s character table, character by character), and every run of white
// space made one space, trimmed. 归一化：全角转半角、大小写、繁转简、空白合并。
func Normalize(s string) string {
	t2s := t2sTable()
	n := normalPrefix(s, t2s)
	if n == len(s) {
		return s
	}
	return normalizeFrom(s, n, t2s)
}

// normalizeFrom is Normalize of s whose first n bytes need no change.
func normalizeFrom(s string, n int, t2s *t2sMap) string {
	text, _ := normalizeScan(s, n, t2s, nil, 0, nil)
	return text
}

// normalizeScan is normalizeFrom that, when a is not nil, also scans the
// normalised text as it writes it, going on in state st (the state after
// s[:n]) and appending what it finds to dst.
func normalizeScan(s string, n int, t2s *t2sMap, a *automaton, st int32, dst []hit) (string, []hit) {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:n])
	space := false // a space is pending (written before the next non-space)
	for _, r := range s[n:] {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = foldRune(r, t2s)
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
			if a != nil {
				if st = a.next(st, ' '); a.states[st].report > 0 {
					dst = a.report(st, b.Len(), dst)
				}
			}
		}
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
		if a != nil {
			if st = a.next(st, r); a.states[st].report > 0 {
				dst = a.report(st, b.Len(), dst)
			}
		}
	}
	return b.String(), dst
}

// normalPrefix is the length of the longest prefix of s that Normalize
// leaves as it is and after which it may continue from scratch.
func normalPrefix(s string, t2s *t2sMap) int {
	n, _, _ := scanNormal(s, t2s, nil, nil)
	return n
}

// scanNormal measures the longest prefix of s that Normalize leaves as it
// is: ASCII lowercase letters, digits and punctuation, single inner spaces
// before one of those or a CJK ideograph, and CJK ideographs that are not
// traditional. When a is not nil it also scans the prefix as it goes,
// appending what it finds to dst, and returns the state after it, so the
// scan can go on as the rest is normalised (normalizeScan).
func scanNormal(s string, t2s *t2sMap, a *automaton, dst []hit) (int, int32, []hit) {
	st := int32(0)
	i := 0
	for i < len(s) {
		var r rune
		n := 0
		if c := s[i]; c >= 0xE4 && c <= 0xE9 && i+2 < len(s) { // a lead byte of U+4000..U+9FFF, decoded inline
			r = rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			if s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 && r >= 0x4E00 && !t2s.traditional(r) {
				n = 3
			}
		} else {
			r, n = normalOther(s, i)
		}
		if n == 0 {
			break
		}
		i += n
		if a != nil {
			if st = a.next(st, r); a.states[st].report > 0 {
				dst = a.report(st, i, dst)
			}
		}
	}
	return i, st, dst
}

// normalOther decodes the rune at s[i], which is not a CJK ideograph, if
// Normalize keeps it as it is there (n 0 if not).
func normalOther(s string, i int) (rune, int) {
	c := s[i]
	switch {
	case c >= 'a' && c <= 'z' || c > ' ' && c < 'A' || c > 'Z' && c < 0x7f:
		return rune(c), 1
	case c == ' ': // kept only before ASCII that is not space or a CJK ideograph
		if i == 0 || i+1 == len(s) || !(s[i+1] > ' ' && s[i+1] < 0x7f || s[i+1] >= 0xE4 && s[i+1] <= 0xE9) {
			return 0, 0
		}
		return ' ', 1
	}
	return 0, 0
}

// foldRune narrows a full-width rune, folds its case and maps traditional
// to simplified.
func foldRune(r rune, t2s *t2sMap) rune {
	switch {
	case r >= 0x4E00 && r < 0xA000: // CJK ideographs: no width, no case
		if s := t2s.dense[r-0x3400]; s != 0 {
			return s
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII: what width.Narrow does
		r -= 0xFEE0
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r == 0x3000: // ideographic space
		return ' '
	case r > 0x3000 && r < 0x3040: // CJK punctuation: wide, no case
		return r
	}
	if p := width.LookupRune(r); p.Kind() == width.EastAsianFullwidth {
		if n := p.Narrow(); n != 0 {
			r = n
		}
	}
	r = unicode.ToLower(r)
	return t2s.lookup(r)
}

// t2sMap maps traditional characters to simplified: a dense table for the
// BMP's CJK blocks and a map for the rest.
type t2sMap struct {
	dense [0xA000 - 0x3400]rune          // U+3400..U+9FFF; 0 = unchanged
	trad  [(0xA000 - 0x3400) / 64]uint64 // bit r-0x3400: dense[r-0x3400] != 0 (in cache)
	other map[rune]rune
}

// traditional reports whether r, in U+3400..U+9FFF, has a simplified form.
func (m *t2sMap) traditional(r rune) bool {
	return m.trad[(r-0x3400)>>6]&(1<<((r-0x3400)&63)) != 0
}

func (m *t2sMap) lookup(r rune) rune {
	if r >= 0x3400 && r < 0xA000 {
		if s := m.dense[r-0x3400]; s != 0 {
			return s
		}
		return r
	}
	if s, ok := m.other[r]; ok {
		return s
	}
	return r
}

// t2sTable builds the table once, converting each CJK character alone with
// OpenCC (t2s): converting every message through OpenCC's phrase
// segmentation is far too slow for the throughput target, and character by
// character is what matching needs.
var t2sTable = sync.OnceValue(func() *t2sMap {
	m := &t2sMap{other: map[rune]rune{}}
	cc, err := opencc.New("t2s")
	if err != nil { // the dictionaries are embedded: cannot happen
		return m
	}
	ranges := [][2]rune{{0x3400, 0xA000}, {0xF900, 0xFB00}, {0x20000, 0x2A6E0}}
	var buf [utf8.UTFMax]byte
	for _, rg := range ranges {
		for r := rg[0]; r < rg[1]; r++ {
			n := utf8.EncodeRune(buf[:], r)
			out, err := cc.Convert(string(buf[:n]))
			s, size := utf8.DecodeRuneInString(out)
			if err != nil || size != len(out) || s == r || s == utf8.RuneError {
				continue
			}
			if r >= 0x3400 && r < 0xA000 {
				m.dense[r-0x3400] = s
				m.trad[(r-0x3400)>>6] |= 1 << ((r - 0x3400) & 63)
			} else {
				m.other[r] = s
			}
		}
	}
	return m
})
