package nl

import (
	"fmt"
	"strings"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
)

// A model's tool calls are never trusted. Each becomes the command a
// typed request would, resolved exactly as the patterns resolve words:
// tags against the live library (never invented: the nearest name is
// asked back), a customer only if the request itself names it (a
// placeholder the masking made, or the words of the request: the model
// cannot add a customer the user did not write) and, for a write, only
// a customer named exactly (else asked back with the slash form, which
// lists the matches to pick #N from). Times must read. At most maxSteps
// calls; any call that does not resolve makes the whole answer a
// question and nothing runs. Writes carry Confirm, so they wait for 确认
// even after /set confirm off, and then pass the router's permission
// checks and the ledger like the typed command.

// notUnderstood answers a request neither the patterns nor the model read.
const notUnderstood = "没看懂这句话（AI 助手也没能理解），什么都没有改。可以这样说：给王小明打上高意向、王小明有哪些标签、高意向客户有多少、撤销；或发送 /help 查看全部命令。"

// callReader resolves the tool calls of one request.
type callReader struct {
	rq   *request          // the request, for Names and the name helpers
	said string            // the request as typed, normalised (halfWidth, lower case, no spaces)
	back map[string]string // placeholder → what it replaced
	// named are the customers the request names, each the longest name
	// at its place, normalised; a negated mention (不是张三) is not one.
	named []string
}

// notNaming are the words before a customer's name that say the request
// is not about them: 李四（不是张三）, 别给张三.
var notNaming = []string{"不是", "而非", "并非", "别给", "别把", "别", "不要给", "不要把", "不要", "不用给", "不给", "不用", "除了", "非"}

// namedCustomers lists the customers said (normalised) names, as the
// pattern path reads them: at each place the longest customer name that
// starts there, skipping one named only to be excluded.
func namedCustomers(said string, names commands.Names) []string {
	var out []string
	for i := 0; i < len(said); {
		_, size := utf8.DecodeRuneInString(said[i:])
		end, n := i, 0
		for j := i; j < len(said) && n < maxNameRunes; n++ {
			_, sz := utf8.DecodeRuneInString(said[j:])
			j += sz
			if names.Customer(said[i:j]) {
				end = j
			}
		}
		if end == i {
			i += size
			continue
		}
		if !hasSuffixAny(said[:i], notNaming...) && !contains(out, said[i:end]) {
			out = append(out, said[i:end])
		}
		i = end
	}
	return out
}

// read turns the calls into one Result: a command, several (Steps), or
// the first question.
func (c *callReader) read(calls []openai.ToolCall) Result {
	switch {
	case len(calls) == 0:
		return ask(notUnderstood)
	case len(calls) > maxSteps:
		return ask(fmt.Sprintf("这句话要做的事太多了（一次最多 %d 条），什么都没有改。请分几次说。", maxSteps))
	}
	var steps []Result
	for _, call := range calls {
		t, ok := toolByName(call.Function.Name)
		if !ok || call.Type != "" && call.Type != openai.ToolTypeFunction {
			return ask(notUnderstood)
		}
		a, ok := decodeArgs(t, call.Function.Arguments)
		if !ok {
			return ask(notUnderstood)
		}
		r := c.command(t.name, a)
		if r.Kind != Run {
			return r
		}
		r.Confirm = r.Write
		steps = append(steps, r)
	}
	if c.asking() { // a question is never a write, whatever the model made of it
		reads := steps[:0]
		for _, s := range steps {
			if !s.Write {
				reads = append(reads, s)
			}
		}
		if len(reads) == 0 {
			return ask("这句话是在问问题，我不会改标签，什么都没有改。要改请直接说，例如：给张三打上高意向；要查请说：张三有哪些标签。")
		}
		steps = reads
	}
	if len(steps) == 1 {
		return c.guard(steps[0])
	}
	whole := Result{Kind: Run, Cmd: steps[0].Cmd, Steps: steps, Confirm: true}
	var slashes []string
	for _, s := range steps {
		if s.Cmd.Name == "rollback" {
			return ask("回滚要单独确认，请单独说，例如：把张三恢复到昨天下午3点。什么都没有改。")
		}
		slashes = append(slashes, s.Slash)
		whole.Write = whole.Write || s.Write
	}
	whole.Slash = strings.Join(slashes, stepSlashSep)
	return c.guard(whole)
}

// questionWords make a request a question for the model's calls: its
// write calls are dropped (reads are answered) or, with none, asked back.
var questionWords = []string{"啥", "什么", "哪", "多少", "几", "怎么", "咋", "谁", "吗", "呢", "么", "嘛"}

// asking reports whether the request asks rather than orders: the
// patterns' question forms (吗, ？, ︖, 呢, …了吧) or a question word.
func (c *callReader) asking() bool {
	return c.rq.question || hasAny(c.said, questionWords...) || strings.ContainsAny(c.said, questionMarks)
}

// guard: a write from a request that asks (吗, ？) or says not to (别,
// 不要) is asked back, whatever the model made of it.
func (c *callReader) guard(r Result) Result {
	if r.Write && (c.rq.question || c.rq.negated()) {
		return ask("你是想执行 " + r.Slash + " 吗？我没有改任何东西。如果是，请直接说（不带问号），或发送这条命令。")
	}
	return r
}

