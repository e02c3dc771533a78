package classify

import (
	"context"
	"errors"

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
