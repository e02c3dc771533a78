package lifecycle

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// combineYAML has rules that fire together on one relationship and
// disagree within an exclusive group (会员状态) and a group with max 1 (偏好).
const combineYAML = `
groups:
  会员状态: {exclusive: true}
  偏好: {max: 1}
lifecycle:
  - {name: L1, every: 1d, when: 'has_tag("活跃会员")', add: [待激活客户]}
  - {name: L2, every: 1d, when: 'has_tag("活跃会员")', add: [怀旧型用户]}
  - {name: L3, every: 1d, when: 'has_tag("活跃会员")', add: [咖啡续命族]}
  - {name: L4, every: 1d, when: 'has_tag("活跃会员")', add: [咖啡因依赖症]}
  - {name: L5, every: 1d, when: 'has_tag("活跃会员")', remove: [待激活客户]}
`

// TestRulesCombinePerRelationship: the rules' changes on one relationship
// are planned together in rule order; a later rule that would give an
// exclusive group a second tag, exceed a group's max or undo what an
// earlier rule planned is skipped, in the preview and in the run, and the
// run does exactly what the preview showed.
func TestRulesCombinePerRelationship(t *testing.T) {
	e := newEnv(t, combineYAML)
	e.customer("c1", "李华", t0.Add(-10*day))
	e.tag("c1", "t1")
	plan, err := e.svc.Preview(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantChanges := []string{"c1/zhangsan +咖啡续命族 (L3)", "c1/zhangsan +待激活客户 -活跃会员 (L1)"} // sorted
	wantSkipped := []string{"c1/zhangsan +咖啡因依赖症 (L4)", "c1/zhangsan +怀旧型用户 -待激活客户 (L2)", "c1/zhangsan -待激活客户 (L5)"}
	if got := planLines(plan.Changes); !reflect.DeepEqual(got, wantChanges) {
		t.Errorf("changes:\n got %q\nwant %q", got, wantChanges)
	}
	if got := planLines(plan.Skipped); !reflect.DeepEqual(got, wantSkipped) {
		t.Errorf("skipped:\n got %q\nwant %q", got, wantSkipped)
	}
	text := RenderPlan(plan, 0, "", cst)
	for _, w := range []string{"跳过 3 处", "李华（跟进人 zhangsan）+怀旧型用户 -待激活客户 · L2"} {
		if !strings.Contains(text, w) {
			t.Errorf("preview lacks %q:\n%s", w, text)
		}
	}
	run, err := e.svc.RunNow(context.Background(), "boss", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := planLines(run.Plan.Skipped); !reflect.DeepEqual(got, wantSkipped) {
		t.Errorf("run skipped %q; want %q", got, wantSkipped)
	}
	e.drain()
	if got := e.batchLines(run.Job); !reflect.DeepEqual(got, wantChanges) {
		t.Errorf("the run did:\n got %q\nwant the preview %q", got, wantChanges)
	}
	rel, err := e.st.Relationship("c1", "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range rel.Tags {
		ids = append(ids, id)
	}
	if len(ids) != 2 || !hasKey(rel.Tags, "t2") || !hasKey(rel.Tags, "t5") {
		t.Errorf("tags after the run %v; want t2 (待激活客户) and t5 (咖啡续命族)", ids)
	}
}

func hasKey[M ~map[string]V, V any](m M, k string) bool { _, ok := m[k]; return ok }
