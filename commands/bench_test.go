package commands

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// BenchmarkHandleTag measures /tag commands per second through HandleText
// (parse, customer lookup, policy checks, exclusive replacement, Apply) on a
// store with 10,000 customers.
func BenchmarkHandleTag(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{Sync: "never"})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.PutLibrary(testLibrary, "sync"); err != nil {
		b.Fatal(err)
	}
	const customers = 10_000
	for i := 0; i < customers; i++ {
		c := store.Customer{ID: fmt.Sprintf("wm%05d", i), Name: fmt.Sprintf("客户%05d", i)}
		if err := st.UpsertCustomer(c, []store.FollowInfo{{Follower: "zhangsan", Remark: fmt.Sprintf("备注%05d", i)}}); err != nil {
			b.Fatal(err)
		}
	}
	r, err := NewRouter(Options{Store: st, Config: testConfig()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tag := []string{"+高意向", "+低意向"}[(i/customers)%2]
		text := fmt.Sprintf("/tag 客户%05d %s", (i*7919)%customers, tag)
		rs := r.HandleText(ctx, "zhangsan", text)
		if len(rs) != 1 || !strings.HasPrefix(rs[0].Text, "已为") {
			b.Fatalf("%s: %+v", text, rs)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// TestConcurrentCommands runs tag commands from several users at once (run
// with -race) and checks that exclusivity held and the ledger, projection
// and outbox still agree.
func TestConcurrentCommands(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	for _, u := range []string{"zhangsan", "lisi", "mgr", "boss"} {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				tag := []string{"高意向", "低意向", "中意向"}[i%3]
				target := "王小明"
				if u == "mgr" || u == "boss" {
					target += " @zhangsan"
				}
				e.r.HandleText(context.Background(), u, fmt.Sprintf("/tag %s +%s +咖啡", target, tag))
				e.r.HandleText(context.Background(), u, "/undo")
				e.r.HandleText(context.Background(), u, "/history")
			}
		}(u)
	}
	wg.Wait()
	for _, fol := range []string{"zhangsan", "lisi"} {
		n := 0
		for _, name := range e.tagNames("c1", fol) {
			if strings.HasSuffix(name, "意向") {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("%s has %d tags of an exclusive group: %v", fol, n, e.tagNames("c1", fol))
		}
	}
	e.verify()
}
