package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// TestEndToEndPlanResumedAtStart: the process died after the first of
// two confirmed commands of a sentence (its change made, through the
// router, as the plan runs it); the next start runs the second one, once,
// tells the user, and does not run the first again.
func TestEndToEndPlanResumedAtStart(t *testing.T) {
	fake, cfg := fakeCompany(t)
	ctx := context.Background()

	// First life: the plan is recorded and its first step runs; then the
	// process dies.
	m, err := New(cfg, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SyncIfNeeded(ctx); err != nil {
		t.Fatal(err)
	}
	plan, err := m.Store.PlanBegin("zhangsan", []string{"/tag 王小明 +高意向", "/tag 李华 +高意向"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	m.Router.HandleText(store.WithInbox(ctx, plan.Steps[0]), "zhangsan", "/tag 王小明 +高意向")
	if err := m.Store.Close(); err != nil {
		t.Fatal(err)
	}

	// Second life: Start resumes the plan.
	m, err = New(cfg, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		m.Shutdown(sctx)
	})
	d := &DemoBot{Fake: fake, Main: m, User: "zhangsan", cards: map[string]cardView{}}
	var out string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := d.settle(ctx); err != nil {
			t.Fatal(err)
		}
		if out += d.render(); strings.Contains(out, "已为 李华") {
			break
		}
	}
	mustContain(t, "resumed", out, "还有 1 条没执行", "已为 李华 添加「高意向」", "即 /tag 李华 +高意向")
	if strings.Contains(out, "已为 王小明") {
		t.Fatalf("the first command ran again:\n%s", out)
	}
	calls := markTagCalls(t, d)
	var who []string
	for _, c := range calls {
		who = append(who, c.ExternalUserID)
	}
	// The two relationships' calls go out in parallel: in either order.
	slices.Sort(who)
	if strings.Join(who, ",") != "wmDemo0001,wmDemo0002" {
		t.Fatalf("mark_tag for %v, want 王小明 and 李华, once each", who)
	}
	if ps, err := m.Store.PlansPending(); err != nil || len(ps) != 0 {
		t.Fatalf("plans pending: %v, %v", ps, err)
	}
}
