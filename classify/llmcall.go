package classify

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/url"

	openai "github.com/sashabaranov/go-openai"
)

// The answer comes as structured output (response_format json_schema), not
// as a tool call: it is a single JSON document in the message content with
// nothing to dispatch, the schema names the allowed tags as an enum, so a
// server that enforces schemas (OpenAI, vLLM, llama.cpp, Ollama) cannot even
// produce a tag outside the library, and there is no tool_choice to force
// (tool_choice by name is what OpenAI-compatible servers implement least
// consistently). The answer is checked as untrusted all the same.

// request builds the chat request: the system prompt, the conversation as
// JSON in the user message, and the answer's schema.
func (l *LLM) request(system string, conv []Message, name string, s llmSchema) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model: l.model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: llmConversationJSON(conv)},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: name, Schema: s, Strict: true},
		},
	}
}

// ask returns the parsed answer to req from the cache or the model; ok is
// false when there is none (budget spent, error, timeout, malformed), each
// counted and logged without the conversation or the answer.
func (l *LLM) ask(ctx context.Context, kind string, req openai.ChatCompletionRequest, parse func(string) (any, error)) (any, bool) {
	key := llmCacheKey(req)
	if v, ok := l.cache.get(key); ok {
		l.stats.cacheHits.Add(1)
		return v, true
	}
	// Checked before the call: calls already in flight may take the day a
	// little past the budget (at most max_concurrency answers).
	if ok, first := l.budget.allow(l.now()); !ok {
		l.stats.budgetSkips.Add(1)
		if first {
			l.log.Warn("llm daily_token_budget spent: rules alone until midnight (China time)", "budget", l.budget.limit)
		}
		return nil, false
	}
	content, err := l.complete(ctx, req)
	if err != nil {
		l.failed(ctx, kind, err)
		return nil, false
	}
	v, err := parse(content)
	if err != nil {
		l.stats.malformed.Add(1)
		l.log.Warn("llm answer is not the JSON asked for; rules alone stand", "kind", kind, "bytes", len(content))
		return nil, false
	}
	l.cache.put(key, v)
	return v, true
}

// complete makes one call within the concurrency bound and the timeout,
// and spends the tokens the response reports.
func (l *LLM) complete(ctx context.Context, req openai.ChatCompletionRequest) (string, error) {
	msg, err := l.completeMessage(ctx, req)
	return msg.Content, err
}

// completeMessage is complete returning the whole assistant message (its
// tool calls too).
func (l *LLM) completeMessage(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionMessage, error) {
	var none openai.ChatCompletionMessage
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return none, ctx.Err()
	}
	defer func() { <-l.sem }()
	l.stats.calls.Add(1)
	cctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	resp, err := l.client.CreateChatCompletion(cctx, req)
	if n := llmTokens(resp.Usage); n > 0 {
		l.budget.spend(l.now(), n)
		l.stats.tokens.Add(n)
	}
	if err != nil {
		if cctx.Err() != nil && ctx.Err() == nil {
			return none, errLLMTimeout
		}
		return none, err
	}
	if len(resp.Choices) == 0 {
		return none, errors.New("llm: response has no choices")
	}
	return resp.Choices[0].Message, nil
}

// errLLMTimeout is a call that took longer than llm.timeout.
var errLLMTimeout = errors.New("llm: timeout")

// tokens is what a response's usage counts.
func llmTokens(u openai.Usage) int64 {
	if u.TotalTokens > 0 {
		return int64(u.TotalTokens)
	}
	return int64(u.PromptTokens + u.CompletionTokens)
}

// failed counts and logs a failed call: the status and error type, never a
// body (an error body may echo the prompt) or the key.
func (l *LLM) failed(ctx context.Context, kind string, err error) {
	attrs := []any{"kind", kind}
	var api *openai.APIError
	var reqErr *openai.RequestError
	var uerr *url.Error
	switch {
	case errors.Is(err, errLLMTimeout):
		l.stats.timeouts.Add(1)
		l.log.Warn("llm call timed out; rules alone stand", append(attrs, "timeout", l.timeout)...)
		return
	case ctx.Err() != nil:
		attrs = append(attrs, "err", ctx.Err())
	case errors.As(err, &api):
		attrs = append(attrs, "status", api.HTTPStatusCode, "type", api.Type)
	case errors.As(err, &reqErr):
		attrs = append(attrs, "status", reqErr.HTTPStatusCode)
	case errors.As(err, &uerr):
		attrs = append(attrs, "err", uerr.Err)
	default:
		attrs = append(attrs, "err", err)
	}
	l.stats.errors.Add(1)
	l.log.Warn("llm call failed; rules alone stand", attrs...)
}

// llmCacheKey hashes what decides the answer: the model, the prompts (the
// tag list is in the system prompt, the redacted conversation in the user
// message) and the answer's schema name (the schema follows from the tag
// list).
func llmCacheKey(req openai.ChatCompletionRequest) [32]byte {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(req.Model)
	for _, m := range req.Messages {
		field(m.Role)
		field(m.Content)
	}
	if f := req.ResponseFormat; f != nil && f.JSONSchema != nil {
		field(f.JSONSchema.Name)
	}
	var key [32]byte
	h.Sum(key[:0])
	return key
}
