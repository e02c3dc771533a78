package commands

import (
	"context"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
)

// stepsNatural reads "含歧义" (王小 is 王小明 or 王小红, then 咖啡) and
// "超出上限" (保健品, 咖啡 in 兴趣 of max 1, then 高意向) as several writes.
func stepsNatural(_ context.Context, text string, _ Names) Natural {
	switch text {
	case "含歧义":
		fragment := Command{Slash: true, Name: "tag", Args: []Token{{Kind: Word, Value: "王小"}, {Kind: AddTag, Value: "高意向"}}}
		return Natural{Write: true, Steps: []NaturalStep{{Cmd: natTag("咖啡"), Write: true}, {Cmd: fragment, Write: true}}}
	case "超出上限":
		return Natural{Write: true, Steps: []NaturalStep{{Cmd: natTag("保健品"), Write: true}, {Cmd: natTag("咖啡"), Write: true}, {Cmd: natTag("高意向"), Write: true}}}
	}
	return Natural{}
}

// TestNaturalStepsAllOrNothing: a sentence of several writes is asked
// back whole when one names its customer ambiguously, and stops at the
// first command refused when run, saying what ran and what did not.
func TestNaturalStepsAllOrNothing(t *testing.T) {
	type want struct {
		Replies []string // each in the replies, in order
		Absent  string   // not in the replies
		Tags    string   // 王小明's tags via zhangsan at the end
	}
	for _, tc := range []struct {
		name string
		said []string
		want want
	}{
		{"ambiguous customer: asked back, nothing proposed", []string{"含歧义", "确认"}, want{
			Replies: []string{"找到 2 位客户", "整句话的修改都没有提交", "没看懂"},
			Absent:  "确认吗", Tags: ""}},
		{"refused step stops the rest", []string{"超出上限", "确认"}, want{
			Replies: []string{"确认吗", "添加「保健品」", "第 2 条（/tag 王小明 +咖啡）没有执行", "后面的 1 条也没有执行：\n/tag 王小明 +高意向",
				"已执行的前 1 条仍然生效"},
			Absent: "添加「高意向」", Tags: "保健品"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			cfg := testConfig()
			cfg.Groups["兴趣"] = config.GroupPolicy{Max: 1}
			r, err := NewRouter(Options{Store: e.st, Config: cfg, Now: e.clk.Now, Natural: stepsNatural})
			if err != nil {
				t.Fatal(err)
			}
			e.r = r
			var all string
			for _, s := range tc.said {
				all += e.say("zhangsan", s) + "\n"
			}
			rest := all
			for _, w := range tc.want.Replies {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("replies lack %q (in order); got:\n%s", w, all)
				}
				rest = rest[i+len(w):]
			}
			if tc.want.Absent != "" && strings.Contains(all, tc.want.Absent) {
				t.Errorf("replies hold %q; got:\n%s", tc.want.Absent, all)
			}
			if got := strings.Join(e.tagNames("c1", "zhangsan"), ","); got != tc.want.Tags {
				t.Errorf("王小明's tags = %q, want %q", got, tc.want.Tags)
			}
		})
	}
}
