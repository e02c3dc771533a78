package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// cardsTo counts the template cards the demo's fake WeCom delivered to user.
func cardsTo(d *DemoBot, user string) int { return cardsToFake(d.Fake, user) }

// TestEndToEndSuggestion: a customer's message goes in, the follower gets
// a card, clicks it (a real encrypted template_card_event), the tag
// reaches WeCom through mark_tag, the card shows who decided, and
// /history shows the rule and the evidence. The same message again sends
// no second card.
func TestEndToEndSuggestion(t *testing.T) {
	d := startDemo(t)
	out := say(t, d, "~王小明: 这个多少钱，有优惠吗")
	mustContain(t, "card", out, "建议给客户加标签", "建议 #1", "客户 王总", "标签 价格敏感型", "依据 规则「价格咨询」", "[1] 确认", "[2] 忽略")
	if n := cardsTo(d, "zhangsan"); n != 1 {
		t.Fatalf("cards to zhangsan = %d, want 1", n)
	}
	if n := cardsTo(d, "lisi"); n != 0 {
		t.Fatalf("cards to lisi = %d, want 0 (the message was to zhangsan)", n)
	}
	out = say(t, d, "/click 1")
	mustContain(t, "click reply", out, "已给 王总 加上：价格敏感型")
	want := []markTagBody{{UserID: "zhangsan", ExternalUserID: "wmDemo0001", AddTag: []string{tagID(t, d, "价格敏感型")}}}
	if diff := cmp.Diff(want, markTagCalls(t, d), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("mark_tag calls (-want +got):\n%s", diff)
	}
	updates := d.Fake.CardUpdates()
	if len(updates) != 1 || !strings.Contains(string(updates[0]), "已确认 · zhangsan") {
		t.Fatalf("card updates = %s, want one saying 已确认 · zhangsan", updates)
	}
	out = say(t, d, "/history 王小明")
	mustContain(t, "/history", out, "+价格敏感型", "[rule]", "依据：规则「价格咨询」 命中：")
	out = say(t, d, "~王小明: 这个多少钱，有优惠吗")
	mustContain(t, "same message again", out, "没有新的建议")
	if n := cardsTo(d, "zhangsan"); n != 1 {
		t.Fatalf("cards to zhangsan after the same message = %d, want 1", n)
	}
	// The clicked card's button is gone (update_template_card); the text
	// fallback finds the suggestion decided.
	out = say(t, d, "/confirm 1")
	mustContain(t, "/confirm after the click", out, "已经处理过（已确认 · zhangsan）")
	if n := len(markTagCalls(t, d)); n != 1 {
		t.Fatalf("mark_tag calls after /confirm = %d, want 1", n)
	}
	if err := d.Main.Store.Verify(); err != nil {
		t.Fatalf("store check with suggestions in it: %v", err)
	}
}

// TestEndToEndSuggestionDroppedWhenUnfollowed: the employee stops following
// the customer after the card went out; the click drops the suggestion and
// nothing reaches WeCom.
func TestEndToEndSuggestionDroppedWhenUnfollowed(t *testing.T) {
	d := startDemo(t)
	out := say(t, d, "~李华: 有货吗，怎么买")
	mustContain(t, "card", out, "建议 #1", "标签 高意向")
	d.Fake.AddCustomer(wecomtest.Customer{ExternalUserID: "wmDemo0002", Name: "李华", CorpName: "华美电商",
		Follows: []wecomtest.Follow{{UserID: "lisi"}}})
	if _, err := d.deliver(t.Context(), d.Fake.CallbackEvent("sys", map[string]string{
		"Event": "change_external_contact", "ChangeType": "del_follow_user", "UserID": "zhangsan", "ExternalUserID": "wmDemo0002",
	})); err != nil {
		t.Fatal(err)
	}
	out = say(t, d, "/click 1")
	mustContain(t, "click", out, "你已不再跟进这位客户，建议 #1 已作废")
	for _, c := range markTagCalls(t, d) {
		if c.ExternalUserID == "wmDemo0002" && len(c.AddTag) > 0 {
			t.Fatalf("mark_tag added %v to 李华 after the follow ended", c.AddTag)
		}
	}
	// A new message about a customer no longer followed is refused at intake.
	out = say(t, d, "~李华: 怎么买")
	mustContain(t, "unfollowed", out, "你跟进的客户里没有「李华」")
}

