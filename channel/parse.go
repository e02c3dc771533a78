package channel

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// MaxNameLen is the longest channel name (WeCom's remark of the contact
// way holds 30 characters).
const MaxNameLen = 30

// MaxWelcomeLen is the longest welcome text (send_welcome_msg text
// content: 4000 bytes).
const MaxWelcomeLen = 4000

// Actions of /qr.
const (
	actList   = "list"
	actCreate = "create"
	actDelete = "delete"
)

// request is a parsed /qr.
type request struct {
	action    string
	name      string
	tags      []string // names from +标签
	followers []string // userids from @跟进人
	welcome   string
}

// welcomeWords introduce the welcome text: `welcome "文本"`,
// `欢迎语「文本」`, `welcome:文本`.
var welcomeWords = []string{"welcome", "欢迎语"}

// deleteWords are /qr del's spellings.
var deleteWords = map[string]bool{"del": true, "delete": true, "删除": true, "删": true}

// parseArgs reads /qr's arguments: none (list), `del <渠道名>`, or
// `<渠道名> +标签… [@跟进人…] [welcome "文本"]`.
func parseArgs(args []commands.Token) (request, error) {
	if len(args) == 0 {
		return request{action: actList}, nil
	}
	if first := args[0]; first.Kind == commands.Word && deleteWords[strings.ToLower(first.Value)] {
		if len(args) != 2 || args[1].Kind != commands.Word {
			return request{}, commands.UserErrorf(commands.CodeUsage, "用法：/qr del <渠道名>。发送 /qr 查看渠道。")
		}
		name, err := checkName(args[1].Value)
		return request{action: actDelete, name: name}, err
	}
	req := request{action: actCreate}
	for i := 0; i < len(args); i++ {
		t := args[i]
		switch {
		case t.Kind == commands.AddTag:
			req.tags = appendNew(req.tags, t.Value)
		case t.Kind == commands.Mention:
			req.followers = appendNew(req.followers, t.Value)
		case t.Kind == commands.Word && isWelcome(t.Value):
			text, used, err := welcomeText(t.Value, args[i+1:])
			if err != nil {
				return request{}, err
			}
			if req.welcome != "" {
				return request{}, commands.UserErrorf(commands.CodeUsage, "欢迎语只能写一段。")
			}
			req.welcome, i = text, i+used
		case t.Kind == commands.Word && req.name == "":
			name, err := checkName(t.Value)
			if err != nil {
				return request{}, err
			}
			req.name = name
		default:
			return request{}, commands.UserErrorf(commands.CodeUsage, "看不懂「%s」。%s", display.Echo(t.Value), createUsage)
		}
	}
	switch {
	case req.name == "":
		return request{}, commands.UserErrorf(commands.CodeUsage, "请写渠道名。%s", createUsage)
	case len(req.tags) == 0:
		return request{}, commands.UserErrorf(commands.CodeUsage, "请写扫码客户要打的标签（+标签）。%s", createUsage)
	}
	return req, nil
}

const createUsage = `用法：/qr <渠道名> +标签 [@跟进人] [welcome "欢迎语"]`

// isWelcome reports whether a word is a welcome keyword, alone or
// followed by a colon or a quoted text.
func isWelcome(w string) bool {
	rest, ok := cutKeyword(w)
	return ok && (rest == "" || strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：") || opener(rest) != "")
}

// cutKeyword strips a leading welcome keyword (any letter case).
func cutKeyword(w string) (string, bool) {
	for _, k := range welcomeWords {
		if len(w) >= len(k) && strings.EqualFold(w[:len(k)], k) {
			return w[len(k):], true
		}
	}
	return w, false
}

// welcomeText reads the welcome text of keyword word (which may carry it,
// after a colon or in quotes) or of the next argument; used is how many
// of next it took.
func welcomeText(word string, next []commands.Token) (string, int, error) {
	rest, _ := cutKeyword(word)
	rest = strings.TrimLeft(rest, ":：")
	text, used := unquote(rest), 0
	if text == rest && opener(rest) != "" { // welcome:"欢迎 光临": the quote spans several arguments
		var ok bool
		if text, used, ok = joinQuoted(rest, next); !ok {
			return "", 0, commands.UserErrorf(commands.CodeUsage, `欢迎语的引号没有配对。写成 welcome "欢迎语"。`)
		}
	}
	if text == "" && used == 0 && len(next) > 0 && next[0].Kind == commands.Word {
		text, used = next[0].Value, 1
	}
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return "", 0, commands.UserErrorf(commands.CodeUsage, `欢迎语是空的。写成 welcome "欢迎语"（有空格时加引号）。`)
	case len(text) > MaxWelcomeLen:
		return "", 0, commands.UserErrorf(commands.CodeUsage, "欢迎语太长（最多 %d 字节）。", MaxWelcomeLen)
	}
	return text, used, nil
}

