package nl

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: any text parses without panicking; a run's slash form is its
// command's, and a request with 吗 or ？ or a negation never writes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"给张三打上高意向", "把李四的观望型去掉", "张三不是VIP了", "昨天谁删了VIP标签", "撤销",
		"把张三恢复到昨天下午3点", "高意向又是VIP的客户有哪些", "别给张三打VIP", "要给张三打上VIP吗？", "给张三打上高意向和和平"} {
		f.Add(s)
	}
	names := testNames()
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		r := Parse(s, names)
		if r.Kind == Run && r.Slash != r.Cmd.Display() {
			t.Fatalf("Parse(%q): slash %q, command shows %q", s, r.Slash, r.Cmd.Display())
		}
		if r.Kind != Run && r.Write {
			t.Fatalf("Parse(%q): Write without a command", s)
		}
		if r.Write && (strings.ContainsAny(s, "吗?？") || strings.Contains(s, "别") || strings.Contains(s, "不要")) {
			t.Fatalf("Parse(%q) writes %s: a question or negation must not", s, r.Slash)
		}
	})
}