// TestEndToEndCouponEvent: a behaviour event suggests a tag too.
func TestEndToEndCouponEvent(t *testing.T) {
	d := startDemo(t)
	out := say(t, d, "~王小明 !coupon_claim delay_seconds=3")
	mustContain(t, "event card", out, "有行为 coupon_claim", "标签 价格敏感型", "依据 规则「秒领优惠券」")
	out = say(t, d, "/suggestions")
	mustContain(t, "/suggestions", out, "#1 王总：价格敏感型（规则「秒领优惠券」")
	out = say(t, d, "/reject 1")
	mustContain(t, "/reject", out, "已忽略建议 #1")
	// The card, decided by text, is updated with the code its send answered.
	updates := d.Fake.CardUpdates()
	if len(updates) != 1 || !strings.Contains(string(updates[0]), "已忽略 · zhangsan") {
		t.Fatalf("card updates = %s, want one saying 已忽略 · zhangsan", updates)
	}
	if calls := markTagCalls(t, d); len(calls) != 0 {
		t.Fatalf("mark_tag after reject: %+v", calls)
	}
}

// TestEndToEndPartialAccept: a suggestion of two tags comes as a checkbox
// card; submitting it with one ticked (a real encrypted template_card_event
// with SelectedItems) applies only that one.
func TestEndToEndPartialAccept(t *testing.T) {
	d := startDemo(t)
	out := say(t, d, "~张伟-阿里: 货比三家，还是你们家好")
	mustContain(t, "checkbox card", out, "建议 #1", "规则「货比三家」", "[1] ☑ 价格敏感型", "[2] ☑ 高意向", "[确认所选]", "/confirm")
	out = say(t, d, "/click 2")
	mustContain(t, "submit", out, "已给 张伟-阿里 加上：高意向")
	var added []string
	for _, c := range markTagCalls(t, d) {
		if c.ExternalUserID == "wmDemo0003" {
			added = append(added, c.AddTag...)
		}
	}
	if want := []string{tagID(t, d, "高意向")}; !cmp.Equal(added, want) {
		t.Fatalf("mark_tag added %v to 张伟 of 阿里巴巴, want only 高意向 %v", added, want)
	}
	updates := d.Fake.CardUpdates()
	if len(updates) != 1 || !strings.Contains(string(updates[0]), "已部分确认 · zhangsan") {
		t.Fatalf("card updates = %s, want one saying 已部分确认 · zhangsan", updates)
	}
}

// TestServeSuggestsWithConfigRules: the server as `tagbot serve` builds it
// (no demo engine) classifies with config.yaml's rules: a message through
// the intake becomes a card for the follower, and an admin's /reload
// swaps the rules.
func TestServeSuggestsWithConfigRules(t *testing.T) {
	fake, cfg := fakeCompany(t)
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte("rules:\n  - name: 色号咨询\n    keywords: [色号]\n    tags: [高意向]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Roles.Admins = []string{"wangwu"}
	m, err := New(cfg, Options{Logger: discard(), ConfigPath: file})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := m.SyncIfNeeded(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.ReloadRules(); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown(context.Background()) })
	if err := m.ReloadRules(); err != nil { // Start compiled the config in hand; the file has the rule
		t.Fatal(err)
	}
	msg := classify.Message{Customer: "wmDemo0002", Employee: "zhangsan", From: classify.FromCustomer, Text: "这个色号还有吗"}
	if _, _, err := m.Intake.Submit(ctx, []classify.Message{msg}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a card to zhangsan", func() bool { return cardsToFake(fake, "zhangsan") == 1 })
	resp, err := fake.Deliver(ctx, m.CallbackURL(), fake.CallbackText("wangwu", "/reload", "reload-1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, "the /reload reply", func() bool {
		for _, msg := range fake.Messages() {
			if msg.ToUser == "wangwu" && strings.Contains(msg.Text, "规则已重新加载，现在共 1 条") {
				return true
			}
		}
		return false
	})
}

// cardsToFake counts the template cards the fake delivered to user.
func cardsToFake(fake *wecomtest.Server, user string) int {
	n := 0
	for _, m := range fake.Messages() {
		if m.MsgType == "template_card" && m.ToUser == user {
			n++
		}
	}
	return n
}
