package classify

import (
	"slices"
	"strings"
	"testing"
)

// FuzzScan: the one-pass scan finds in Normalize(text) exactly what
// findAll finds there, and returns Normalize(text), wherever the part of
// the text that needs normalising begins.
func FuzzScan(f *testing.F) {
	f.Add("价格,多少钱,格多", "这个价格多少钱")
	f.Add("价格,多少钱", "这个價格多少錢？")
	f.Add("ab价,b 价,c", "xaB价 b  价\tc ")
	f.Add("快递,递 ok", "快递 ＯＫ快递 ok")
	f.Add("好", " 好\xff好\ufffd好")
	f.Fuzz(func(t *testing.T, pats, text string) {
		b := newKeywordBuilder()
		for i, p := range strings.Split(pats, ",") {
			b.add(p, i, wordAny, 0)
		}
		k := b.build()
		norm, got := k.scan(text, nil)
		if want := Normalize(text); norm != want {
			t.Fatalf("scan(%q) text = %q, want %q", text, norm, want)
		}
		var want []hit
		if k.ac != nil {
			want = k.ac.findAll(norm, nil)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q text %q: scan %v, findAll %v", k.words, text, got, want)
		}
	})
}

func TestScan(t *testing.T) {
	b := newKeywordBuilder()
	for i, w := range []string{"价格", "多少钱", "b 价", "ok"} {
		b.add(w, i, wordAny, 0)
	}
	k := b.build()
	for _, text := range []string{"", "价格多少钱", "这个價格多少錢？", "xB 价 ok", "ＯＫ价格", "  价格  ", "价\xff格"} {
		norm, got := k.scan(text, nil)
		want := naiveHits(Normalize(text), k.words)
		if norm != Normalize(text) || !slices.Equal(sortHits(got), sortHits(want)) {
			t.Errorf("scan(%q) = %q %v, want %q %v", text, norm, got, Normalize(text), want)
		}
	}
}
