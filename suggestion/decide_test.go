package suggestion

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/store"
)

func TestClickConfirm(t *testing.T) {
	e := newEnv(t)
	e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型")
	card := e.out.cards("zhangsan")[0]
	text, done := e.click("zhangsan", card, KeyAll)
	if want := "已给 王小明 加上：价格敏感型（变更 1）。发送 /undo 1 可撤销。"; text != want || done != "已确认 · zhangsan" {
		t.Errorf("click = %q / button %q, want %q / 已确认 · zhangsan", text, done, want)
	}
	cs, err := e.st.Get(1)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Actor != "zhangsan" || cs.Source != store.SourceRule || cs.Reason != "规则「价格咨询」 命中：多少钱 原话：这个多少钱？" {
		t.Errorf("change-set actor %q source %q reason %q, want zhangsan, rule and the evidence", cs.Actor, cs.Source, cs.Reason)
	}
	if e.kicks != 1 {
		t.Errorf("outbox kicks = %d, want 1", e.kicks)
	}
	text, done = e.click("zhangsan", card, KeyAll)
	if !strings.Contains(text, "建议 #1 已经处理过（已确认 · zhangsan），这次没有改动") || done != "已确认 · zhangsan" {
		t.Errorf("second click = %q / %q, want it to say it was decided", text, done)
	}
	if n := len(e.relTags("c1", "zhangsan")); n != 1 {
		t.Errorf("tags = %d, want 1", n)
	}
}

func TestPartialAccept(t *testing.T) {
	tests := []struct {
		name     string
		act      func(e *env) (string, string)
		want     []string
		wantText string
		wantDone string
	}{
		{"one ticked", func(e *env) (string, string) {
			return e.click("zhangsan", e.out.cards("zhangsan")[0], KeySelected, "t2")
		}, []string{"t2"}, "已给 王小明 加上：高意向（变更 1）", "已部分确认 · zhangsan"},
		{"both ticked", func(e *env) (string, string) {
			return e.click("zhangsan", e.out.cards("zhangsan")[0], KeySelected, "t1", "t2")
		}, []string{"t1", "t2"}, "已给 王小明 加上：价格敏感型、高意向", "已确认 · zhangsan"},
		{"none ticked ignores", func(e *env) (string, string) {
			return e.click("zhangsan", e.out.cards("zhangsan")[0], KeySelected)
		}, nil, "已忽略建议 #1", "已忽略 · zhangsan"},
		{"a tag not offered", func(e *env) (string, string) {
			return e.click("zhangsan", e.out.cards("zhangsan")[0], KeySelected, "t3")
		}, nil, "建议 #1 里没有这个标签", ""},
		{"command with a tag", func(e *env) (string, string) {
			return e.say("zhangsan", "/confirm 1 高意向"), ""
		}, []string{"t2"}, "已给 王小明 加上：高意向（变更 1）", ""},
		{"command with a tag not offered", func(e *env) (string, string) {
			return e.say("zhangsan", "/confirm 1 观望型"), ""
		}, nil, "建议 #1 里没有标签「观望型」，它建议的是：价格敏感型、高意向。", ""},
		{"command for all", func(e *env) (string, string) {
			return e.say("zhangsan", "/confirm 1"), ""
		}, []string{"t1", "t2"}, "已给 王小明 加上：价格敏感型、高意向", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型", "高意向")
			c := e.out.cards("zhangsan")[0]
			wantCard := []commands.Choice{{Key: "t1", Text: "价格敏感型", Checked: true}, {Key: "t2", Text: "高意向", Checked: true}}
			if !reflect.DeepEqual(c.Choices, wantCard) || len(c.Buttons) != 1 || c.Buttons[0] != (commands.Button{Key: KeySelected, Text: "确认所选"}) {
				t.Errorf("card choices %+v buttons %+v, want both tags ticked and 确认所选", c.Choices, c.Buttons)
			}
			if texts := e.out.texts("zhangsan"); len(texts) != 1 || !strings.Contains(texts[0], "/confirm 1 价格敏感型（只加这个）") {
				t.Errorf("text beside the card = %q, want the details and the fallback", texts)
			}
			text, done := tt.act(e)
			if !strings.HasPrefix(text, tt.wantText) || done != tt.wantDone {
				t.Errorf("reply %q / button %q, want %q… / %q", text, done, tt.wantText, tt.wantDone)
			}
			if got := e.relTags("c1", "zhangsan"); !reflect.DeepEqual(got, tt.want) && len(got)+len(tt.want) > 0 {
				t.Errorf("tags = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExactlyOnceClickAndCommand(t *testing.T) {
	e := newEnv(t)
	e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型")
	card := e.out.cards("zhangsan")[0]
	var wg sync.WaitGroup
	replies := make([]string, 6)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				replies[i], _ = e.click("zhangsan", card, KeyAll)
			} else {
				replies[i] = e.say("zhangsan", "/confirm 1")
			}
		}()
	}
	wg.Wait()
	applied := 0
	for _, r := range replies {
		if strings.HasPrefix(r, "已给 王小明 加上") {
			applied++
		} else if !strings.Contains(r, "已经处理过") {
			t.Errorf("reply %q, want applied or already decided", r)
		}
	}
	if applied != 1 {
		t.Errorf("%d replies say applied, want exactly 1", applied)
	}
	if _, err := e.st.Get(2); err == nil {
		t.Errorf("a second change-set exists; the suggestion was applied twice")
	}
}

func TestExpiry(t *testing.T) {
	e := newEnv(t)
	e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型")
	card := e.out.cards("zhangsan")[0]
	e.clk.Advance(3*24*time.Hour - time.Second)
	if n, err := e.svc.Sweep(t.Context()); err != nil || n != 0 {
		t.Fatalf("Sweep before expiry = %d, %v; want 0", n, err)
	}
	e.clk.Advance(time.Second)
	text, done := e.click("zhangsan", card, KeyAll)
	if !strings.Contains(text, "已过期，没有改动") || done != "已过期" {
		t.Errorf("click at expiry = %q / %q, want expired", text, done)
	}
	if n, err := e.svc.Sweep(t.Context()); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1", n, err)
	}
	text, done = e.click("zhangsan", card, KeyAll)
	if !strings.Contains(text, "已经处理过（已过期）") || done != "已过期" {
		t.Errorf("click after sweep = %q / %q, want already expired", text, done)
	}
	if got := e.relTags("c1", "zhangsan"); len(got) != 0 {
		t.Errorf("tags = %v, want none", got)
	}
	if got := e.say("zhangsan", "/suggestions"); got != "你现在没有待确认的标签建议。" {
		t.Errorf("/suggestions = %q, want none pending", got)
	}
}

