package tagmatch

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// benchLibrary builds a deterministic library of n tags from Chinese
// words, with about one near-duplicate (width, case, synonym or typo) in
// twenty.
func benchLibrary(n int) []store.Tag {
	regions := []string{"北上广", "北京上海广州", "江浙沪", "华南", "西北", "东北", "川渝", "港澳台"}
	kinds := []string{"客户", "用户", "会员", "粉丝", "买家", "访客"}
	topics := []string{"美妆", "母婴", "3C", "家电", "服饰", "食品", "旅游", "教育", "金融", "汽车", "VIP", "ＶＩＰ"}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var tags []store.Tag
	for len(tags) < n {
		name := regions[r.IntN(len(regions))] + topics[r.IntN(len(topics))] + kinds[r.IntN(len(kinds))] + fmt.Sprint(r.IntN(n/20+1))
		if r.IntN(20) == 0 {
			rs := []rune(name)
			rs[r.IntN(len(rs))] = '者'
			name = string(rs)
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		g := len(tags) % 50
		tags = append(tags, store.Tag{ID: fmt.Sprintf("et%05d", len(tags)), GroupID: fmt.Sprintf("g%02d", g), GroupName: fmt.Sprintf("组%02d", g), Name: name})
	}
	return tags
}

// BenchmarkNew indexes a 10,000-tag library.
func BenchmarkNew(b *testing.B) {
	tags := benchLibrary(10000)
	b.ReportAllocs()
	for b.Loop() {
		New(tags, seedSynonyms)
	}
}

// BenchmarkDuplicates finds the near-duplicate groups of a 10,000-tag library.
func BenchmarkDuplicates(b *testing.B) {
	m := New(benchLibrary(10000), seedSynonyms)
	b.ReportAllocs()
	groups := 0
	for b.Loop() {
		groups = len(m.Duplicates())
	}
	b.ReportMetric(float64(groups), "groups")
}

// BenchmarkNearest looks up one unknown name in a 10,000-tag library, as
// the importer does for each distinct unknown tag of a file.
func BenchmarkNearest(b *testing.B) {
	m := New(benchLibrary(10000), seedSynonyms)
	b.ReportAllocs()
	for b.Loop() {
		m.Nearest("北京上海广州美妆用戶12", 3)
	}
}
