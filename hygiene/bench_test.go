package hygiene

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// BenchmarkUndoPreview is the seed story's intern: 2,000 customers tagged
// in an afternoon, then a manager's `/undo @intern since:今天` preview
// (selection, undone check, conflicts, counts) through the router.
func BenchmarkUndoPreview(b *testing.B) {
	const n = 2000
	clk := clocktest.New(time.Date(2026, 12, 2, 14, 0, 0, 0, config.ChinaZone))
	st, err := store.Open(filepath.Join(b.TempDir(), "tagbot.db"), store.Options{Now: clk.Now, Sync: "never", Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	lib := store.Library{Groups: []store.Group{{ID: "g1", Name: "兴趣"}},
		Tags: []store.Tag{{ID: "t1", GroupID: "g1", GroupName: "兴趣", Name: "化妆品客群"}}}
	if _, err := st.PutLibrary(lib, "sync"); err != nil {
		b.Fatal(err)
	}
	css := make([]store.ChangeSet, n)
	for i := range n {
		id := fmt.Sprintf("c%05d", i)
		if err := st.UpsertCustomer(store.Customer{ID: id, Name: "客户" + id}, []store.FollowInfo{{Follower: "intern"}}); err != nil {
			b.Fatal(err)
		}
		css[i] = store.ChangeSet{Actor: "intern", Source: store.SourceCommand, Customer: id, Follower: "intern", Add: []store.TagRef{{ID: "t1"}}}
	}
	if _, err := st.ApplyBatch(css); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.Roles = config.Roles{Managers: []string{"mgr"}}
	h := New(Options{Store: st, Jobs: &jobs.Runner{Store: st}, Logger: quiet()})
	r, err := commands.NewRouter(commands.Options{Store: st, Config: cfg, Now: clk.Now, Logger: quiet(), MassUndo: h})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		got := joinReplies(r.HandleText(ctx, "mgr", "/undo @intern since:今天"))
		if !strings.Contains(got, "2,000 项变更") {
			b.Fatalf("preview = %q", got)
		}
	}
}
