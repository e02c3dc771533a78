package classify

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"full-width letters and digits", "ＡＢＣ１２３", "abc123"},
		{"full-width punctuation", "多少钱？！", "多少钱?!"},
		{"case", "iPhone PRO Max", "iphone pro max"},
		{"traditional", "這個價格多少錢", "这个价格多少钱"},
		{"traditional 髮 乾 後", "頭髮乾了以後", "头发干了以后"},
		{"ideographic space and runs of space", "  你好\u3000\t世界 \n ", "你好 世界"},
		{"simplified unchanged", "快递几天到", "快递几天到"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzNormalize: Normalize is idempotent, keeps valid UTF-8 valid and
// never leaves leading, trailing or doubled spaces.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"ＡＢＣ", "這個價格", "  a  b ", "\u3000x", "İstanbul", "ﾊﾝｶｸ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if slow := normalizeFrom(s, 0, t2sTable()); slow != n {
			t.Fatalf("Normalize(%q) = %q, without the fast path %q", s, n, slow)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q has stray spaces", s, n)
		}
	})
}

// TestFoldRuneFastPaths: the shortcuts for full-width ASCII and CJK
// punctuation give what golang.org/x/text/width and unicode.ToLower give.
func TestFoldRuneFastPaths(t *testing.T) {
	for _, rg := range [][2]rune{{0x3000, 0x303F}, {0xFF01, 0xFF5E}} {
		for r := rg[0]; r <= rg[1]; r++ {
			want := r
			if p := width.LookupRune(r); p.Kind() == width.EastAsianFullwidth && p.Narrow() != 0 {
				want = p.Narrow()
			}
			want = unicode.ToLower(want)
			if got := foldRune(r, t2sTable()); got != want {
				t.Errorf("foldRune(%U) = %U, want %U", r, got, want)
			}
		}
	}
}