func TestPermission(t *testing.T) {
	e := newEnv(t)
	e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型")
	card := e.out.cards("zhangsan")[0]
	tests := []struct {
		name string
		act  func() (string, string)
	}{
		{"click", func() (string, string) { return e.click("lisi", card, KeyAll) }},
		{"reject click", func() (string, string) { return e.click("lisi", card, KeyReject) }},
		{"confirm", func() (string, string) { return e.say("lisi", "/confirm 1"), "" }},
		{"reject", func() (string, string) { return e.say("lisi", "/reject 1"), "" }},
		{"manager", func() (string, string) { return e.say("mgr", "/confirm 1"), "" }},
		// naming a tag must not reveal the suggestion's tags to someone else
		{"confirm with a tag", func() (string, string) { return e.say("lisi", "/confirm 1 VIP"), "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, done := tt.act()
			if text != "建议 #1 是发给客户跟进人的，只有跟进人可以确认或忽略。" || done != "" {
				t.Errorf("reply %q / button %q, want refused and the card left alone", text, done)
			}
		})
	}
	if got := e.relTags("c1", "zhangsan"); len(got) != 0 {
		t.Errorf("zhangsan's tags = %v, want none", got)
	}
	if got := e.say("lisi", "/suggestions"); got != "你现在没有待确认的标签建议。" {
		t.Errorf("lisi's /suggestions = %q, want none (the suggestion is zhangsan's)", got)
	}
	if got := e.say("zhangsan", "/suggestions"); !strings.Contains(got, "#1 王小明：价格敏感型（规则「价格咨询」") {
		t.Errorf("zhangsan's /suggestions = %q, want #1", got)
	}
}

func TestDroppedWhenNoLongerFollowed(t *testing.T) {
	e := newEnv(t)
	e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型")
	card := e.out.cards("zhangsan")[0]
	if _, err := e.st.RemoveRelationship("c1", "zhangsan", store.ReconcileOptions{Source: store.SourceSync, Actor: "sync"}); err != nil {
		t.Fatal(err)
	}
	if got := e.say("zhangsan", "/suggestions"); got != "你现在没有待确认的标签建议。" {
		t.Errorf("/suggestions = %q, want none (the follow ended)", got)
	}
	text, done := e.click("zhangsan", card, KeyAll)
	if !strings.Contains(text, "建议 #1 已经处理过（已作废）") || done != "已作废" {
		t.Errorf("click = %q / %q, want dropped", text, done)
	}
	if sg, _ := e.st.Suggestion(1); sg.Status != store.SuggestionDropped {
		t.Errorf("status = %s, want dropped", sg.Status)
	}
}

