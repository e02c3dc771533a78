package nl

import (
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"regexp"
	"strings"
)

// intent tries to read a request as one kind of command.
type intent func(rq *request) (Result, bool)

// intents are tried in order; reads come before writes, so a request
// that could be either ("张三的标签记录") is read.
var intents = []intent{lone, help, undoRedo, restoreTag, rollback, statsIntent, history, find, countFind, showTags, write}

// helpWords ask what the bot can do.
var helpWords = []string{"帮助", "help", "你能做什么", "你会什么", "你会做什么", "能做什么", "能干什么", "你能干嘛", "怎么用", "有哪些命令", "有什么命令", "有什么功能", "使用说明", "菜单"}

// help: 帮助, 你能做什么 → /help.
func help(rq *request) (Result, bool) {
	if rq.s == "?" || hasAny(rq.s, helpWords...) {
		return run(false, "help"), true
	}
	return Result{}, false
}

// undoFillers may surround 撤销 without naming anything to undo.
var undoFillers = []string{"刚才", "刚刚", "上一步", "上一个", "上一次", "上次", "最后一次", "最近一次", "那个", "这个", "那次", "操作", "修改", "改动", "变更", "的", "把", "一下", "我", "给", "掉", "了", "吧", "下", ",", "错了"}

// undoRedo: 撤销, 撤销刚才的操作, 刚才那个撤回 → /undo; 重做 → /redo.
func undoRedo(rq *request) (Result, bool) {
	s := rq.s
	switch {
	case hasAny(s, "重做", "redo", "恢复撤销", "撤销错了", "取消撤销") || hasAny(s, "恢复", "还原") && hasAny(s, "撤销", "撤回"):
		if cut(s, append([]string{"重做", "redo", "恢复撤销", "撤销错了", "取消撤销", "恢复", "还原", "撤销", "撤回"}, undoFillers...)...) == "" {
			return run(true, "redo"), true
		}
	case hasAny(s, "撤销", "撤回", "撤消", "undo", "回退"):
		if cut(s, append([]string{"撤销", "撤回", "撤消", "undo", "回退"}, undoFillers...)...) == "" {
			return run(true, "undo"), true
		}
		return ask("撤销只能撤你最近的一次操作：请只说「撤销」，或用 /history 找到变更号后发送 /undo 变更号。"), true
	}
	return Result{}, false
}

// restoreTag: 把被删的官网标签恢复 → /restore tag 官网.
func restoreTag(rq *request) (Result, bool) {
	s := rq.s
	if !hasAny(s, "恢复", "找回", "还原") || rq.tw != "" {
		return Result{}, false
	}
	deletedWords := hasAny(s, "被删", "删除的", "删掉的", "已删", "删了的")
	name := cut(s, "恢复", "找回", "还原", "被删除的", "被删掉的", "被删的", "被删", "已删除的", "已删的", "删除的", "删掉的", "删了的", "把", "那个", "这个", "回来", "一下")
	name = trimAll(name, tagPrefixes, tagSuffixes)
	if t, ok := rq.names.DeletedTag(name); ok {
		return run(true, "restore", word("tag"), word(t)), true
	}
	if !deletedWords {
		return Result{}, false
	}
	if t, ok := rq.names.Tag(name); ok {
		return ask("标签「" + display.Name(t) + "」没有被删除，不用恢复。"), true
	}
	return ask("没有找到被删除的标签「" + name + "」。请写出它原来的名字，例如：把被删的高意向标签恢复。"), true
}

// rollbackVerbs put a customer's tags back to a time.
var rollbackVerbs = []string{"恢复到", "回滚到", "还原到", "恢复成", "退回到", "回到", "回滚", "恢复"}

// rollback: 把张三恢复到昨天下午3点 → /rollback 张三 昨天下午3点.
func rollback(rq *request) (Result, bool) {
	if rq.tw == "" || !hasAny(rq.s, rollbackVerbs...) {
		return Result{}, false
	}
	s := rq.s
	for _, v := range rollbackVerbs {
		if i := strings.Index(s, v); i >= 0 {
			s = s[:i] + s[i+len(v):]
			break
		}
	}
	s = trimAll(s, nil, []string{"时候", "那时", "的样子", "的状态", "的时候", "的标签", "标签", "的"})
	c, ok := rq.customer(s)
	r := run(true, "rollback", word(c), word(rq.tw))
	switch {
	case !ok && !plausibleName(c):
		return ask("您是想把哪位客户的标签恢复到 " + display.Name(rq.tw) + "？例如：把张三恢复到" + display.Name(rq.tw)), true
	case !ok:
		return ask("没有客户叫「" + display.Name(c) + "」（要写全名、备注或手机号），什么都没有改。如果是名字里有「" + display.Name(c) + "」的客户，请发送 " + r.Slash + "。"), true
	}
	return r, true
}

