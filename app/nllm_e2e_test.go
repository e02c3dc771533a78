package app

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/classify/llmtest"
	"github.com/tagbot/tagbot/config"
)

// TestEndToEndNaturalLanguageLLM: a request the patterns do not read goes
// to the model (fake); its tool call becomes the command shown, waits for
// 确认 even after /set confirm off, and reaches WeCom only then. The
// model never sees the customer's name. A sentence of several commands
// is one confirmation.
func TestEndToEndNaturalLanguageLLM(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	srv := llmtest.New(t)
	srv.Script(llmtest.Calls(llmtest.Call("tag", map[string]any{"customer": "〔客户1〕", "tags": []string{"转介绍"}})))
	cfg := config.Default()
	cfg.LLM.BaseURL, cfg.LLM.Model = srv.URL, "fake"
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	mustContain(t, "set", say(t, d, "/set confirm off"), "不再先问确认")
	before := len(markTagCalls(t, d))
	mustContain(t, "proposal", say(t, d, "王小明是老朋友带过来的，帮忙处理一下"), "（即 /tag 王小明 +转介绍）确认吗？")
	if n := len(markTagCalls(t, d)); n != before {
		t.Fatalf("mark_tag sent before 确认: %d calls", n-before)
	}
	mustContain(t, "confirmed", say(t, d, "确认"), "已为 王小明 添加「转介绍」")
	if n := len(markTagCalls(t, d)); n != before+1 {
		t.Fatalf("mark_tag after 确认: %d calls, want 1", n-before)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || strings.Contains(string(reqs[0].Body), "王小明") {
		t.Fatalf("%d requests to the model; the first must not name 王小明", len(reqs))
	}

	mustContain(t, "confirm back on", say(t, d, "/set confirm on"), "先问你确认")
	out := say(t, d, "给李华打上高意向，再把王小明的转介绍去掉")
	mustContain(t, "two commands", out, "要执行这 2 条命令", "1. /tag 李华 +高意向", "2. /untag 王小明 转介绍")
	mustContain(t, "both run", say(t, d, "好"), "已为 李华 添加「高意向」", "转介绍")
	if n := len(markTagCalls(t, d)); n != before+3 {
		t.Fatalf("mark_tag after the two commands: %d calls, want 3", n-before)
	}

	// The model names 张伟, whom two customers are called: 确认 shows the
	// numbered list and #2 picks one, as with the typed command.
	srv.Script(llmtest.Calls(llmtest.Call("tag", map[string]any{"customer": "〔客户1〕", "tags": []string{"高意向"}})))
	mustContain(t, "ambiguous proposal", say(t, d, "张伟那边意向挺足的，安排一下"), "（即 /tag 张伟 +高意向）确认吗？")
	mustContain(t, "numbered list", say(t, d, "确认"), "找到 2 位客户")
	mustContain(t, "picked", say(t, d, "#2"), "添加「高意向」")
	if n := len(markTagCalls(t, d)); n != before+4 {
		t.Fatalf("mark_tag after #2: %d calls, want 4", n-before)
	}
}

// TestEndToEndNaturalLanguageStats: the statistics questions answer from
// /stats and show the command; none of them writes.
func TestEndToEndNaturalLanguageStats(t *testing.T) {
	d := startDemo(t)
	before := len(markTagCalls(t, d))
	mustContain(t, "count", say(t, d, "有多少客户是高意向"), "「高意向」：1 位客户（你跟进的", "（即 /stats tag:高意向；只算你跟进的客户）")
	mustContain(t, "overlap", say(t, d, "高意向又是VIP的有多少"), "交叉分析", "（即 /stats tag:高意向 tag:VIP；只算你跟进的客户）")
	mustContain(t, "trend", say(t, d, "高意向这个月的趋势"), "趋势", "（即 /stats trend tag:高意向 since:这个月；只算你跟进的客户）")
	mustContain(t, "person", say(t, d, "我这周打了多少标签"), "标签变更统计", "（即 /stats @zhangsan since:这周）")
	if n := len(markTagCalls(t, d)); n != before {
		t.Fatalf("a statistics question reached WeCom: %d mark_tag calls", n-before)
	}
}

// TestEndToEndNaturalLanguageLLMDenied: the model's proposal passes the
// same permission check as the command: an employee's protected tag is
// refused when said (not proposed), reaches no WeCom API, and is recorded.
func TestEndToEndNaturalLanguageLLMDenied(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	srv := llmtest.New(t)
	srv.Script(llmtest.Calls(llmtest.Call("tag", map[string]any{"customer": "〔客户1〕", "tags": []string{"VIP"}})))
	cfg := config.Default()
	cfg.Groups = config.SampleGroups() // VIP protected
	cfg.LLM.BaseURL, cfg.LLM.Model = srv.URL, "fake"
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	before := len(markTagCalls(t, d))
	out := say(t, d, "李华最近出手很大方，升个级吧") // refused when said, not after 确认
	mustContain(t, "denied", out, "受保护标签只有主管可以修改", "（即 /tag 李华 +VIP）")
	if strings.Contains(out, "确认吗") {
		t.Fatalf("a refused write was proposed:\n%s", out)
	}
	if n := len(markTagCalls(t, d)); n != before {
		t.Fatalf("a denied write reached WeCom: %d calls", n-before)
	}
	mustContain(t, "recorded", say(t, d, "/history 李华"), "拒绝")
}
