package bulk

import (
	"strings"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// Request is a parsed /bulk: the selection and the tags to add and remove
// (names as typed).
type Request struct {
	Select      Node
	Add, Remove []string
}

// maxTerms bounds a selection (terms and parentheses), so one message
// cannot build a huge expression.
const maxTerms = 64

// Words joining the terms of a selection (as /export reads them).
var (
	wordAnd = map[string]bool{"and": true, "且": true, "并且": true, "和": true, "&&": true}
	wordOr  = map[string]bool{"or": true, "或": true, "或者": true, "||": true}
	wordNot = map[string]bool{"not": true, "非": true, "不含": true, "没有": true, "!": true}
	// stateKeys spell state:; the commands tokenizer leaves it a word.
	stateKeys = []string{"state:", "状态:", "渠道:"}
)

// lexKind is the kind of a lexeme of a selection.
type lexKind uint8

const (
	lexAtom lexKind = iota
	lexAnd
	lexOr
	lexNot
	lexOpen
	lexClose
)

// lexeme is one piece of a selection: an operator, a parenthesis or an
// atom (a Node without operators).
type lexeme struct {
	kind lexKind
	atom Node
	text string // as typed, for errors
}

// Parse reads /bulk's arguments: a selection (tag:A, @userid, since:…,
// until:…, state:…, joined with and / or / not and parentheses; "and" may
// be left out) and the changes (+标签 -标签). now and loc read time words.
// Errors are *commands.UserError in Chinese. 解析 /bulk 参数。
func Parse(args []commands.Token, now time.Time, loc *time.Location) (Request, error) {
	var req Request
	var lx []lexeme
	for _, t := range args {
		switch t.Kind {
		case commands.AddTag:
			req.Add = append(req.Add, t.Value)
			continue
		case commands.RemoveTag:
			req.Remove = append(req.Remove, t.Value)
			continue
		}
		var err error
		if lx, err = lexToken(lx, t, now, loc); err != nil {
			return Request{}, err
		}
		if len(lx) > maxTerms {
			return Request{}, commands.UserErrorf(commands.CodeUsage, "条件太长（最多 %d 项），请拆成几次 /bulk。", maxTerms)
		}
	}
	if len(req.Add) == 0 && len(req.Remove) == 0 {
		return Request{}, commands.UserErrorf(commands.CodeUsage, "请写要加的 +标签 或要去掉的 -标签，例如 /bulk tag:老客户 and not tag:已流失 +双十一。")
	}
	if len(lx) == 0 {
		return Request{}, commands.UserErrorf(commands.CodeUsage, "请写要改哪些客户，例如 tag:老客户、@zhangsan、since:上个月、state:展会；可用 and、or、not 和括号组合。")
	}
	p := parser{lx: lx}
	n, err := p.or()
	if err != nil {
		return Request{}, err
	}
	if p.i < len(lx) { // only a stray ")" stops the parser early
		return Request{}, commands.UserErrorf(commands.CodeUsage, "多了一个右括号「)」，请检查括号是否配对。")
	}
	req.Select = n
	return req, nil
}

// lexToken appends the lexemes of one command token: parentheses typed
// against a word ("(tag:A", "tag:B)") are split off it.
func lexToken(lx []lexeme, t commands.Token, now time.Time, loc *time.Location) ([]lexeme, error) {
	if t.Kind == commands.Word {
		v := t.Value
		for strings.HasPrefix(v, "(") || strings.HasPrefix(v, "（") {
			lx = append(lx, lexeme{kind: lexOpen, text: "("})
			_, size := firstRune(v)
			v = v[size:]
		}
		if v == "" {
			return lx, nil
		}
		if v != t.Value { // "(tag:A": read the rest as the tokenizer would
			cmd, err := commands.Parse(v)
			if err != nil {
				return nil, err
			}
			for _, sub := range cmd.Args {
				if lx, err = lexToken(lx, sub, now, loc); err != nil {
					return nil, err
				}
			}
			return lx, nil
		}
	}
	v, closes := splitClose(t.Value)
	t.Value = v
	lx, err := lexBare(lx, t, now, loc)
	for ; err == nil && closes > 0; closes-- {
		lx = append(lx, lexeme{kind: lexClose, text: ")"})
	}
	return lx, err
}

// splitClose cuts the ")" a user typed against a value: those beyond the
// value's own "(" ("客户(VIP)" keeps its parenthesis).
func splitClose(v string) (string, int) {
	extra := strings.Count(v, ")") + strings.Count(v, "）") - strings.Count(v, "(") - strings.Count(v, "（")
	n := 0
	for ; n < extra; n++ {
		trim, ok := strings.CutSuffix(v, ")")
		if !ok {
			if trim, ok = strings.CutSuffix(v, "）"); !ok {
				break
			}
		}
		v = trim
	}
	return v, n
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// lexBare reads one token with no parentheses around it.
func lexBare(lx []lexeme, t commands.Token, now time.Time, loc *time.Location) ([]lexeme, error) {
	word := strings.ToLower(t.Value)
	switch t.Kind {
	case commands.Word:
		switch {
		case t.Value == "":
			return lx, nil
		case wordAnd[word]:
			return append(lx, lexeme{kind: lexAnd, text: t.Value}), nil
		case wordOr[word]:
			return append(lx, lexeme{kind: lexOr, text: t.Value}), nil
		case wordNot[word]:
			return append(lx, lexeme{kind: lexNot, text: t.Value}), nil
		}
		for _, k := range stateKeys {
			if len(word) >= len(k) && strings.EqualFold(t.Value[:len(k)], k) {
				v := strings.TrimSpace(t.Value[len(k):])
				if v == "" {
					return nil, commands.UserErrorf(commands.CodeUsage, "state: 后面要写渠道的 state 值，例如 state:展会2026。")
				}
				return append(lx, lexeme{atom: State{Value: v}, text: t.Value}), nil
			}
		}
		return nil, commands.UserErrorf(commands.CodeUsage, "看不懂「%s」。条件请写 tag:标签、@成员、since:日期、until:日期 或 state:渠道，用 and、or、not 和括号组合。",
			display.Echo(t.Value))
	case commands.Mention:
		if strings.TrimSpace(t.Value) == "" {
			return nil, commands.UserErrorf(commands.CodeUsage, "@ 后面要写成员的 userid，例如 @zhangsan。")
		}
		return append(lx, lexeme{atom: Follower{UserID: t.Value}, text: "@" + t.Value}), nil
	case commands.Filter:
		return lexFilter(lx, t, now, loc)
	}
	return nil, commands.UserErrorf(commands.CodeUsage, "/bulk 不用 #编号 选客户，请写条件，例如 tag:老客户 或 @zhangsan。")
}

// lexFilter reads tag:, since: and until:.
func lexFilter(lx []lexeme, t commands.Token, now time.Time, loc *time.Location) ([]lexeme, error) {
	v := strings.TrimSpace(t.Value)
	text := t.Key + ":" + t.Value
	switch t.Key {
	case "tag":
		if v == "" {
			return nil, commands.UserErrorf(commands.CodeUsage, "tag: 后面要写标签名，例如 tag:老客户。")
		}
		return append(lx, lexeme{atom: Tag{Name: v}, text: text}), nil
	case "since", "until":
		span, err := commands.ParseTime(v, now, loc)
		if err != nil {
			return nil, err
		}
		if t.Key == "since" {
			return append(lx, lexeme{atom: Since{At: span.From, Text: v}, text: text}), nil
		}
		return append(lx, lexeme{atom: Until{At: span.To, Text: v}, text: text}), nil
	}
	return nil, commands.UserErrorf(commands.CodeUsage, "/bulk 的条件里不能用 %s:。可以用 tag:、since:、until:、state: 和 @成员。", display.Echo(t.Key))
}

// parser is a recursive-descent parser over the lexemes:
//
//	or    = and { "or" and }
//	and   = unary { ["and"] unary }
//	unary = "not" unary | "(" or ")" | atom
type parser struct {
	lx []lexeme
	i  int
}

func (p *parser) peek() (lexeme, bool) {
	if p.i < len(p.lx) {
		return p.lx[p.i], true
	}
	return lexeme{}, false
}

func (p *parser) or() (Node, error) {
	var terms []Node
	for {
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
		if l, ok := p.peek(); !ok || l.kind != lexOr {
			break
		}
		p.i++
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return Or{Terms: terms}, nil
}

func (p *parser) and() (Node, error) {
	var terms []Node
	for {
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
		l, ok := p.peek()
		if ok && l.kind == lexAnd {
			p.i++
			continue
		}
		if !ok || l.kind == lexOr || l.kind == lexClose {
			break
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return And{Terms: terms}, nil
}

func (p *parser) unary() (Node, error) {
	l, ok := p.peek()
	if !ok {
		return nil, commands.UserErrorf(commands.CodeUsage, "条件没写完：and、or、not 后面要跟条件，例如 not tag:已流失。")
	}
	p.i++
	switch l.kind {
	case lexNot:
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	case lexOpen:
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c, ok := p.peek(); !ok || c.kind != lexClose {
			return nil, commands.UserErrorf(commands.CodeUsage, "括号没有配对：少了右括号「)」。")
		}
		p.i++
		return x, nil
	case lexAtom:
		return l.atom, nil
	case lexClose:
		return nil, commands.UserErrorf(commands.CodeUsage, "括号里没有条件，或多了一个右括号「)」。")
	}
	return nil, commands.UserErrorf(commands.CodeUsage, "「%s」前面要有条件，例如 tag:A %s tag:B。", display.Echo(l.text), display.Echo(l.text))
}
