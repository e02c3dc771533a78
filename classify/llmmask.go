package classify

import (
	"fmt"
	"strings"
)

// LLMMask is the redaction of llmredact.go made reversible: names (the
// customers a request names), e-mail addresses, WeCom ids and long numbers
// in s become numbered placeholders (〔客户1〕, 〔电话1〕, …), each distinct
// text its own, and back maps every placeholder to what it replaced, so a
// model's answer naming 〔客户1〕 can be read back as the customer. The
// natural-language LLM path (package nl) sends the masked text only.
// 可还原的脱敏：占位符带编号。
func LLMMask(s string, names []LLMName) (masked string, back map[string]string) {
	r := newLLMRedactor(names)
	back = map[string]string{}
	seen := map[string]string{}
	counts := map[string]int{}
	number := func(ph, orig string) string {
		if p, ok := seen[orig]; ok {
			return p
		}
		counts[ph]++
		p := fmt.Sprintf("%s%d〕", strings.TrimSuffix(ph, "〕"), counts[ph])
		seen[orig], back[p] = p, orig
		return p
	}
	if r.names != nil {
		s = r.names.ReplaceAllStringFunc(s, func(m string) string { return number(r.who[m], m) })
	}
	s = llmEmail.ReplaceAllStringFunc(s, func(m string) string { return number(llmPhEmail, m) })
	s = llmWeComID.ReplaceAllStringFunc(s, func(m string) string { return number(llmPhID, m) })
	s = llmDigits.ReplaceAllStringFunc(s, func(m string) string { return number(llmNumberPlaceholder(m), m) })
	return s, back
}
