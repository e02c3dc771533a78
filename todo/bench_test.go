package todo

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

// BenchmarkTodoOf measures one follower's /todo list (and digest count)
// over benchCustomers relationships, a third of them missing the required
// group. Run: go test -bench TodoOf -benchtime 10x ./todo/
func BenchmarkTodoOf(b *testing.B) {
	const benchCustomers = 5000
	clk := clocktest.New(time.Date(2026, 12, 2, 9, 0, 0, 0, config.ChinaZone))
	st, err := store.Open(filepath.Join(b.TempDir(), "tagbot.db"), store.Options{Now: clk.Now, Sync: "never"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	lib := store.Library{Groups: []store.Group{{ID: "g1", Name: "客户来源"}},
		Tags: []store.Tag{{ID: "t1", GroupID: "g1", GroupName: "客户来源", Name: "官网"}}}
	if _, err := st.PutLibrary(lib, "sync"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchCustomers; i++ {
		id := fmt.Sprintf("c%06d", i)
		if err := st.UpsertCustomer(store.Customer{ID: id, Name: id}, []store.FollowInfo{{Follower: "zhangsan"}}); err != nil {
			b.Fatal(err)
		}
		if i%3 != 0 {
			if _, err := st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceCommand, Customer: id, Follower: "zhangsan",
				Add: []store.TagRef{{ID: "t1"}}}); err != nil {
				b.Fatal(err)
			}
		}
	}
	cfg := config.Default()
	cfg.Groups = map[string]config.GroupPolicy{"客户来源": {Required: true}}
	svc := New(Options{Store: st, Config: cfg, Now: clk.Now})
	v, err := commands.ViewerFor(cfg, st, "zhangsan")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		list, err := svc.Of("zhangsan", v)
		if err != nil || len(list) != (benchCustomers+2)/3 {
			b.Fatalf("Of = %d, %v", len(list), err)
		}
	}
}
