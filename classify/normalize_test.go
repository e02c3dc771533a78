package classify

import (
	"strings"
	"testing"
	"unicode/utf8"
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
