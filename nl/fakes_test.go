package nl

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: any text parses without panicking; a run's slash form is its
// command's, and a request with 吗 or ？ (︖ ﹖) or a negation never writes.
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
		if r.Kind == Run && len(r.Steps) == 0 && r.Slash != r.Cmd.Display() {
			t.Fatalf("Parse(%q): slash %q, command shows %q", s, r.Slash, r.Cmd.Display())
		}
		if r.Kind != Run && r.Write {
			t.Fatalf("Parse(%q): Write without a command", s)
		}
		if r.Write && (strings.ContainsAny(s, "吗?？︖﹖") || strings.Contains(s, "别") || strings.Contains(s, "不要")) {
			t.Fatalf("Parse(%q) writes %s: a question or negation must not", s, r.Slash)
		}
	})
}

// fakeNames is commands.Names over fixed lists (the router's is over the
// store; see commands/natural.go).
type fakeNames struct {
	customers map[string]bool
	live      []string
	deleted   []string
	me        string
	members   map[string][]string // employee name → userids
}

func testNames() fakeNames {
	n := fakeNames{customers: map[string]bool{}, me: "wangwu",
		members: map[string][]string{"张三": {"zhangsan"}, "孙七": {"sunqi"}, "王芳": {"wangfang", "wangfang2"}},
		live:    []string{"高意向", "低意向", "观望型", "VIP", "价格敏感型", "已成交", "北京", "老客户", "和平", "A级"},
		deleted: []string{"官网", "展会"}}
	for _, c := range []string{"张三", "李四", "王小明", "刘德华", "加藤", "张三丰", "13812345678", "wx_abc", "赵六", "小李", "周一鸣"} {
		n.customers[c] = true
	}
	return n
}

func (n fakeNames) Customer(s string) bool { return n.customers[strings.ToLower(strings.TrimSpace(s))] }
func (n fakeNames) Tag(s string) (string, bool) {
	return lookup(n.live, s)
}
func (n fakeNames) DeletedTag(s string) (string, bool) { return lookup(n.deleted, s) }
func (n fakeNames) TagNames() []string                 { return n.live }
func (n fakeNames) Me() string                         { return n.me }
func (n fakeNames) Members(s string) []string          { return n.members[strings.TrimSpace(s)] }

func lookup(list []string, s string) (string, bool) {
	for _, t := range list {
		if strings.EqualFold(t, s) {
			return t, true
		}
	}
	return "", false
}
