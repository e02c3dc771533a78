package nl

import (
	"strings"
	"unicode/utf8"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// addVerbs and removeVerbs put tags on and take them off, longest first
// where one starts another.
var (
	addVerbs    = []string{"打上", "打个", "打了", "标记为", "标记成", "标成", "标为", "标上", "设置为", "设置成", "设为", "设成", "改成", "改为", "加上", "加个", "加了", "添加", "增加", "贴上", "tag", "mark", "打", "加", "贴"}
	removeVerbs = []string{"去掉", "去除", "删掉", "删除", "删了", "移除", "取消", "拿掉", "撤掉", "摘掉", "untag", "remove", "删"}
)

// negations say not to do something: 别给张三打VIP is not a write.
var negations = []string{"别", "不要", "不用", "不必", "先不", "暂时不", "没有", "没", "勿", "不许", "不准", "不能", "不该", "不"}

// verb is one verb found in a request.
type verb struct {
	start, end int
	remove     bool
}

// verbs lists the verbs in s, left to right (the longest at a position).
func verbs(s string) []verb {
	var out []verb
	for i := 0; i < len(s); {
		v, ok := verbAt(s, i)
		if !ok {
			_, size := nextRune(s, i)
			i += size
			continue
		}
		out = append(out, v)
		i = v.end
	}
	return out
}

// verbAt reads the verb starting at s[i:], if any.
func verbAt(s string, i int) (verb, bool) {
	for _, v := range removeVerbs {
		if strings.HasPrefix(s[i:], v) {
			return verb{i, i + len(v), true}, true
		}
	}
	for _, v := range addVerbs {
		if strings.HasPrefix(s[i:], v) {
			return verb{i, i + len(v), false}, true
		}
	}
	return verb{}, false
}

func nextRune(s string, i int) (rune, int) { return utf8.DecodeRuneInString(s[i:]) }

// write: 给张三打上高意向, 张三加个VIP标签, 把李四的观望型去掉, 张三不是
// VIP了 → /tag or /untag. Every verb in the request is tried as the
// split point; the first giving an existing customer and existing tags
// wins, else the first giving existing tags is asked back (a customer
// not named exactly is never written to from plain words; the slash
// command lists the matches to pick from), else the first question.
func write(rq *request) (Result, bool) {
	if r, ok := notAnyMore(rq); ok {
		return r, true
	}
	vs := verbs(rq.s)
	if len(vs) == 0 {
		return Result{}, false
	}
	if rq.negated() {
		return Result{Ask: notDone}, true
	}
	var fallback, question *Result
	for _, v := range vs {
		r, exact := rq.writeAt(v)
		switch {
		case r.Kind == Run && exact:
			return r, true
		case r.Kind == Run && fallback == nil:
			fallback = &r
		case r.Kind == Ask && question == nil:
			question = &r
		}
	}
	if fallback != nil {
		c := fallback.Cmd.Args[0].Value
		return ask("没有客户叫「" + display.Name(c) + "」（要写全名、备注或手机号），什么都没有改。如果是名字里有「" + display.Name(c) + "」的客户，请发送 " + fallback.Slash + "，我会列出来让你选。"), true
	}
	if question != nil {
		return *question, true
	}
	return Result{}, false
}

// writeAt reads the request with v as its verb; exact says the customer
// is exactly one the store knows.
func (rq *request) writeAt(v verb) (Result, bool) {
	pre, post := rq.s[:v.start], rq.s[v.end:]
	post = trimAll(post, nil, []string{"了", "吧", "掉"})
	var cust, tagText string
	exact := false
	switch c, ok := rq.customer(pre); {
	case ok && post != "":
		cust, tagText, exact = c, post, true
	case post == "" && pre != "": // 把李四的观望型去掉
		cust, tagText, exact = rq.splitCustomer(pre)
	case c == "" && post != "": // 删除张三的VIP标签
		cust, tagText, exact = rq.splitCustomer(post)
	default:
		cust, tagText = c, post
	}
	if !exact && !plausibleName(cust) {
		return ask("您是想给哪位客户" + map[bool]string{false: "打标签", true: "去掉标签"}[v.remove] + "？例如：给张三打上高意向。"), false
	}
	tags, q := rq.tagList(tagText)
	if q != "" {
		return ask(q), false
	}
	if len(tags) == 0 {
		c := display.Name(cust)
		return ask("要给「" + c + "」" + map[bool]string{false: "打上", true: "去掉"}[v.remove] + "哪个标签？例如：给" + c + "打上高意向。"), false
	}
	return tagCommand(cust, tags, v.remove), exact
}

// tagCommand is /tag 客户 +A +B or /untag 客户 A B.
func tagCommand(cust string, tags []string, remove bool) Result {
	args := []commands.Token{word(cust)}
	for _, t := range tags {
		if remove {
			args = append(args, word(t))
		} else {
			args = append(args, addTag(t))
		}
	}
	if remove {
		return run(true, "untag", args...)
	}
	return run(true, "tag", args...)
}

// notAnyMore: 张三不是VIP了, 张三已经不是VIP了 → /untag 张三 VIP.
func notAnyMore(rq *request) (Result, bool) {
	i := strings.Index(rq.s, "不是")
	if i <= 0 || !strings.HasSuffix(rq.s, "了") {
		return Result{}, false
	}
	pre := trimAll(rq.s[:i], nil, []string{"已经", "现在", "目前", "再"})
	c, ok := rq.customer(pre)
	if !ok {
		return Result{}, false
	}
	tags, q := rq.tagList(strings.TrimSuffix(rq.s[i+len("不是"):], "了"))
	if q != "" {
		return ask(q), true
	}
	if len(tags) == 0 {
		return Result{}, false
	}
	return tagCommand(c, tags, true), true
}
