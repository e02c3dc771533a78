package commands

import (
	"github.com/tagbot/tagbot/internal/display"
	"regexp"
	"strings"
	"unicode"
)

// TokenKind says what a token of a command is. 参数类型。
type TokenKind uint8

// Token kinds.
const (
	Word      TokenKind = iota // a plain word or quoted text: 王小明, "王 小明", 「王 小明」
	AddTag                     // +标签 or ＋标签
	RemoveTag                  // -标签 or －标签
	Filter                     // key:value with a known key (tag, since, until, page, before, cs, at)
	Mention                    // @userid
	Pick                       // #2: a number from the last list shown
)

// Token is one argument of a command. Key is set for Filter only, in its
// canonical English form.
type Token struct {
	Kind  TokenKind
	Key   string
	Value string
}

// Command is a parsed message: Slash is false for plain text (Name empty).
type Command struct {
	Slash bool
	Name  string // after the slash, ASCII letters lowercased
	Args  []Token
}

// filterKeys maps the spellings of filter keys to their canonical name.
var filterKeys = map[string]string{
	"tag": "tag", "标签": "tag",
	"since": "since", "从": "since",
	"until": "until", "到": "until",
	"page": "page", "页": "page",
	"before": "before",
	"cs":     "cs", "变更": "cs",
	"at": "at",
}

// quotePairs are the quotes users type, opener → closer.
var quotePairs = [][2]rune{{'"', '"'}, {'「', '」'}, {'“', '”'}, {'『', '』'}}

var clockRE = regexp.MustCompile(`^\d{1,2}:\d{2}$`)

// Parse reads a message: "/cmd args…" (the slash may be full-width ／)
// or plain text. Arguments are separated by spaces; quotes ("…", 「…」,
// “…”, 『…』) keep spaces inside one argument. A date followed by a clock
// time ("2026-11-01 15:04") becomes one argument. An unclosed quote is a
// *UserError. Invisible and control characters other than spaces are
// dropped first (stripInvisible). 解析命令。
func Parse(text string) (Command, error) {
	rs := []rune(stripInvisible(text))
	var c Command
	i := skipSpace(rs, 0)
	if i < len(rs) && (rs[i] == '/' || rs[i] == '／') {
		c.Slash = true
		j := i + 1
		for j < len(rs) && !unicode.IsSpace(rs[j]) {
			j++
		}
		c.Name = foldName(string(rs[i+1 : j]))
		i = j
	}
	for i = skipSpace(rs, i); i < len(rs); i = skipSpace(rs, i) {
		tok, next, err := readToken(rs, i)
		if err != nil {
			return Command{}, err
		}
		c.Args = append(c.Args, tok)
		i = next
	}
	c.Args = mergeClock(c.Args)
	return c, nil
}