// historyWords mark a question about the ledger.
var historyWords = []string{"被拒绝", "拒绝", "谁", "记录", "历史", "改了什么", "改过什么", "做了什么", "干了什么", "做了哪些", "干了啥", "做了啥", "被删", "被去掉", "被移除", "被改", "改了哪些", "打了哪些", "删了哪些", "加了哪些", "动过", "变更", "改动", "操作过"}

// historyNoise is removed to find who or what the question is about.
var historyNoise = []string{"被拒绝的操作", "被拒绝的", "被拒绝了", "被拒绝", "拒绝了", "拒绝", "谁", "记录", "历史", "变更", "改动", "改了什么", "改过什么", "做了什么", "干了什么", "做了哪些", "干了啥", "做了啥", "哪些客户", "被删了", "被删掉了", "被删", "被去掉了", "被去掉", "被移除了", "被移除", "被改了", "被改", "最近", "客户", "改了哪些", "打了哪些", "删了哪些", "加了哪些", "改了", "改过", "删了", "删掉了", "删除了", "去掉了", "打了", "加了", "动了", "动过", "操作过", "修改了", "操作", "标签", "哪些", "什么", "查一下", "查查", "看看", "看一下", "查看", "以后", "之后", "以来", "至今", "到现在", "期间", "给", "把", "都", "有", "过", "的"}

// history: 谁改了张三的标签, 昨天谁删了VIP标签, lisi这周打了哪些标签,
// 我今天改了什么 → /history ….
func history(rq *request) (Result, bool) {
	if !hasAny(rq.s, historyWords...) {
		return Result{}, false
	}
	s := rq.s
	var args []commands.Token
	if r := cut(s, historyNoise...); r != "" && actsAfter(s, r) { // 孙七这周打了哪些标签: an employee by name
		asMember := func(uid string) Result {
			return run(false, "history", append([]commands.Token{mention(uid)}, rq.timeFilters()...)...)
		}
		asCustomer := func() Result { return run(false, "history", append([]commands.Token{word(r)}, rq.timeFilters()...)...) }
		if res, ok := rq.member(r, asMember, asCustomer); ok {
			return res, true
		}
	}
	if r := cut(s, historyNoise...); r != "" && r != "我" && rq.names.Customer(r) { // 谁改了张三的标签
		return run(false, "history", append([]commands.Token{word(r)}, rq.timeFilters()...)...), true
	}
	if strings.Contains(s, "的") { // 张三的VIP记录
		if c, rest, ok := rq.splitCustomer(s); ok && (rest == "" || hasAny(rest, historyWords...)) {
			args = append(args, word(c))
			s = rest
		}
	}
	rest := cut(s, historyNoise...)
	switch {
	case rest == "":
	case rest == "我" || rest == "我自己":
		args = append(args, mention(rq.names.Me()))
	case len(args) == 0 && rq.names.Customer(rest):
		args = append(args, word(rest))
	case len(args) == 0 && rq.customerTag(rest) != nil: // 谁给王小明打了高意向
		args = append(args, rq.customerTag(rest)...)
	default:
		if t, ok := rq.names.Tag(rest); ok {
			args = append(args, filter("tag", t))
		} else if t, ok := rq.names.DeletedTag(rest); ok {
			args = append(args, filter("tag", t))
		} else if isUserID(rest) && len(args) == 0 {
			args = append(args, mention(rest))
		} else {
			return ask("您想查哪位客户、哪位同事或哪个标签的记录？例如：谁改了张三的标签、lisi这周打了哪些标签、昨天谁删了VIP标签。"), true
		}
	}
	return run(false, "history", append(args, rq.timeFilters()...)...), true
}

// customerTag reads s as a customer and one live tag (王小明高意向, from
// 谁给王小明打了高意向): the arguments of /history for them, or nil.
func (rq *request) customerTag(s string) []commands.Token {
	c, rest, ok := rq.splitCustomer(s)
	if !ok {
		return nil
	}
	if t, ok := rq.names.Tag(trimAll(rest, tagPrefixes, tagSuffixes)); ok {
		return []commands.Token{word(rq.spelled(c)), filter("tag", t)}
	}
	return nil
}

