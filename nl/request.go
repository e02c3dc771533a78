package nl

import (
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
)

// request is one request being parsed: s is the text normalised (ASCII
// half-width and lower case, no spaces, no polite prefix or final
// particles) with its time word cut out into tw.
type request struct {
	text     string // as typed, for spelled
	names    commands.Names
	s        string
	tw       string // the time word, as commands.ParseTime reads it
	future   bool   // tw is still ahead however late (今天晚上11点 read at any hour)
	question bool   // 吗, ？, 呢, 么, 是否 …: a question, never a write
	// perfect: the sentence reports something done (了 after the verb or
	// at the end, 已经); with a time word it is no order to tag now.
	perfect bool
	// plainBa: the sentence starts with 把/给 (an order: 把张三的VIP删了),
	// not with a subject (我把张三的VIP删了 reports what I did).
	plainBa bool
	// ba: the sentence ends with 吧 (给张三打上高意向吧: a suggestion).
	ba      bool
	reading bool // resolving the tags of a question (/find, /stats): unknownTag words it so
}

// questionMarks are the question marks after halfWidth: ASCII ? and the
// compatibility and presentation forms (︖ ﹖ ⁇ ⁈ ⁉ ¿ ؟).
const questionMarks = "?︖﹖⁇⁈⁉¿؟"

// questionEnds end a question: 给李华打上高意向呢, …了么, …了没.
var questionEnds = []string{"吗", "呢", "么", "嘛", "了吧", "了没", "了没有", "没有啊", "没"}

// reTime finds a time word in the (half-width, spaced) text; each match is
// checked with commands.ParseTime before it is taken.
var reTime = regexp.MustCompile(`(?:\d{4}-)?\d{1,2}-\d{1,2}(?:\s*\d{1,2}:\d{2})?|(?:\d{4}年)?\d{1,2}月\d{1,2}[日号](?:(?:凌晨|早上|上午|中午|下午|傍晚|晚上)?[0-9一二两三四五六七八九十]{1,3}[点时](?:半|\d{1,2}分?)?)?|(?:今天|昨天|前天)(?:(?:凌晨|早上|上午|中午|下午|傍晚|晚上)?[0-9一二两三四五六七八九十]{1,3}[点时](?:半|\d{1,2}分?)?)?|(?:上上|上|这|本)?(?:周|星期|礼拜)[一二三四五六日天](?:(?:凌晨|早上|上午|中午|下午|傍晚|晚上)?[0-9一二两三四五六七八九十]{1,3}[点时](?:半|\d{1,2}分?)?)?|(?:\d{1,4}|[一二两三四五六七八九十]{1,3})\s*(?:天|小时|个小时|分钟|周|个星期|个月)前|这周|本周|上周|上星期|本月|这个月|上个月|上月`)

// reWeekdayName finds a weekday name in a time word (周一, 星期天).
var reWeekdayName = regexp.MustCompile(`(?:周|星期|礼拜)[一二三四五六日天]`)

// farFuture checks a time word's form only (the command checks the time).
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// politePrefixes are dropped from the start of a request.
var politePrefixes = []string{"麻烦你", "麻烦", "请你", "请帮我", "请问", "请", "帮我", "帮忙", "你帮我", "能帮我", "给我", "要不要", "能不能", "可不可以", "是否", "可以", "要"}

// finalParticles are dropped from the end of a request.
var finalParticles = []string{"谢谢", "好吗", "了没有", "了没", "一下", "呗", "吗", "呢", "吧", "啊", "呀", "哈", "哦", "喔", "。", ".", "!", "~", "…"}

