package nl

import "strings"

// fakeNames is commands.Names over fixed lists (the router's is over the
// store; see commands/natural.go).
type fakeNames struct {
	customers map[string]bool
	live      []string
	deleted   []string
	me        string
}

func testNames() fakeNames {
	n := fakeNames{customers: map[string]bool{}, me: "wangwu",
		live:    []string{"高意向", "低意向", "观望型", "VIP", "价格敏感型", "已成交", "北京", "老客户", "和平", "A级"},
		deleted: []string{"官网", "展会"}}
	for _, c := range []string{"张三", "李四", "王小明", "刘德华", "加藤", "张三丰", "13812345678", "wx_abc", "赵六", "小李"} {
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

func lookup(list []string, s string) (string, bool) {
	for _, t := range list {
		if strings.EqualFold(t, s) {
			return t, true
		}
	}
	return "", false
}
