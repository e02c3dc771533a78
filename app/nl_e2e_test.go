package app

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// TestEndToEndNaturalLanguage: a plain-Chinese write through the callback
// server waits for 确认, reaches WeCom as mark_tag, and the history
// question in plain Chinese finds it.
func TestEndToEndNaturalLanguage(t *testing.T) {
	d := startDemo(t)
	before := len(markTagCalls(t, d))
	out := say(t, d, "给王小明打上转介绍")
	mustContain(t, "proposal", out, "（即 /tag 王小明 +转介绍）确认吗？", "确认 / 取消")
	if n := len(markTagCalls(t, d)); n != before {
		t.Fatalf("mark_tag sent before 确认: %d calls", n-before)
	}
	out = say(t, d, "确认")
	mustContain(t, "confirmed", out, "已为 王小明 添加「转介绍」")
	calls := markTagCalls(t, d)[before:]
	want := []markTagBody{{UserID: "zhangsan", ExternalUserID: "wmDemo0001", AddTag: []string{tagID(t, d, "转介绍")}}}
	if diff := cmp.Diff(want, calls, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("mark_tag calls (-want +got):\n%s", diff)
	}
	out = say(t, d, "谁改了王小明的标签")
	mustContain(t, "history", out, "转介绍", "（即 /history 王小明）")

	// 取消 drops a pending write; nothing reaches WeCom.
	mustContain(t, "second proposal", say(t, d, "把王小明的转介绍去掉"), "（即 /untag 王小明 转介绍）")
	mustContain(t, "cancel", say(t, d, "算了"), "已取消")
	if n := len(markTagCalls(t, d)); n != before+1 {
		t.Fatalf("mark_tag after 取消: %d calls, want %d", n, before+1)
	}
	// A question is never a write.
	mustContain(t, "question", say(t, d, "要给王小明打上转介绍吗？"), "我没有改任何东西")
}

// TestEndToEndNaturalLanguageDenied: an employee's natural-language write
// of a protected tag is refused when said (not proposed, then refused
// after 确认) and recorded like the same command.
func TestEndToEndNaturalLanguageDenied(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Groups = config.SampleGroups() // VIP protected
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	before := len(markTagCalls(t, d))
	out := say(t, d, "给李华加个VIP标签") // refused when said, not after 确认
	mustContain(t, "denied", out, "受保护标签只有主管可以修改", "（即 /tag 李华 +VIP）")
	if strings.Contains(out, "确认吗") {
		t.Fatalf("a refused write was proposed:\n%s", out)
	}
	mustContain(t, "nothing pending", say(t, d, "好"), "现在没有等待确认的操作")
	if n := len(markTagCalls(t, d)); n != before {
		t.Fatalf("a denied write reached WeCom: %d calls", n-before)
	}
	css, err := d.Main.Store.History(store.Query{Customer: "wmDemo0002", IncludeDenied: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(css) == 0 || css[0].Denied == "" || css[0].Actor != "zhangsan" {
		t.Fatalf("newest change-set of 李华 %+v, want zhangsan's denied attempt", css[:min(1, len(css))])
	}
}

// TestEndToEndNaturalLanguageConfirmOff: /set confirm off runs the
// user's natural-language writes at once.
func TestEndToEndNaturalLanguageConfirmOff(t *testing.T) {
	d := startDemo(t)
	mustContain(t, "set", say(t, d, "/set confirm off"), "不再先问确认")
	out := say(t, d, "给王小明打上转介绍")
	mustContain(t, "direct", out, "已为 王小明 添加「转介绍」", "（即 /tag 王小明 +转介绍）")
	if strings.Contains(out, "确认吗") {
		t.Fatalf("asked to confirm after /set confirm off:\n%s", out)
	}
}

// TestEndToEndNaturalLanguageEmployeeByName: the first sync records the
// members' names from user/get, so a question names an employee as people
// call them.
func TestEndToEndNaturalLanguageEmployeeByName(t *testing.T) {
	d := startDemo(t)
	say(t, d, "/as lisi")
	mustContain(t, "stats", say(t, d, "张三这周打了多少标签"), "（即 /stats @zhangsan since:这周）")
	mustContain(t, "history", say(t, d, "张三今天改了什么"), "（即 /history @zhangsan since:今天）")
}

// TestEndToEndNaturalLanguageTagsAtTime: a time in a tags question
// answers with the tags of then, said to be of then.
func TestEndToEndNaturalLanguageTagsAtTime(t *testing.T) {
	d := startDemo(t)
	mustContain(t, "tags at", say(t, d, "王小明昨天有哪些标签"), "（即 /tags 王小明 at:昨天）", "（昨天结束时） 的标签（按变更记录算出，不是现在的）")
}