func TestConfirmFollowsGroupPolicies(t *testing.T) {
	t.Run("exclusive group", func(t *testing.T) {
		e := newEnv(t)
		e.say("zhangsan", "/tag 王小明 +低意向")
		e.offer("act:1", "c1", "zhangsan", "购买意向", "", "高意向")
		if got := e.say("zhangsan", "/confirm 1"); !strings.HasPrefix(got, "已给 王小明 加上：高意向") {
			t.Fatalf("/confirm 1 = %q", got)
		}
		if got := e.relTags("c1", "zhangsan"); !reflect.DeepEqual(got, []string{"t2"}) {
			t.Errorf("tags = %v, want [t2] (低意向 taken off: 意向 is exclusive)", got)
		}
	})
	t.Run("protected tag is not offered", func(t *testing.T) {
		e := newEnv(t)
		e.offer("act:1", "c1", "zhangsan", "大客户", "", "VIP", "高意向")
		cards := e.out.cards("zhangsan")
		if len(cards) != 1 || cards[0].Lines[1] != "标签：高意向" {
			t.Errorf("cards = %+v, want one offering only 高意向 (VIP is protected)", cards)
		}
	})
	t.Run("protected tag confirmed", func(t *testing.T) {
		e := newEnv(t)
		e.svc.SetPolicy(nil) // offered before the policy was known
		e.offer("act:1", "c1", "zhangsan", "大客户", "", "VIP")
		e.svc.SetPolicy(e.r.SuggestionPolicy)
		if got := e.say("zhangsan", "/confirm 1"); !strings.Contains(got, "受保护标签只有主管可以修改") {
			t.Errorf("/confirm 1 = %q, want refused", got)
		}
		if got := e.relTags("c1", "zhangsan"); len(got) != 0 {
			t.Errorf("tags = %v, want none", got)
		}
		if sg, _ := e.st.Suggestion(1); sg.Status != store.SuggestionPending {
			t.Errorf("status = %s, want still pending", sg.Status)
		}
	})
}

func TestCardUpdatedWhenDecidedByText(t *testing.T) {
	tests := []struct {
		name string
		act  func(e *env)
		want []string
	}{
		{"confirm", func(e *env) { e.say("zhangsan", "/confirm 1") }, []string{"zhangsan rc-send 已确认 · zhangsan"}},
		{"reject", func(e *env) { e.say("zhangsan", "/reject 1") }, []string{"zhangsan rc-send 已忽略 · zhangsan"}},
		{"expiry", func(e *env) {
			e.clk.Advance(3 * 24 * time.Hour)
			e.svc.Sweep(t.Context())
		}, []string{"zhangsan rc-send 已过期"}},
		{"refused", func(e *env) { e.say("lisi", "/confirm 1") }, nil},
		{"click updates its own card", func(e *env) { e.click("zhangsan", e.out.cards("zhangsan")[0], KeyAll) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.offer("act:1", "c1", "zhangsan", "价格咨询", "", "价格敏感型")
			e.svc.CardSent(t.Context(), "zhangsan", e.out.cards("zhangsan")[0].TaskID, "rc-send")
			e.svc.CardSent(t.Context(), "zhangsan", "rollback-1", "rc-other") // not a suggestion's: ignored
			tt.act(e)
			if !reflect.DeepEqual(e.upd.got, tt.want) {
				t.Errorf("card updates = %q, want %q", e.upd.got, tt.want)
			}
		})
	}
}

// TestConfirmRacesTagExclusive: a /tag of the same exclusive group that
// arrives while a confirm is between its policy check and its write waits
// for the write (the confirm holds the router's write lock), so the group
// never ends with both tags: the /tag then swaps 高意向 for 低意向.
func TestConfirmRacesTagExclusive(t *testing.T) {
	e := newEnv(t)
	e.offer("act:1", "c1", "zhangsan", "想买", "", "高意向")
	policy := e.r.SuggestionPolicy
	tagged := make(chan struct{})
	e.svc.SetPolicy(func(user string, rel store.Relationship, add []store.TagRef) ([]store.TagRef, error) {
		go func() { // another message from the same member, handled meanwhile
			defer close(tagged)
			e.r.HandleText(context.Background(), "zhangsan", "/tag 王小明 +低意向")
		}()
		time.Sleep(100 * time.Millisecond) // without the lock the /tag is done by now
		return policy(user, rel, add)
	})
	e.r.HandleText(context.Background(), "zhangsan", "/confirm 1")
	<-tagged
	if got := e.relTags("c1", "zhangsan"); !reflect.DeepEqual(got, []string{"t4"}) {
		t.Errorf("tags = %v, want [t4] (低意向 only: 意向 is exclusive)", got)
	}
}
