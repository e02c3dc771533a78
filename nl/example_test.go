package nl_test

import (
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/nl"
)

// names is a tiny commands.Names: two customers and three tags.
type names struct{}

func (names) Customer(s string) bool { return s == "张三" || s == "李四" }
func (names) Tag(s string) (string, bool) {
	for _, t := range []string{"高意向", "VIP", "观望型"} {
		if strings.EqualFold(s, t) {
			return t, true
		}
	}
	return "", false
}
func (names) DeletedTag(string) (string, bool) { return "", false }
func (names) TagNames() []string               { return []string{"高意向", "VIP", "观望型"} }
func (names) Me() string                       { return "zhangsan" }
func (names) Members(string) []string          { return nil }

func ExampleParse() {
	for _, s := range []string{"帮我把张三标成高意向和vip", "把李四的观望型去掉", "谁改了张三的标签", "给张三打上高意像", "别给张三打VIP"} {
		r := nl.Parse(s, names{})
		switch r.Kind {
		case nl.Run:
			fmt.Printf("%s → %s (write %v)\n", s, r.Slash, r.Write)
		default:
			fmt.Printf("%s → %s\n", s, r.Ask)
		}
	}
	// Output:
	// 帮我把张三标成高意向和vip → /tag 张三 +高意向 +VIP (write true)
	// 把李四的观望型去掉 → /untag 李四 观望型 (write true)
	// 谁改了张三的标签 → /history 张三 (write false)
	// 给张三打上高意像 → 「高意像」是指「高意向」吗？我没有改任何东西，如果是请用正确的标签名再说一次。
	// 别给张三打VIP → 听起来是不要改，我什么都没有改。
}
