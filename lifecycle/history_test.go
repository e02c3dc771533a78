package lifecycle

import (
	"context"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// TestListShowsSkippedRows: /lifecycle shows, for a run, what it left out
// for an earlier rule and what its job skipped, grouped by reason — a
// relationship gone, a change already made, a group at its max (all made
// between the plan and the run); a reader who may not see a group reads
// a reason naming it as 其他原因.
func TestListShowsSkippedRows(t *testing.T) {
	e := newEnv(t, combineYAML)
	e.st.SetGroupLimits(map[string]store.GroupLimit{"会员状态": {Exclusive: true}, "偏好": {Max: 1}})
	for _, c := range []string{"c1", "c2", "c3"} {
		e.customer(c, "客户"+c, t0.Add(-10*day))
		e.tag(c, "t1")
	}
	run, err := e.svc.RunNow(context.Background(), "boss", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.RemoveRelationship("c2", "zhangsan", store.ReconcileOptions{Source: store.SourceWeComUI, Actor: "zhangsan"}); err != nil {
		t.Fatal(err)
	}
	// L1's change on c3 already made, and 偏好 at its max there.
	if _, err := e.st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceWeComUI, Customer: "c3", Follower: "zhangsan",
		Add: []store.TagRef{{ID: "t2"}, {ID: "t6"}}, Remove: []store.TagRef{{ID: "t1"}}}); err != nil {
		t.Fatal(err)
	}
	e.drain()

	cfg := config.Default()
	cfg.Roles.Admins = []string{"boss"}
	cfg.Groups = map[string]config.GroupPolicy{"偏好": {VisibleTo: []string{"boss"}}}
	r, err := commands.NewRouter(commands.Options{Store: e.st, Config: cfg, Now: e.clk.Now, Extensions: []commands.Extension{e.svc}})
	if err != nil {
		t.Fatal(err)
	}
	list := func(user string) string {
		var out string
		for _, rep := range r.HandleText(context.Background(), user, "/lifecycle") {
			out += rep.Text
		}
		return out
	}
	tests := []struct {
		user      string
		want, not []string
	}{
		{"boss", []string{
			"L1 ·", run.Job + "：本规则计划改 3 处（+待激活客户 ×3，-活跃会员 ×3）；整批（已完成）已改 2、跳过 4：客户已不再由该员工跟进 2，已经是这样 1，标签组「偏好」最多 1 个标签，客户已有「咖啡因依赖症」 1",
			"L2 ·", "没有需要改动的客户，另有 3 处和前面的规则冲突未执行",
		}, nil},
		{"zhangsan", []string{
			"整批（已完成）已改 2、跳过 4：客户已不再由该员工跟进 2，其他原因 1，已经是这样 1",
		}, []string{"偏好", "咖啡因依赖症"}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			got := list(tt.user)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("/lifecycle lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("/lifecycle names %q, hidden from %s:\n%s", n, tt.user, got)
				}
			}
		})
	}
}
