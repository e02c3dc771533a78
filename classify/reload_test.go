package classify

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/classify/rules"
)

func mustPack(t *testing.T, path string) *rules.Pack {
	t.Helper()
	p, err := rules.LoadPack(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompileTagCheck(t *testing.T) {
	p := mustPack(t, "testdata/shop.yaml")
	_, err := Compile(p.Rules, NewTagNames([]string{"价格敏感型", " 物流关注 ", "退款"}))
	want := `testdata/shop.yaml:13: rule "物流": tags: unknown tag "物流关注": not in the tag library and not created by a pack (tagbot pack apply FILE creates a pack's tags)`
	if err != nil {
		t.Fatalf("Compile refused tags that exist after trimming: %v", err)
	}
	_, err = Compile(p.Rules, NewTagNames([]string{"价格敏感型", "退款"}))
	if err == nil || err.Error() != want {
		t.Errorf("Compile error = %v\nwant %s", err, want)
	}
}

func TestReloadKeepsOldSetOnError(t *testing.T) {
	e := loadPack(t, "testdata/shop.yaml")
	before := e.Rules()
	bad := mustPack(t, "testdata/shop.yaml").Rules
	if err := e.Reload(bad, NewTagNames([]string{"价格敏感型"})); err == nil {
		t.Fatal("Reload accepted rules with unknown tags")
	}
	if diff := cmp.Diff(before, e.Rules()); diff != "" {
		t.Errorf("rules changed after a failed reload (-before +after):\n%s", diff)
	}
	ms, _ := e.Classify(context.Background(), msg("多少钱"), nil)
	if len(ms) != 1 || ms[0].Rule != "价格咨询" {
		t.Errorf("after failed reload Classify = %v, want 价格咨询", ruleNames(ms))
	}

	// A good reload swaps, also while Classify runs (go test -race).
	one := bad[:1]
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				if _, err := e.Classify(context.Background(), msg("快递几天，多少钱"), nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	if err := e.Reload(one, nil); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	wg.Wait()
	ms, _ = e.Classify(context.Background(), msg("快递几天，多少钱"), nil)
	if got := ruleNames(ms); !cmp.Equal(got, []string{"价格咨询"}) {
		t.Errorf("after reload rules = %v, want [价格咨询]", got)
	}
	want := []RuleInfo{{Name: "价格咨询", Tags: []string{"价格敏感型"}, Mode: ModeSuggest, On: "message",
		Source: "pack 测试电商 (testdata/shop.yaml)", Pack: "测试电商"}}
	if diff := cmp.Diff(want, e.Rules()); diff != "" {
		t.Errorf("Rules() (-want +got):\n%s", diff)
	}
}

// TestCompileModeCheck: a rule built in code with a mode the parser would
// refuse is refused by Compile too, naming the rule.
func TestCompileModeCheck(t *testing.T) {
	r := rules.Rule{Name: "价格", Tags: []string{"价格敏感型"}, Keywords: []string{"价格"}, Mode: "always", File: "x.yaml", Line: 3}
	want := `x.yaml:3: rule "价格": mode: unknown mode "always" (suggest or auto)`
	if _, err := Compile([]rules.Rule{r}, nil); err == nil || err.Error() != want {
		t.Errorf("Compile error = %v\nwant %s", err, want)
	}
	r.Mode = rules.ModeAuto
	if _, err := Compile([]rules.Rule{r}, nil); err != nil {
		t.Errorf("Compile(mode auto) = %v", err)
	}
}

func TestMatchFields(t *testing.T) {
	e := engineFrom(t, `
- name: 自动
  keywords: [退货]
  mode: auto
  priority: 3
  score: 0.8
  llm: verify
  tags: [售后]
`)
	ms, _ := e.Classify(context.Background(), msg("我想退货，这个质量太差了，颜色也不对，尺码偏小，怎么寄回"), nil)
	want := []Match{{Source: SourceRule, Rule: "自动", Tags: []string{"售后"}, Mode: ModeAuto, Priority: 3, Score: 0.8,
		Verify: true, Evidence: Evidence{Words: []string{"退货"}, Snippet: "我想退货,这个质量太差了,颜"}}}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("Classify (-want +got):\n%s", diff)
	}
}

// TestMatchTagsOwned: a caller that changes a match's tags does not change
// the rule.
func TestMatchTagsOwned(t *testing.T) {
	e := loadPack(t, "testdata/shop.yaml")
	for range 2 {
		ms, _ := e.Classify(context.Background(), msg("价格多少，快递几天"), nil)
		if len(ms) != 2 || ms[0].Tags[0] != "物流关注" || ms[1].Tags[0] != "价格敏感型" {
			t.Fatalf("matches = %+v", ms)
		}
		ms[0].Tags[0], ms[1].Tags[0] = "changed", "changed"
		_ = append(ms[0].Tags, "more")
	}
}

// TestMatchOrder: matches come best first, priority then score then rule
// order, for messages and events alike (ordered by rank as they are built).
func TestMatchOrder(t *testing.T) {
	e := engineFrom(t, `
- {name: a, keywords: [价格], score: 0.5, tags: [t]}
- {name: b, keywords: [多少], score: 1, tags: [t]}
- {name: c, regex: "钱", priority: 1, score: 0.1, tags: [t]}
- {name: d, all: [价格, 钱], score: 1, tags: [t]}
- {name: e, keywords: [价格], priority: -1, tags: [t]}
- {name: f, on: "event:order", when: "true", score: 0.5, tags: [t]}
- {name: g, on: "event:order", when: "true", priority: 2, tags: [t]}
- {name: h, on: "event:order", when: "true", score: 0.9, tags: [t]}
`)
	names := func(ms []Match) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Rule)
		}
		return out
	}
	ms, _ := e.Classify(context.Background(), msg("价格多少钱"), nil)
	if diff := cmp.Diff([]string{"c", "b", "d", "a", "e"}, names(ms)); diff != "" {
		t.Errorf("message matches (-want +got):\n%s", diff)
	}
	ev := Input{Event: &Event{Customer: "wm1", Type: "order"}}
	ms, _ = e.Classify(context.Background(), ev, nil)
	if diff := cmp.Diff([]string{"g", "h", "f"}, names(ms)); diff != "" {
		t.Errorf("event matches (-want +got):\n%s", diff)
	}
}
