package classify

// What natural language (package nl) uses of the LLM assist: a chat call
// with tools on the same client, bounds and budget, and the redaction
// made reversible.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// Errors of ChatTools besides the transport's and the server's.
var (
	// ErrLLMTimeout is a call that took longer than llm.timeout.
	ErrLLMTimeout = errLLMTimeout
	// ErrLLMBudget is a call not made: llm.daily_token_budget is spent.
	ErrLLMBudget = errors.New("llm: daily token budget spent")
)

// ChatTools sends req, a chat request with tools (function calling, used
// by natural language, package nl), and returns the assistant message
// with its tool calls. It shares the assist's concurrency bound, timeout,
// daily token budget and counters; req.Model is set to llm.model. It
// neither caches nor judges the answer: the caller checks every call as
// untrusted. Failures are counted and logged like the assist's own, never
// with the request or the answer. 带工具（函数调用）的一次对话。
func (l *LLM) ChatTools(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionMessage, error) {
	if ok, first := l.budget.allow(l.now()); !ok {
		l.stats.budgetSkips.Add(1)
		if first {
			l.log.Warn("llm daily_token_budget spent until midnight (China time)", "budget", l.budget.limit)
		}
		return openai.ChatCompletionMessage{}, ErrLLMBudget
	}
	req.Model = l.model
	msg, err := l.completeMessage(ctx, req)
	if err != nil {
		l.failed(ctx, "tools", err)
	}
	return msg, err
}

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
