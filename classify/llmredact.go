package classify

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Who a name passed to the LLM's redaction belongs to (LLMName.Who).
const (
	LLMWhoCustomer = "customer"
	LLMWhoEmployee = "employee"
)

// LLMName is a name, remark, userid or number that must not reach the LLM
// when llm.redact is on; it is replaced by a placeholder saying whose it is.
// 发给大模型前要替换掉的姓名、备注、userid 或号码。
type LLMName struct {
	Text string
	Who  string // LLMWhoCustomer or LLMWhoEmployee
}

// Placeholders that replace what redaction takes out of a conversation.
const (
	llmPhCustomer = "〔客户〕"
	llmPhEmployee = "〔员工〕"
	llmPhPhone    = "〔电话〕"
	llmPhNumber   = "〔号码〕"
	llmPhEmail    = "〔邮箱〕"
	llmPhID       = "〔ID〕"
)

var (
	// llmEmail finds e-mail addresses.
	llmEmail = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// llmWeComID finds external_userids (wm…, wo…) and similar WeCom ids.
	llmWeComID = regexp.MustCompile(`\bw[mob][A-Za-z0-9_\-]{10,}`)
	// llmDigits finds runs of 7 or more digits (ASCII or full-width), with
	// single spaces or dashes between them: phone numbers, ID card and
	// order numbers, bank cards.
	llmDigits = regexp.MustCompile(`\+?[0-9０-９](?:[ \-－]?[0-9０-９]){6,}[Xx]?`)
)

// llmRedactor replaces the names and ids of one conversation, then e-mails,
// WeCom ids and long numbers, with placeholders.
type llmRedactor struct {
	names *regexp.Regexp // nil when there are no names
	who   map[string]string
}

// newLLMRedactor builds the llmRedactor for names (names shorter than 2
// characters are skipped: they would take out common words). ASCII names
// (userids) are replaced only as whole words.
func newLLMRedactor(names []LLMName) *llmRedactor {
	r := &llmRedactor{who: map[string]string{}}
	var alts []string
	for _, n := range names {
		t := strings.TrimSpace(n.Text)
		if !utf8.ValidString(t) || utf8.RuneCountInString(t) < 2 || len(t) < 3 && llmWordByte(t[0]) || r.who[t] != "" {
			continue
		}
		ph := llmPhEmployee
		if n.Who == LLMWhoCustomer {
			ph = llmPhCustomer
		}
		r.who[t] = ph
		alts = append(alts, t)
	}
	if len(alts) == 0 {
		return r
	}
	// Longest first, so 李华华 is taken whole before 李华.
	sort.Slice(alts, func(i, j int) bool {
		if len(alts[i]) != len(alts[j]) {
			return len(alts[i]) > len(alts[j])
		}
		return alts[i] < alts[j]
	})
	for i, a := range alts {
		q := regexp.QuoteMeta(a)
		if llmWordByte(a[0]) {
			q = `\b` + q
		}
		if llmWordByte(a[len(a)-1]) {
			q += `\b`
		}
		alts[i] = q
	}
	// Every alternative is quoted valid UTF-8, so this compiles; if it ever
	// did not, names go unredacted rather than the process down.
	r.names, _ = regexp.Compile(strings.Join(alts, "|"))
	return r
}

func llmWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// text returns s redacted.
func (r *llmRedactor) text(s string) string {
	if r.names != nil {
		s = r.names.ReplaceAllStringFunc(s, func(m string) string { return r.who[m] })
	}
	s = llmEmail.ReplaceAllString(s, llmPhEmail)
	s = llmWeComID.ReplaceAllString(s, llmPhID)
	return llmDigits.ReplaceAllStringFunc(s, llmNumberPlaceholder)
}

// llmNumberPlaceholder tells a mainland mobile number from other numbers.
func llmNumberPlaceholder(m string) string {
	var d []rune
	for _, c := range m {
		switch {
		case '0' <= c && c <= '9':
			d = append(d, c)
		case '０' <= c && c <= '９':
			d = append(d, c-'０'+'0')
		}
	}
	s := strings.TrimPrefix(string(d), "86")
	if len(s) == 11 && s[0] == '1' || len(s) >= 10 && len(s) <= 12 && s[0] == '0' {
		return llmPhPhone
	}
	return llmPhNumber
}
