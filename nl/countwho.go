package nl

import (
	"regexp"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// A count question may say whose customers it counts, or be about one
// customer. 我的客户里有多少VIP counts the asker's own customers, which is
// what /stats counts for an employee (a manager's /stats counts all and
// says so), so 我的客户 is dropped. 孙七跟进的客户中有多少VIP counts a
// colleague's, which no command does: the reply says what to send
// instead. And a customer's whole name wins over the question words it
// is made of: 多少有哪些标签 (多少 a customer) is /tags 多少.

// reScope is whose customers a count question counts, after the asker
// or a colleague: 的客户, 跟进的客户里, 负责的客户当中 ….
var reScope = regexp.MustCompile(`^(?:自己)?(?:跟进|负责|名下|手上|手里|添加|管理|管)?(?:的)?(?:客户|人)(?:里面|里头|里边|当中|之中|中间|中|里)?`)

// scopeRest is s after "whose customers" (的客户里, 跟进的客户中, or 有
// before a sentence naming 客户: 有多少VIP客户), and whether s starts so.
func scopeRest(s string) (string, bool) {
	if loc := reScope.FindStringIndex(s); loc != nil {
		return s[loc[1]:], true
	}
	if strings.HasPrefix(s, "有") && strings.Contains(s, "客户") {
		return s, true
	}
	return s, false
}

// mine is s without the asker's own scope (我的客户里, 我跟进的客户中, 我有
// 多少VIP客户), and whether s had it.
func mine(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "我")
	if !ok {
		return s, false
	}
	if rest, ok := scopeRest(rest); ok {
		return rest, true
	}
	return s, false
}

// subjectLinks may follow the customer or colleague a count question
// starts with: 多少有哪些标签, 孙七跟进的客户.
var subjectLinks = []string{"有", "是", "的", "跟进", "负责", "名下", "手上", "手里", "现在", "目前", "当前", "身上", "都", "还", "一共", "总共"}

// countSubject reads the start of s as a customer or a colleague: the
// longest whole phrase ending where a question word or tag would start
// and followed by a subjectLinks word. ok is false when there is none,
// or when the sentence does not ask about them (一共 a customer in 一共
// 有多少客户); skip is true for a colleague named outside a "whose
// customers" phrase (not a count question).
func (rq *request) countSubject(s string) (r Result, ok, skip bool) {
	ends := rq.leadEnds(s)
	for k := len(ends) - 1; k >= 0; k-- {
		name, rest := s[:ends[k].end], s[ends[k].end:]
		if !hasPrefixAny(rest, subjectLinks...) {
			continue
		}
		uids := rq.names.Members(name)
		cust := rq.names.Customer(name)
		if len(uids) > 0 {
			if scoped, ok := scopeRest(rest); ok {
				return rq.colleagueCount(name, uids, cust, scoped), true, false
			}
		}
		switch {
		case !cust && len(uids) > 0:
			return Result{}, false, true
		case !cust:
			continue
		case ends[k].named || strings.Contains(rest, "标签") || rq.question: // 王有才有多少标签, 多少有VIP吗
			return rq.tagsOf(name), true, false
		}
		return Result{}, false, false // 一共有多少客户: the name of a customer, not about them
	}
	return Result{}, false, false
}

// leadEnd is where a phrase at the start of a count question may end:
// after a question word or after a character of no known word (named).
type leadEnd struct {
	end   int
	named bool // s[:end] holds a character of no known word
}

// leadEnds are the ends of the pieces s starts with before its first tag,
// at most maxNameRunes of them.
func (rq *request) leadEnds(s string) []leadEnd {
	idx := lengthIndex(rq.names.TagNames())
	var out []leadEnd
	prev, named := pieceStart, false
	for i := 0; i < len(s) && len(out) < maxNameRunes; {
		kind, _, n := rq.countPiece(s[i:], idx, prev)
		if kind == pieceTag {
			break
		}
		named = named || kind == pieceName
		i += n
		out = append(out, leadEnd{i, named})
		prev = kind
	}
	return out
}

// colleagueCount answers a count of a colleague's customers: no command
// counts them; /stats counts the asker's (an employee's own, a manager's
// all), /stats @userid what the colleague changed, and /tags the
// customer of that name, if one is.
func (rq *request) colleagueCount(name string, uids []string, cust bool, rest string) Result {
	tags, _ := rq.countParts(rest)
	mentions := make([]string, len(uids))
	for i, u := range uids {
		mentions[i] = run(false, "stats", mention(u)).Slash
	}
	n := display.Name(rq.spelled(name))
	q := "没有按同事统计客户的命令，什么都没有改。" + tagCount(tags).Slash + " 统计的是您能看到的客户（员工是自己的客户，管理员是全部）；看" + n + "改了多少标签请发送 " + strings.Join(mentions, " 或 ") + "。"
	if cust {
		q += "看客户「" + n + "」的标签请发送 " + rq.tagsOf(name).Slash + "。"
	}
	return ask(q)
}

// tagsOf is /tags of customer c as typed, at the request's time word when
// there is one (王小明昨天有多少标签 → /tags 王小明 at:昨天; /tags says a
// time still ahead is).
func (rq *request) tagsOf(c string) Result {
	c = rq.spelled(c)
	tw := rq.tw
	if fw := commands.FutureWord(rq.s); tw == "" && fw != "" {
		tw = fw
	}
	if tw != "" && tw != "今天" {
		return run(false, "tags", word(c), filter("at", tw))
	}
	return run(false, "tags", word(c))
}