// command resolves one call into the command, or a question.
func (c *callReader) command(tool string, a toolArgs) Result {
	switch tool {
	case "tag", "untag":
		cust, q := c.customer(a.Customer, true)
		if q != nil {
			return *q
		}
		tags, qs := c.tags(a.Tags)
		if qs != "" {
			return ask(qs)
		}
		r := tagCommand(cust, tags, tool == "untag")
		if !c.rq.names.Customer(cust) {
			return notExact(cust, r.Slash)
		}
		if c.rq.perfectFor(r) || c.rq.tw != "" { // 昨天…, 已经…了: a report, not an order
			return pastReply(r)
		}
		return r
	case "tags":
		cust, q := c.customer(a.Customer, false)
		if q != nil {
			return *q
		}
		return run(false, "tags", word(cust))
	case "find":
		return c.find(a)
	case "history":
		return c.history(a)
	case "undo", "redo", "help":
		return run(tool != "help", tool)
	case "rollback":
		cust, q := c.customer(a.Customer, true)
		if q != nil {
			return *q
		}
		if q := c.badTime(a.Time, true); q != "" {
			return ask(q)
		}
		r := run(true, "rollback", word(cust), word(a.Time))
		if !c.rq.names.Customer(cust) {
			return notExact(cust, r.Slash)
		}
		return r
	case "restore":
		if t, ok := c.rq.names.DeletedTag(strings.TrimSpace(a.Tag)); ok {
			if !strings.Contains(c.said, normalise(t)) { // restoring re-tags every customer that had it
				return ask("您的话里没有标签「" + display.Name(t) + "」，我不会恢复别的标签，什么都没有改。请写出要恢复的标签名，例如：把被删的官网标签恢复。")
			}
			return run(true, "restore", word("tag"), word(t))
		}
		return ask("没有找到被删除的标签「" + display.Name(a.Tag) + "」，什么都没有改。发送 /groups 查看标签库。")
	case "stats":
		return c.stats(a)
	}
	return ask(notUnderstood)
}

// customer is the customer an argument names: a placeholder read back, or
// words of the request itself; a name the user did not write, a shorter
// name inside the one written (张三 of 张三丰) and a name written only to
// exclude it (不是张三) are a question.
func (c *callReader) customer(arg string, write bool) (string, *Result) {
	s := strings.TrimSpace(arg)
	for ph, orig := range c.back {
		s = strings.ReplaceAll(s, ph, orig)
	}
	if s == "" {
		what := "查哪位客户"
		if write {
			what = "改哪位客户的标签"
		}
		r := ask("您是想" + what + "？请写出客户的名字，例如：给张三打上高意向。什么都没有改。")
		return "", &r
	}
	if n := normalise(s); c.rq.names.Customer(s) && !contains(c.named, n) || !strings.Contains(c.said, n) {
		// a customer must be one the request names, whole (not 张三 of
		// 张三丰) and not excluded (不是张三); a fragment that is no
		// customer is only ever listed to pick from (notExact).
		r := ask("您的话里没有客户「" + display.Name(s) + "」，我不会改别的客户，什么都没有改。请写出客户的名字，例如：给张三打上高意向。")
		return "", &r
	}
	return s, nil
}

// tags resolves tag names against the live library (the nearest name is
// asked back, never invented). An argument may hold several names
// ("VIP、高意向"), so the limit of maxArgTags is checked on the names it
// came to, not on the arguments.
func (c *callReader) tags(names []string) ([]string, string) {
	var out []string
	for _, n := range names {
		ts, q := c.rq.tagList(strings.ToLower(halfWidth(strings.TrimSpace(n))))
		if q != "" {
			return nil, q
		}
		for _, t := range ts {
			if !contains(out, t) {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return nil, "您说的是哪个标签？例如：给张三打上高意向。什么都没有改。"
	}
	if len(out) > maxArgTags { // counted after splitting: one argument may hold many
		return nil, fmt.Sprintf("一次最多 %d 个标签，什么都没有改。请分几次说。", maxArgTags)
	}
	return out, ""
}

// badTime is the question for a time that does not read ("" when it does,
// or when it may be empty and is).
func (c *callReader) badTime(s string, required bool) string {
	if s == "" && !required {
		return ""
	}
	if _, err := commands.ParseTime(s, farFuture, config.ChinaZone); err != nil || s == "" {
		return "看不懂时间「" + display.Name(s) + "」，什么都没有改。可以写：昨天、上周三、3天前、2026-11-20 15:00。"
	}
	return ""
}

// employee is the userid an argument names: me (the speaker) or a userid.
func (c *callReader) employee(s string) (commands.Token, string) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "me" || s == "我" || s == "我自己":
		return mention(c.rq.names.Me()), ""
	case isUserID(s):
		return mention(s), ""
	}
	return commands.Token{}, "员工请写企业微信 userid，例如：lisi这周打了哪些标签。什么都没有改。"
}

// notExact asks back for a write to a customer not named exactly, as the
// patterns do: the slash form lists the matches to pick from.
func notExact(cust, slash string) Result {
	c := display.Name(cust)
	return ask("没有客户叫「" + c + "」（要写全名、备注或手机号），什么都没有改。如果是名字里有「" + c + "」的客户，请发送 " + slash + "，我会列出来让你选。")
}

// normalise is text as compared with the request: half-width, lower case,
// no spaces.
func normalise(s string) string {
	return strings.ReplaceAll(strings.ToLower(halfWidth(s)), " ", "")
}
