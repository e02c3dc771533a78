package nl

import (
	"strings"
	"testing"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// FuzzToolCall: any tool call, whatever its name and arguments, resolves
// without panicking into a question or a command; a write always waits
// for 确认 (Confirm) and names only a customer the request itself names.
func FuzzToolCall(f *testing.F) {
	for _, s := range [][3]string{
		{"帮张三弄成有购买意向的那类", "tag", `{"customer":"张三","tags":["高意向"]}`},
		{"张三李四都要", "untag", `{"customer":"〔客户1〕","tags":["VIP","高意像"]}`},
		{"看下统计", "stats", `{"kind":"trend","tags":["VIP"],"since":"上周三"}`},
		{"把张三退回去", "rollback", `{"customer":"张三","time":"昨天下午3点"}`},
		{"x", "tag", `{"customer":`},
		{"x", "history", `{"employee":"me","tag":"官网","until":"2026-11-20 15:00"}`},
	} {
		f.Add(s[0], s[1], s[2])
	}
	names := testNames()
	f.Fuzz(func(t *testing.T, say, tool, args string) {
		if !utf8.ValidString(say) || !utf8.ValidString(args) {
			return
		}
		c := &callReader{rq: newRequest(say, names), said: normalise(say), back: map[string]string{"〔客户1〕": "张三"}}
		r := c.read([]openai.ToolCall{{Type: openai.ToolTypeFunction, Function: openai.FunctionCall{Name: tool, Arguments: args}}})
		switch {
		case r.Kind != Run && r.Write:
			t.Fatalf("Write without a command: %+v", r)
		case r.Write && !r.Confirm:
			t.Fatalf("write %s without Confirm", r.Slash)
		case r.Write && (r.Cmd.Name == "tag" || r.Cmd.Name == "untag") &&
			!strings.Contains(normalise(say), normalise(r.Cmd.Args[0].Value)) && r.Cmd.Args[0].Value != "张三":
			t.Fatalf("write %s names a customer the request %q does not", r.Slash, say)
		}
	})
}