// newRequest normalises text.
func newRequest(text string, names commands.Names) *request {
	s := strings.ToLower(halfWidth(text))
	rq := &request{text: text, names: names}
	end := strings.TrimRight(strings.TrimSpace(s), "。.!~…")
	end = strings.TrimRight(strings.Map(dropSpace, end), "。.!~…啊呀哈哦喔")
	rq.question = strings.ContainsAny(s, questionMarks+"吗") || strings.Contains(s, "是否") || strings.Contains(s, "要不要") ||
		hasSuffixAny(end, questionEnds...) || // 打上VIP了吧 / 打上VIP了么 / …呢: asking, not telling
		strings.Contains(s, "能不能") || strings.Contains(s, "可不可以") || strings.Contains(s, "是不是") // 张三是不是VIP
	s, aNotA := cutANotA(s)
	rq.question = rq.question || aNotA
	rq.perfect = strings.Contains(end, "了") || hasAny(end, "已经", "早就", "早已")
	rq.ba = strings.HasSuffix(end, "吧")
	var locs [][]int
	if strings.ContainsAny(s, "0123456789天周月前星拜") { // skip the regexp when no time word can be there
		locs = reTime.FindAllStringIndex(s, 2)
	}
	for _, loc := range locs {
		w := strings.TrimSpace(s[loc[0]:loc[1]])
		if reWeekdayName.MatchString(w) && insideName(s, loc[0], loc[1], names) { // 周一鸣 is a customer, not Monday
			continue
		}
		if _, err := commands.ParseTime(w, farFuture, config.ChinaZone); err == nil || futureTime(err) { // 今天晚上11点 is ahead even then
			rq.tw, rq.future = w, err != nil
			s = s[:loc[0]] + " " + s[loc[1]:]
			break
		}
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '!' || strings.ContainsRune(questionMarks, r) || unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	for changed := true; changed; {
		changed = false
		for _, p := range politePrefixes {
			if t, ok := strings.CutPrefix(s, p); ok && t != "" {
				s, changed = t, true
			}
		}
		for _, p := range finalParticles {
			if t, ok := strings.CutSuffix(s, p); ok && t != "" {
				s, changed = t, true
			}
		}
	}
	rq.s = s
	rq.plainBa = hasPrefixAny(s, "把", "给", "将", "替", "为")
	return rq
}

// spelled is frag (a piece of rq.s, lower case) as the user typed it:
// 「VIPP」, not 「vipp」. frag itself if it is not found.
func (rq *request) spelled(frag string) string {
	typed := strings.Map(dropSpace, halfWidth(rq.text))
	for i := range typed {
		if j := i + len(frag); j <= len(typed) && strings.ToLower(typed[i:j]) == frag {
			return typed[i:j]
		}
	}
	return frag
}

// aNotAModals are A-not-A questions over the whole order (李华该不该打上
// 高意向): cut out, they leave the order they ask about. Longest first.
var aNotAModals = []string{"是不是应该", "应该不应该", "需要不需要", "是不是要", "是不是该", "应不应该", "需不需要",
	"要不要", "该不该", "用不用"}

// cutANotA reports whether s asks an A-not-A question (X不X: 该不该, 打不打,
// 删不删; 是不是 alone asks about a tag, 能不能 and 可不可以 are polite
// forms, both kept) and returns s with the question form cut: a modal
// (aNotAModals) goes, a verb's 打不打 becomes 打, so the words are no name.
func cutANotA(s string) (string, bool) {
	if !strings.Contains(s, "不") {
		return s, false
	}
	q := false
	for _, m := range aNotAModals {
		if strings.Contains(s, m) {
			s, q = strings.ReplaceAll(s, m, ""), true
		}
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if i+2 < len(rs) && rs[i+1] == '不' && rs[i+2] == rs[i] && unicode.Is(unicode.Han, rs[i]) && !strings.ContainsRune("是能可", rs[i]) {
			b.WriteRune(rs[i]) // 打不打 → 打
			i += 2
			q = true
			continue
		}
		b.WriteRune(rs[i])
	}
	return b.String(), q
}

// futureTime reports whether err is commands.ParseTime's refusal of a
// time still ahead: the word reads.
func futureTime(err error) bool {
	var ue *commands.UserError
	return errors.As(err, &ue) && ue.Code == commands.CodeFutureTime
}

// dropSpace is a strings.Map function removing white space.
func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}

// hasSuffixAny reports whether s ends with one of words.
func hasSuffixAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}

// hasPrefixAny reports whether s starts with one of words.
func hasPrefixAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// halfWidth turns full-width ASCII (Ｖ, ＋, ？) and the ideographic space
// into ASCII, and the Chinese comma 、 and ， into ",".
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		case r == '、':
			return ','
		}
		return r
	}, s)
}

// finish turns a write asked as a question into a question back, and a
// negated one (别, 不要) into nothing: neither is ever a write.
func (rq *request) finish(r Result) Result {
	if r.Kind == Run && r.Write && rq.negated() {
		return Result{Ask: notDone}
	}
	if r.Kind == Run && (r.Cmd.Name == "tag" || r.Cmd.Name == "untag") {
		if q, ok := rq.notAnOrder(r); ok {
			return q
		}
	}
	if r.Kind == Run && r.Write && rq.question {
		q := ask("你是想执行 " + r.Slash + " 吗？我没有改任何东西。如果是，请直接说（不带问号），或发送这条命令。")
		q.asked = true
		return q
	}
	return r
}