// quotes are the quote pairs of commands.Parse.
var quotes = [][2]string{{`"`, `"`}, {"「", "」"}, {"“", "”"}, {"『", "』"}}

// opener returns the opening quote s starts with, or "".
func opener(s string) string {
	for _, q := range quotes {
		if strings.HasPrefix(s, q[0]) {
			return q[0]
		}
	}
	return ""
}

// joinQuoted reads a quoted text that commands.Parse split at its spaces
// (the quote was not at the start of an argument): first, then as many of
// next as it takes to reach the closing quote, joined by single spaces.
// Text typed with the quote at an argument's start (welcome "…") keeps its
// spacing exactly; this is the fallback.
func joinQuoted(first string, next []commands.Token) (string, int, bool) {
	open := opener(first)
	closer := ""
	for _, q := range quotes {
		if q[0] == open {
			closer = q[1]
		}
	}
	parts := []string{first}
	for used, t := range next {
		s := tokenText(t)
		parts = append(parts, s)
		if strings.HasSuffix(s, closer) {
			joined := strings.Join(parts, " ")
			return joined[len(open) : len(joined)-len(closer)], used + 1, true
		}
	}
	return "", 0, false
}

// tokenText is an argument as typed, as near as the parsed token tells.
func tokenText(t commands.Token) string {
	switch t.Kind {
	case commands.AddTag:
		return "+" + t.Value
	case commands.RemoveTag:
		return "-" + t.Value
	case commands.Mention:
		return "@" + t.Value
	case commands.Pick:
		return "#" + t.Value
	case commands.Filter:
		return t.Key + ":" + t.Value
	}
	return t.Value
}

// unquote strips one pair of quotes around s.
func unquote(s string) string {
	for _, q := range quotes {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			return s[len(q[0]) : len(s)-len(q[1])]
		}
	}
	return s
}

// checkName validates a channel name: 1 to MaxNameLen characters, none
// of them invisible or a control.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxNameLen {
		return "", commands.UserErrorf(commands.CodeUsage, "渠道名要 1 到 %d 个字。", MaxNameLen)
	}
	for _, r := range name {
		if display.Forbidden(r) || unicode.IsControl(r) || unicode.IsSpace(r) {
			return "", commands.UserErrorf(commands.CodeUsage, "渠道名里不能有空格或看不见的字符。")
		}
	}
	return name, nil
}

// StateOf derives the state of a channel's QR code from its name: "qr-",
// the name's ASCII letters and digits (at most 12), "-" and 8 hex digits
// of the name's SHA-256 — at most 24 characters, ASCII only, so it passes
// through WeCom and URLs unchanged; the store maps it back to the name.
func StateOf(name string) string {
	var kept strings.Builder
	for _, r := range name {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) && kept.Len() < 12 {
			kept.WriteRune(r)
		}
	}
	sum := sha256.Sum256([]byte(name))
	if kept.Len() == 0 {
		return fmt.Sprintf("qr-%s", hex.EncodeToString(sum[:5]))
	}
	return fmt.Sprintf("qr-%s-%s", kept.String(), hex.EncodeToString(sum[:4]))
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
