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
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending (written before the next non-space)
	for _, r := range s {
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
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldRune narrows a full-width rune, folds its case and maps traditional
// to simplified.
func foldRune(r rune, t2s *t2sMap) rune {
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
	dense [0xA000 - 0x3400]rune // U+3400..U+9FFF; 0 = unchanged
	other map[rune]rune
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
			} else {
				m.other[r] = s
			}
		}
	}
	return m
})