// stripInvisible drops what a user cannot see they typed (bidi marks,
// zero-width characters, controls; display.Forbidden) but keeps spaces and
// line breaks: "李\u200b华" is 李华, "高意向\u202e" is 高意向.
func stripInvisible(s string) string {
	return strings.Map(func(r rune) rune {
		if display.Forbidden(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func skipSpace(rs []rune, i int) int {
	for i < len(rs) && unicode.IsSpace(rs[i]) {
		i++
	}
	return i
}

// readToken reads the token starting at rs[i] (not a space).
func readToken(rs []rune, i int) (Token, int, error) {
	kind := Word
	switch rs[i] {
	case '+', '＋':
		kind = AddTag
	case '-', '－':
		kind = RemoveTag
	case '@', '＠':
		kind = Mention
	case '#', '＃':
		j := i + 1
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		if j > i+1 && (j == len(rs) || unicode.IsSpace(rs[j])) {
			return Token{Kind: Pick, Value: halfWidth(string(rs[i+1 : j]))}, j, nil
		}
		v, next, _, err := readBody(rs, i)
		return Token{Kind: Word, Value: v}, next, err
	}
	if kind != Word {
		v, next, quoted, err := readBody(rs, i+1)
		if err != nil {
			return Token{}, 0, err
		}
		if v == "" && !quoted {
			return Token{Kind: Word, Value: string(rs[i])}, next, nil
		}
		return Token{Kind: kind, Value: v}, next, nil
	}
	if !isOpenQuote(rs[i]) {
		if key, n := keyPrefix(rs[i:]); n > 0 {
			v, next, quoted, err := readBody(rs, i+n)
			if err != nil {
				return Token{}, 0, err
			}
			if v != "" || quoted {
				return Token{Kind: Filter, Key: key, Value: v}, next, nil
			}
			// "since: 昨天": the value follows after a space.
			if k := skipSpace(rs, next); k > next && k < len(rs) && joinsKey(rs[k:]) {
				v, next, _, err := readBody(rs, k)
				return Token{Kind: Filter, Key: key, Value: v}, next, err
			}
		}
	}
	v, next, _, err := readBody(rs, i)
	return Token{Kind: Word, Value: v}, next, err
}

// readBody reads a quoted text or a run of non-space characters at rs[i].
func readBody(rs []rune, i int) (string, int, bool, error) {
	if i < len(rs) && isOpenQuote(rs[i]) {
		closer := closerOf(rs[i])
		for j := i + 1; j < len(rs); j++ {
			if rs[j] == closer {
				return string(rs[i+1 : j]), j + 1, true, nil
			}
		}
		return "", 0, false, &UserError{Code: CodeUsage,
			Message: "引号没有配对。名字里有空格时请写成 \"王 小明\" 或 「王 小明」。"}
	}
	j := i
	for j < len(rs) && !unicode.IsSpace(rs[j]) {
		j++
	}
	return halfWidth(string(rs[i:j])), j, false, nil
}

// joinsKey reports whether the text after "key: " is the key's value: not
// a token of its own kind (+标签, @人, #2) nor another key.
func joinsKey(rs []rune) bool {
	if strings.ContainsRune("+＋-－@＠#＃", rs[0]) {
		return false
	}
	_, n := keyPrefix(rs)
	return n == 0
}

// isDigit reports an ASCII or full-width digit.
func isDigit(r rune) bool { return r >= '0' && r <= '9' || r >= '０' && r <= '９' }

// isFullWidth reports the full-width runes halfWidth maps: digits and the
// punctuation of commands and times.
func isFullWidth(r rune) bool {
	return r >= '０' && r <= '９' || strings.ContainsRune("：－／．＋＠＃", r)
}

// halfWidth maps full-width digits and ：－／．＋＠＃ to ASCII, so
// "１１－０１ １５：０４" reads as a date and "＃２" as a pick. Unquoted
// text is normalised when parsed; quoted text is kept as typed.
func halfWidth(s string) string {
	if !strings.ContainsFunc(s, isFullWidth) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isFullWidth(r) {
			return r - 0xFEE0
		}
		return r
	}, s)
}

// keyPrefix reports a known filter key followed by ':' or '：' at the start
// of rs, returning the canonical key and the runes it takes.
func keyPrefix(rs []rune) (string, int) {
	for j := 0; j < len(rs) && j <= 6; j++ {
		if rs[j] != ':' && rs[j] != '：' {
			continue
		}
		if key, ok := filterKeys[foldName(string(rs[:j]))]; ok {
			return key, j + 1
		}
		return "", 0
	}
	return "", 0
}

func isOpenQuote(r rune) bool { return closerOf(r) != 0 }

func closerOf(r rune) rune {
	for _, p := range quotePairs {
		if p[0] == r {
			return p[1]
		}
	}
	return 0
}

// mergeClock joins a date or day word and a following "15:04" into one
// argument, so "2026-11-01 15:04" and since:昨天 15:04 read as one time.
func mergeClock(args []Token) []Token {
	out := args[:0]
	for _, t := range args {
		if n := len(out); n > 0 && t.Kind == Word && clockRE.MatchString(t.Value) {
			prev := &out[n-1]
			if (prev.Kind == Word || prev.Kind == Filter && (prev.Key == "since" || prev.Key == "until" || prev.Key == "at")) &&
				isDayWord(prev.Value) {
				prev.Value += " " + t.Value
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// String formats the command so that Parse reads it back unchanged.
func (c Command) String() string {
	var b strings.Builder
	if c.Slash {
		b.WriteString("/" + c.Name)
	}
	for i, t := range c.Args {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.format(i == 0 && !c.Slash))
	}
	return b.String()
}

// Display is the command as a reply shows it back: String on one line,
// with invisible characters shown as their code, cut at display.CommandRunes.
func (c Command) Display() string { return display.Line(c.String(), display.CommandRunes) }

// format writes one token; first says it starts a plain text (where a
// leading slash would make it a command).
func (t Token) format(first bool) string {
	switch t.Kind {
	case AddTag:
		return "+" + quoteIf(t.Value, needsQuote(t.Value))
	case RemoveTag:
		return "-" + quoteIf(t.Value, needsQuote(t.Value))
	case Mention:
		return "@" + quoteIf(t.Value, needsQuote(t.Value))
	case Pick:
		return "#" + t.Value
	case Filter:
		return t.Key + ":" + quoteIf(t.Value, needsQuote(t.Value))
	}
	q := needsQuote(t.Value)
	if rs := []rune(t.Value); len(rs) > 0 {
		switch rs[0] {
		case '+', '＋', '-', '－', '@', '＠':
			q = true
		case '/', '／':
			q = q || first
		case '#', '＃':
			tok, _, _ := readToken(rs, 0)
			q = q || tok.Kind == Pick
		}
		if _, n := keyPrefix(rs); n > 0 {
			q = true
		}
	}
	return quoteIf(t.Value, q)
}

// needsQuote reports whether a value must be quoted to read back as one token.
func needsQuote(v string) bool {
	if v == "" || strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return true
	}
	r := []rune(v)[0]
	return isOpenQuote(r) || strings.ContainsFunc(v, isFullWidth)
}

// quoteIf quotes v with the first quote pair whose closer v lacks.
func quoteIf(v string, q bool) string {
	if !q {
		return v
	}
	for _, p := range quotePairs {
		if !strings.ContainsRune(v, p[1]) {
			return string(p[0]) + v + string(p[1])
		}
	}
	return `"` + v + `"`
}

// clone copies a command so its arguments can be changed.
func (c *Command) clone() Command {
	out := *c
	out.Args = append([]Token(nil), c.Args...)
	return out
}
