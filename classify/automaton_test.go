package classify

import (
	"slices"
	"strings"
	"testing"
)

// naiveHits finds every occurrence of every pattern with strings.Index.
func naiveHits(text string, patterns []string) []hit {
	var out []hit
	for p, s := range patterns {
		for off := 0; ; {
			i := strings.Index(text[off:], s)
			if i < 0 {
				break
			}
			out = append(out, hit{pattern: p, start: off + i, end: off + i + len(s)})
			off += i + 1
		}
	}
	return out
}

func sortHits(h []hit) []hit {
	slices.SortFunc(h, func(a, b hit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.pattern - b.pattern
	})
	return h
}

func TestAutomaton(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		text     string
	}{
		{"overlapping Chinese", []string{"价格", "格多少", "多少钱", "少"}, "价格多少钱多少钱"},
		{"classic", []string{"he", "she", "his", "hers"}, "ushers his she"},
		{"nested", []string{"a", "aa", "aaa"}, "aaaa"},
		{"suffix after failure", []string{"abcd", "bc", "c", "bcx"}, "xabcbcxd"},
		{"invalid UTF-8 and U+FFFD", []string{"\ufffd", "好"}, "a\xff好\ufffd"},
		{"no match", []string{"快递"}, "你好"},
		{"many children: hashed blocks", manyChildren(), "价格价钱价一价二𠀀𠀁𠀂x价𠀃价九"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAutomaton(tt.patterns)
			got := sortHits(a.findAll(tt.text, nil))
			want := sortHits(naiveHits(tt.text, tt.patterns))
			if !slices.Equal(got, want) {
				t.Errorf("findAll(%q) = %v, want %v", tt.text, got, want)
			}
		})
	}
}

// manyChildren is patterns whose states have more children than a block
// lists in order: 价 followed by 30 characters, 12 characters past the BMP
// (the root's own block) each followed by 12 more.
func manyChildren() []string {
	var ps []string
	for i := range 30 {
		ps = append(ps, "价"+string(rune('一'+i*7)))
	}
	for i := range 12 {
		ps = append(ps, string(rune(0x20000+i)))
		for j := range 12 {
			ps = append(ps, string(rune(0x20000+i))+string(rune(0x20000+j)))
		}
	}
	return append(ps, "价格", "价钱", "x价")
}

// FuzzAutomaton: the automaton finds exactly what strings.Index finds.
func FuzzAutomaton(f *testing.F) {
	f.Add("价格,多少钱,格多", "这个价格多少钱")
	f.Add("he,she,hers", "ushers")
	f.Fuzz(func(t *testing.T, pats, text string) {
		var ps []string
		seen := map[string]bool{}
		for _, p := range strings.Split(pats, ",") {
			if p != "" && !seen[p] && utf8ValidAll(p) {
				seen[p] = true
				ps = append(ps, p)
			}
		}
		if len(ps) == 0 || !utf8ValidAll(text) {
			return
		}
		got := sortHits(newAutomaton(ps).findAll(text, nil))
		want := sortHits(naiveHits(text, ps))
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q text %q: got %v want %v", ps, text, got, want)
		}
	})
}

func utf8ValidAll(s string) bool { return strings.ToValidUTF8(s, "") == s }
