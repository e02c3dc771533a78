package tagmatch

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/tagbot/tagbot/store"
)

// FuzzCompare checks, for any two names, that comparing never panics,
// is symmetric in whether and how much two names look alike, gives a
// score in (0, 1] with a reason, and that Nearest finds every library tag
// Compare calls alike, the same way on every run.
func FuzzCompare(f *testing.F) {
	for _, p := range [][2]string{
		{"北上广客户", "北京上海广州用户"}, {"VIP客户", "ＶＩＰ客户"}, {"高意向", "低意向"},
		{"智能硬件关注者", "智能硬件关注着"}, {"！！", "？"}, {"", "a"}, {"2023双十一", "2024双十一"},
		{"\u200b客户", "客户"}, {"ab", "ba"},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		m := New([]store.Tag{{ID: "b", GroupID: "g2", Name: b}}, seedSynonyms)
		ta, tb := store.Tag{ID: "a", GroupID: "g1", Name: a}, store.Tag{ID: "b", GroupID: "g2", Name: b}
		ab, okAB := m.Compare(ta, tb)
		ba, okBA := m.Compare(tb, ta)
		if okAB != okBA || ab.Score != ba.Score {
			t.Fatalf("Compare(%q,%q) = %v %v, reversed %v %v", a, b, okAB, ab.Score, okBA, ba.Score)
		}
		if okAB && (ab.Score <= 0 || ab.Score > 1 || ab.Why == "") {
			t.Fatalf("Compare(%q,%q) score %v why %q", a, b, ab.Score, ab.Why)
		}
		near := m.Nearest(a, 0)
		if okAB && a != b && len(near) != 1 {
			t.Fatalf("Nearest(%q) over {%q} = %+v, Compare says alike", a, b, near)
		}
		if again := m.Nearest(a, 0); !reflect.DeepEqual(near, again) {
			t.Fatalf("Nearest(%q) not deterministic: %+v then %+v", a, near, again)
		}
		if n := Normalize(a); Normalize(n) != n {
			t.Fatalf("Normalize not idempotent on %q: %q then %q", a, n, Normalize(n))
		}
	})
}
