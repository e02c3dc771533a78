package lifecycle

import (
	"context"
	"reflect"
	"testing"
	"time"
)

const day = 24 * time.Hour

// TestIssueExamples evaluates the issue's three conditions on customers
// on either side of each.
func TestIssueExamples(t *testing.T) {
	e := newEnv(t, testYAML)
	// Tags put on 100 days before t0: the store's clock goes there first.
	e.clk.Set(t0.Add(-100 * day))
	e.customer("c1", "沉默老会员", t0.Add(-400*day))
	e.tag("c1", "t1")
	e.customer("c2", "刚说过话", t0.Add(-400*day))
	e.tag("c2", "t1")
	e.customer("c3", "童装无订单", t0.Add(-400*day))
	e.tag("c3", "t4")
	e.customer("c4", "童装有订单", t0.Add(-400*day))
	e.tag("c4", "t4")
	e.customer("c5", "咖啡八次", t0.Add(-10*day))
	e.customer("c6", "咖啡七次", t0.Add(-10*day))
	e.customer("c7", "新会员没说过话", t0.Add(-20*day))
	e.tag("c7", "t1")
	e.clk.Set(t0)
	e.message("c2", "在吗", t0.Add(-3*day))
	e.event("c4", "order", t0.Add(-60*day))
	e.event("c3", "order", t0.Add(-95*day)) // outside 90d
	for i := range 8 {
		e.message("c5", "来杯咖啡", t0.Add(-time.Duration(i+1)*day))
		if i < 7 {
			e.message("c6", "咖啡续命", t0.Add(-time.Duration(i+1)*day))
		}
	}
	e.message("c6", "咖啡", t0.Add(-40*day)) // outside 30d
	plan, err := e.svc.Preview(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"c1/zhangsan +待激活客户 -活跃会员 (沉睡会员)",
		"c3/zhangsan -童装尺码档案 (童装尺码过期)",
		"c5/zhangsan +咖啡因依赖症 (咖啡因依赖)",
	}
	if got := planLines(plan.Changes); !reflect.DeepEqual(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
	if plan.Relationships != 7 || plan.Errors != 0 {
		t.Errorf("relationships %d errors %d; want 7, 0", plan.Relationships, plan.Errors)
	}
}

// TestTagAddedMissing: tag_added of a tag the relationship lacks is the
// zero time, and days_since of it is -1, so the rule does not fire.
func TestTagAddedMissing(t *testing.T) {
	e := newEnv(t, testYAML)
	e.customer("c1", "没有童装档案", t0.Add(-400*day))
	plan, err := e.svc.Preview(context.Background(), []string{"童装尺码过期"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 0 {
		t.Errorf("changes %q; want none", planLines(plan.Changes))
	}
}

// TestExclusiveGroup: adding 待激活客户 (会员状态 is exclusive) also
// removes the group's other tags the customer has.
func TestExclusiveGroup(t *testing.T) {
	e := newEnv(t, testYAML)
	e.clk.Set(t0.Add(-200 * day))
	e.customer("c1", "两个状态", t0.Add(-400*day))
	e.tag("c1", "t1", "t3")
	e.clk.Set(t0)
	plan, err := e.svc.Preview(context.Background(), []string{"沉睡会员"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c1/zhangsan +待激活客户 -活跃会员 -怀旧型用户 (沉睡会员)"}
	if got := planLines(plan.Changes); !reflect.DeepEqual(got, want) {
		t.Errorf("changes %q; want %q", got, want)
	}
}