var (
	rePhone  = regexp.MustCompile(`\d{5,}`)
	reRemark = regexp.MustCompile(`备注(?:里|中|上)?(?:有|含|包含|是|写着|写了|带)?(.+?)(?:的客户|的人|的)?$`)
	reCalled = regexp.MustCompile(`(?:叫|名字是|名叫|姓名是)(.+?)(?:的客户|的人|的)?$`)
)

// lookWords start a search: 查找张三, 搜索北京, 看看李四.
var lookWords = []string{"查找", "搜索", "搜一下", "搜", "找一下", "找找", "查一下", "查查", "看一下", "看看", "找", "查"}

// find: 查一下手机号13812345678的客户, 找一下备注里有北京的客户 → /find ….
func find(rq *request) (Result, bool) {
	s := rq.s
	if !hasAny(s, "查", "找", "搜", "看", "手机", "电话", "备注") {
		return Result{}, false
	}
	switch {
	case hasAny(s, "手机", "电话", "号码") && rePhone.MatchString(s):
		return run(false, "find", word(rePhone.FindString(s))), true
	case reRemark.MatchString(s):
		return run(false, "find", word(reRemark.FindStringSubmatch(s)[1])), true
	case reCalled.MatchString(s):
		return run(false, "find", word(reCalled.FindStringSubmatch(s)[1])), true
	}
	if hasAny(s, howMany...) { // 看看VIP有多少人: a count (countFind), not a name to find
		return Result{}, false
	}
	for _, p := range lookWords {
		rest, ok := strings.CutPrefix(s, p)
		rest = trimAll(rest, nil, []string{"的客户", "客户", "这个人", "的资料", "的情况"})
		switch {
		case !ok || !plausibleName(rest):
		case rq.names.Customer(rest) && !strings.HasPrefix(p, "搜") && p != "查找":
			return run(false, "tags", word(rest)), true // 看看李四: their tags
		default:
			return run(false, "find", word(rest)), true
		}
	}
	return Result{}, false
}

// showWords ask which tags a customer has.
var showWords = []string{"有哪些标签", "有什么标签", "有啥标签", "都有啥标签", "是什么标签", "什么标签", "哪些标签", "有几个标签", "的标签", "标签有哪些", "标签是什么", "的情况", "的资料"}

// showTags: 张三有哪些标签, 张三现在是什么标签 → /tags 张三.
func showTags(rq *request) (Result, bool) {
	s := rq.s
	if !hasAny(s, showWords...) && !(rq.question && hasAny(s, "标签", "是不是")) {
		if !rq.question || len(verbs(s)) > 0 || strings.Contains(s, "不是") {
			return Result{}, false
		}
		if c, _, ok := rq.splitCustomer(s); ok { // 张三是VIP吗
			return run(false, "tags", word(c)), true
		}
		return Result{}, false
	}
	s = trimAll(s, []string{"查一下", "查查", "看看", "看一下", "查看", "查", "看", "告诉我"}, nil)
	tw := rq.tw
	if fw := commands.FutureWord(s); tw == "" && fw != "" { // 张三明天有哪些标签: /tags says 明天 is still ahead
		s, tw = strings.Replace(s, fw, "", 1), fw
	}
	c := ""
	for _, w := range showWords {
		if i := strings.Index(s, w); i > 0 {
			c = trimAll(s[:i], nil, []string{"现在", "目前", "当前", "都", "身上"})
			break
		}
	}
	if c == "" || !rq.names.Customer(c) {
		if sc, _, ok := rq.splitCustomer(s); ok {
			c = sc
		} else if !plausibleName(c) {
			return ask("您想查哪位客户的标签？例如：张三有哪些标签。"), true
		}
	}
	c = rq.spelled(c)           // VIP张, not vip张
	if tw != "" && tw != "今天" { // 张三昨天有哪些标签: the tags as of then, from the ledger
		return run(false, "tags", word(c), filter("at", tw)), true
	}
	return run(false, "tags", word(c)), true
}

// lone answers 确认, 取消 and the like when nothing waits for them (the
// router answers them itself when a proposal is pending).
func lone(rq *request) (Result, bool) {
	switch rq.s {
	case "确认", "确定", "取消", "算了", "好", "好的", "是", "是的", "对", "ok", "yes", "no", "不", "不要":
		return Result{Ask: "现在没有等待确认的操作。"}, true
	}
	return Result{}, false
}
