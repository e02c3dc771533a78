package llmtest

import (
	"encoding/json"
	"fmt"

	openai "github.com/sashabaranov/go-openai"
)

// Call is a scripted tool call of the function name. args is its JSON
// arguments: a string is sent as it is (to test malformed arguments),
// anything else is marshalled.
func Call(name string, args any) openai.ToolCall {
	raw, ok := args.(string)
	if !ok {
		b, err := json.Marshal(args)
		if err != nil {
			panic(fmt.Sprintf("llmtest.Call: %v", err))
		}
		raw = string(b)
	}
	return openai.ToolCall{Type: openai.ToolTypeFunction, Function: openai.FunctionCall{Name: name, Arguments: raw}}
}

// Calls is a Reply answering with tool calls.
func Calls(calls ...openai.ToolCall) Reply {
	for i := range calls {
		if calls[i].ID == "" {
			calls[i].ID = fmt.Sprintf("call_%d", i+1)
		}
	}
	return Reply{ToolCalls: calls, PromptTokens: 50, CompletionTokens: 10}
}

// ToolNames are the names of the tools a request offered.
func (r Request) ToolNames() []string {
	var out []string
	for _, t := range r.Chat.Tools {
		if t.Function != nil {
			out = append(out, t.Function.Name)
		}
	}
	return out
}

// choice is the response's one choice: the content, or the tool calls.
func (r Reply) choice() map[string]any {
	msg := map[string]any{"role": "assistant", "content": r.Content}
	finish := "stop"
	if len(r.ToolCalls) > 0 {
		msg["tool_calls"] = r.ToolCalls
		finish = "tool_calls"
	}
	return map[string]any{"index": 0, "finish_reason": finish, "message": msg}
}