// notAnOrder reads a /tag or /untag sentence that asks or reports
// rather than orders: 给张三打上高意向了吗 asks whether it is done (→
// /tags 张三); 昨天给张三打上高意向了, 张三加了VIP, 我把张三的VIP删了 and
// 帮我把张三的VIP去掉了 report (or may report) what was done; 张三打上高
// 意向吧 guesses. Kept as orders: 张三不是VIP了 (its own form, notAnyMore)
// and 把张三的VIP删了 (把 … 删了 at the start and the very end).
func (rq *request) notAnOrder(r Result) (Result, bool) {
	cust := r.Cmd.Args[0].Value
	notAny := r.Cmd.Name == "untag" && strings.Contains(rq.s, "不是")
	perfect := rq.perfectFor(r)
	switch {
	case rq.future: // 今天晚上11点给张三打上高意向: no change waits for a time
		return ask("「" + display.Name(rq.tw) + "」还没到，我不能按时间修改，什么都没有改。要现在改请直接说（不带时间），或发送 " + r.Slash + "。"), true
	case perfect && rq.question: // 给张三打上高意向了吗: was it done?
		return run(false, "tags", word(cust)), true
	case perfect || rq.tw != "":
		return pastReply(r), true
	case rq.ba && !rq.plainBa && !notAny: // 张三打上高意向吧: a guess or an order?
		return ask("你是想执行 " + r.Slash + " 吗？我没有改任何东西。如果是，请直接说（例如：给" + display.Name(cust) + "打上高意向），或发送这条命令。"), true
	}
	return Result{}, false
}

// perfectFor reports whether the sentence of the /tag or /untag r tells
// of something done (…了, 已经), apart from the orders 张三不是VIP了 and
// 把张三的VIP删了.
func (rq *request) perfectFor(r Result) bool {
	if !rq.perfect || r.Cmd.Name == "untag" && strings.Contains(rq.s, "不是") {
		return false
	}
	return rq.question || rq.tw != "" || !rq.plainBa || !strings.HasSuffix(rq.s, "删了") || strings.Contains(rq.s, "已经")
}

// pastReply answers a /tag or /untag sentence that tells of the past.
func pastReply(r Result) Result {
	cust := r.Cmd.Args[0].Value
	return ask("听起来是在说已经发生的事，我什么都没有改。想看「" + display.Name(cust) + "」现在的标签请发送 /tags " + cust +
		"；想改请直接说，例如：给" + display.Name(cust) + "打上高意向，或发送 " + r.Slash + "。")
}

// timeFilters are the since:/until: arguments for the request's time
// word: a closed past period (昨天, 上周, 11月20日) gets both bounds,
// anything reaching up to now (今天, 这周, 3天前) only since:.
func (rq *request) timeFilters() []commands.Token {
	if rq.tw == "" {
		return nil
	}
	out := []commands.Token{filter("since", rq.tw)}
	span, err := commands.ParseTime(rq.tw, farFuture, config.ChinaZone)
	if err != nil || span.From.Equal(span.To) {
		return out
	}
	switch {
	case rq.tw == "今天" || rq.tw == "这周" || rq.tw == "本周" || rq.tw == "本月" || rq.tw == "这个月":
		return out
	}
	return append(out, filter("until", rq.tw))
}

// cut removes every one of words from s.
func cut(s string, words ...string) string {
	for _, w := range words {
		s = strings.ReplaceAll(s, w, "")
	}
	return s
}

// hasAny reports whether s contains one of words.
func hasAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// trimAll strips any of the prefixes and suffixes from s, repeatedly.
func trimAll(s string, prefixes, suffixes []string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range prefixes {
			if t, ok := strings.CutPrefix(s, p); ok {
				s, changed = t, true
			}
		}
		for _, p := range suffixes {
			if t, ok := strings.CutSuffix(s, p); ok {
				s, changed = t, true
			}
		}
	}
	return s
}

// notDone answers a negated write.
const notDone = "听起来是不要改，我什么都没有改。"

// negated reports a negation word (别, 不要, 没) outside 不是 and the
// question forms 能不能, 要不要.
func (rq *request) negated() bool {
	s := trimAll(rq.s, nil, []string{"了没有", "了没"}) // 打上了没: a question
	return hasAny(cut(s, "不是", "能不能", "可不可以", "要不要", "是不是"), negations...)
}

// insideName reports whether s[lo:hi] is part of a customer's name
// (周一鸣 holds 周一): a name of up to three more characters either side.
func insideName(s string, lo, hi int, names commands.Names) bool {
	starts := []int{lo}
	for i, n := lo, 0; i > 0 && n < 3; n++ {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		starts = append(starts, i)
	}
	ends := []int{hi}
	for i, n := hi, 0; i < len(s) && n < 3; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		ends = append(ends, i)
	}
	for _, a := range starts {
		for _, b := range ends {
			if (a != lo || b != hi) && names.Customer(strings.TrimSpace(s[a:b])) {
				return true
			}
		}
	}
	return false
}
