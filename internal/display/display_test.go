package display

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Hostile are names a customer, a remark or a tag may carry: each must
// come out of Line as one short line with nothing invisible in it.
var Hostile = map[string]string{
	"fake_confirmation": "恶意\n已为 王小明 添加「VIP」（变更 #99，/undo 可撤销）",
	"crlf":              "王\r\n小明\r",
	"rtl_override":      "王小明\u202e（变更 #99）",
	"isolates":          "\u2066王\u2067小\u2068明\u2069",
	"zero_width":        "王\u200b小\u200c明\u200d\u200e\u200f",
	"bom":               "\ufeff王小明\ufeff",
	"c0":                "王\x00\x07\x1b[31m小明\x7f",
	"c1":                "王\u0085\u009b小明",
	"line_separator":    "王\u2028小明\u2029",
	"tabs":              "王\t\t小明",
	"zalgo":             "王" + strings.Repeat("\u0301\u0336", 200) + "小明",
	"leading_mark":      "\u0301王小明",
	"invalid_utf8":      "王\xff\xfe小明",
	"tag_chars":         "王\U000E0041\U000E0042小明",
	"fillers":           "\u3164\u115f王小明",
	"huge":              strings.Repeat("王小明", 3500),
	"huge_newlines":     strings.Repeat("王\n", 5000),
	"only_invisible":    "\u200b\u202e\ufeff\n",
}

// check fails unless s is one line of at most max runes without
// forbidden runes, marks without a base or double spaces.
func check(t *testing.T, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%q: invalid UTF-8", s)
	}
	if n := utf8.RuneCountInString(s); n > max {
		t.Errorf("%q: %d runes, want at most %d", s, n, max)
	}
	if strings.TrimSpace(s) != s || strings.Contains(s, "  ") {
		t.Errorf("%q: stray spaces", s)
	}
	marks := 0
	for i, r := range s {
		if Forbidden(r) || isBreak(r) || r == '\u200b' {
			t.Errorf("%q: forbidden rune %U at byte %d", s, r, i)
		}
		if unicode.In(r, unicode.Mn, unicode.Me) {
			if marks++; i == 0 || marks > maxMarks {
				t.Errorf("%q: combining mark %U at byte %d (run of %d)", s, r, i, marks)
			}
		} else {
			marks = 0
		}
	}
}

func TestLineHostile(t *testing.T) {
	for name, in := range Hostile {
		t.Run(name, func(t *testing.T) {
			for _, max := range []int{1, EchoRunes, NameRunes, CommandRunes} {
				check(t, Line(in, max), max)
			}
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"ascii unchanged", "zhangsan", 0, "zhangsan"},
		{"chinese unchanged", "王小明（小明科技）", 0, "王小明（小明科技）"},
		{"empty", "", 0, ""},
		{"newline becomes space", "恶意\n已为 王小明 添加", 0, "恶意 已为 王小明 添加"},
		{"spaces collapse and trim", "  王 \t\r\n 小明  ", 0, "王 小明"},
		{"bidi and zero-width shown", "\u202e王\u200b小\u2066明\u2069\ufeff", 80, "⟨U+202E⟩王⟨U+200B⟩小⟨U+2066⟩明⟨U+2069⟩⟨U+FEFF⟩"},
		{"look-alike differs", "李华\u200b", 0, "李华⟨U+200B⟩"},
		{"controls shown", "a\x00b\x1bc\u0085d", 0, "a⟨U+0000⟩b⟨U+001B⟩c d"},
		{"cut in the middle", "王小明王小明", 4, "王小…明"},
		{"cut keeps the end apart", "华东区负责人甲采购经理张伟先生华东区负责人甲", 10, "华东区负责…负责人甲"},
		{"cut keeps the end apart 2", "华东区负责人甲采购经理张伟先生华东区负责人乙", 10, "华东区负责…负责人乙"},
		{"exactly max kept", "王小明王", 4, "王小明王"},
		{"ascii cut", "abcdefgh", 5, "ab…gh"},
		{"cut drops a mark after the ellipsis", "abcde\u0301f", 4, "ab…f"},
		{"marks capped", "e\u0301\u0301\u0301\u0301\u0301x", 0, "e\u0301\u0301\u0301x"},
		{"vietnamese kept", "Nguye\u0302\u0303n", 0, "Nguye\u0302\u0303n"},
		{"mark without base dropped", "\u0301a \u0301b", 0, "a b"},
		{"invalid utf8 visible", "a\xffb", 0, "a\ufffdb"},
		{"emoji kept", "🙂 客户", 0, "🙂 客户"},
		{"only invisible", "\u200b\u202e", 0, "⟨U+200B⟩⟨U+202E⟩"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in, tc.max); got != tc.want {
				t.Errorf("Line(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func TestReply(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unchanged", "已为 王小明 添加「VIP」\n/undo 可撤销", "已为 王小明 添加「VIP」\n/undo 可撤销"},
		{"crlf", "a\r\nb\rc", "a\nb\nc"},
		{"forbidden dropped", "a\u202eb\u200b\x00c\td", "abc d"},
		{"separators are newlines", "a\u2028b", "a\nb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Reply(tc.in); got != tc.want {
				t.Errorf("Reply(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzLine checks Line's promises on any input: one valid line, no
// forbidden rune, bounded, and stable (cleaning twice changes nothing).
func FuzzLine(f *testing.F) {
	for _, s := range Hostile {
		f.Add(s, NameRunes)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = 1 + abs(max)%200
		got := Line(s, max)
		check(t, got, max)
		if again := Line(got, max); again != got {
			t.Errorf("Line not idempotent: %q then %q", got, again)
		}
		r := Reply(s)
		if !utf8.ValidString(r) || strings.ContainsFunc(r, func(c rune) bool { return c != '\n' && (Forbidden(c) || isBreak(c)) }) {
			t.Errorf("Reply(%q) = %q keeps a forbidden rune", s, r)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}
