package nl

import (
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
)

// An employee may be named as people call them ("张三这周打了多少标签",
// "孙七昨天改了什么"), not only by userid: commands.Names.Members finds
// the members with that name (WeCom user/get). One member and no
// customer of that name is the answer; a name that is also a customer's,
// or several members', is asked back as a numbered list, each reading
// with the command to send.

// actorVerbs follow the name of someone who changed tags (孙七改了什么,
// 孙七打了哪些标签), as opposed to a customer whose tags were changed
// (张三的标签记录, 谁改了张三的标签).
var actorVerbs = []string{"打了", "改了", "改过", "删了", "删掉了", "删除了", "加了", "做了", "干了", "去掉了", "动了", "动过", "操作了", "操作过"}

// actsAfter reports whether s is who followed by a verb of changing tags.
func actsAfter(s, who string) bool {
	rest, ok := strings.CutPrefix(s, who)
	return ok && hasPrefixAny(rest, actorVerbs...)
}

// member reads who as an employee's name. asMember is the command for the
// member with that userid; asCustomer, when who is also a customer, the
// command for the customer. ok is false when no member is called who.
func (rq *request) member(who string, asMember func(uid string) Result, asCustomer func() Result) (Result, bool) {
	uids := rq.names.Members(who)
	isCustomer := asCustomer != nil && rq.names.Customer(who)
	switch {
	case len(uids) == 0:
		return Result{}, false
	case len(uids) == 1 && !isCustomer:
		return asMember(uids[0]), true
	}
	name := display.Name(who)
	var lines []string
	head := fmt.Sprintf("有 %d 位同事叫「%s」，您指的是哪一位？", len(uids), name)
	if isCustomer {
		head = fmt.Sprintf("「%s」既是客户也是同事的名字，您指的是哪一个？", name)
		lines = append(lines, fmt.Sprintf("%d. 客户 %s：%s", len(lines)+1, name, asCustomer().Slash))
	}
	for _, u := range uids {
		lines = append(lines, fmt.Sprintf("%d. 同事 %s（%s）：%s", len(lines)+1, name, display.Name(u), asMember(u).Slash))
	}
	return ask(head + "\n" + strings.Join(lines, "\n") + "\n请发送对应的命令，什么都没有改。"), true
}
