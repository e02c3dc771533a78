package nl

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// storeNames is commands.Names over a real store, as the router's.
type storeNames struct {
	st   *store.Store
	tags *store.TagNames
}

func (n storeNames) Customer(s string) bool             { return n.st.HasCustomerNamed(s) }
func (n storeNames) Tag(s string) (string, bool)        { return n.tags.Live(s) }
func (n storeNames) DeletedTag(s string) (string, bool) { return n.tags.Deleted(s) }
func (n storeNames) TagNames() []string                 { return n.tags.Names() }
func (n storeNames) Me() string                         { return "zhangsan" }
func (n storeNames) Members(s string) []string          { return n.st.MembersNamed(s) }

// benchStore holds 10,000 customers (客户0 … 客户9999, plus 张三 and 李四)
// and 2,000 tags (标签0 … 标签1995, 高意向, VIP, 观望型, 官网).
func benchStore(b *testing.B) storeNames {
	b.Helper()
	st, err := store.Open(filepath.Join(b.TempDir(), "nl.db"), store.Options{Sync: "never"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	lib := store.Library{Groups: []store.Group{{ID: "g", Name: "G"}}}
	names := []string{"高意向", "VIP", "观望型", "官网"}
	for i := 0; len(names) < 2000; i++ {
		names = append(names, fmt.Sprintf("标签%d", i))
	}
	for i, n := range names {
		lib.Tags = append(lib.Tags, store.Tag{ID: fmt.Sprintf("t%d", i), GroupID: "g", GroupName: "G", Name: n})
	}
	if _, err := st.PutLibrary(lib, "sync"); err != nil {
		b.Fatal(err)
	}
	for c := 0; c < 10_000; c++ {
		name := fmt.Sprintf("客户%d", c)
		switch c {
		case 0:
			name = "张三"
		case 1:
			name = "李四"
		}
		if err := st.UpsertCustomer(store.Customer{ID: fmt.Sprintf("c%05d", c), Name: name},
			[]store.FollowInfo{{Follower: "zhangsan", Mobiles: []string{fmt.Sprintf("138%08d", c)}}}); err != nil {
			b.Fatal(err)
		}
	}
	return storeNames{st: st, tags: st.TagNames(nil)}
}

// benchRequests are typical requests, writes, reads and questions back.
var benchRequests = []string{
	"给张三打上高意向", "帮我把张三标成高意向和VIP", "把李四的观望型去掉", "张三不是VIP了", "张三有哪些标签",
	"谁改了张三的标签", "昨天谁删了VIP标签", "lisi这周打了哪些标签", "有多少客户是高意向", "高意向又是VIP的客户有哪些",
	"查一下手机号13800000042的客户", "撤销", "把张三恢复到昨天下午3点", "给张三打上高意像", "给客户1234加个标签77",
}

// sentenceRequests are the forms added with the LLM path: several
// commands in a sentence, weekday names, statistics questions.
var sentenceRequests = []string{
	"给张三打上高意向，再把李四的VIP去掉", "给张三打上高意向，李四打上VIP", "周五谁改了张三", "把张三恢复到上周三下午3点",
	"高意向又是VIP的有多少", "高意向这个月的趋势", "lisi这周打了多少标签", "给张三打上高意像，再把李四的VIP去掉",
}

// BenchmarkParse: one request parsed against a store of 10,000
// customers and 2,000 tags (no LLM); reports p50 and p99 per request.
func BenchmarkParse(b *testing.B) { benchParse(b, benchRequests) }

// BenchmarkParseSentences is BenchmarkParse of sentenceRequests.
func BenchmarkParseSentences(b *testing.B) { benchParse(b, sentenceRequests) }

// benchParse parses requests in turn and reports p50 and p99.
func benchParse(b *testing.B, requests []string) {
	names := benchStore(b)
	durs := make([]time.Duration, 0, b.N)
	runtime.GC() // the store's setup garbage is not the parser's to collect
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if r := Parse(requests[i%len(requests)], names); r.Kind == Unknown {
			b.Fatalf("%q not understood", requests[i%len(requests)])
		}
		durs = append(durs, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds())/1e3, "p99-µs")
}
