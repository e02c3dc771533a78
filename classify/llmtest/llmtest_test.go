package llmtest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/tagbot/tagbot/classify/llmtest"
)

func client(base string) *openai.Client {
	c := openai.DefaultConfig("sk-x")
	c.BaseURL = base
	return openai.NewClientWithConfig(c)
}

func ask(c *openai.Client, text string) (openai.ChatCompletionResponse, error) {
	return c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:    "m",
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleSystem, Content: "sys"}, {Role: openai.ChatMessageRoleUser, Content: text}},
	})
}

func TestServer(t *testing.T) {
	srv := llmtest.New(t)
	srv.Script(
		llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("VIP", 0.5, "r")), PromptTokens: 7, CompletionTokens: 3},
		llmtest.Reply{Status: http.StatusServiceUnavailable},
	)
	srv.Always(llmtest.Reply{Content: llmtest.Verdict(false)})
	tests := []struct {
		name, base, want string
		status           int
		tokens           int
	}{
		{"scripted answer on /v1", srv.URL, `{"tags":[{"confidence":0.5,"reason":"r","tag":"VIP"}]}`, 0, 10},
		{"scripted error status", srv.URL, "", http.StatusServiceUnavailable, 0},
		{"handler after the script, without /v1", strings.TrimSuffix(srv.URL, "/v1"), `{"supported":false,"confidence":0.9,"reason":"fake"}`, 0, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := ask(client(tt.base), "hello")
			var api *openai.APIError
			switch {
			case tt.status != 0 && (!errors.As(err, &api) || api.HTTPStatusCode != tt.status):
				t.Fatalf("err = %v, want an API error with status %d", err, tt.status)
			case tt.status == 0 && err != nil:
				t.Fatal(err)
			case tt.status == 0 && (resp.Choices[0].Message.Content != tt.want || resp.Usage.TotalTokens != tt.tokens):
				t.Errorf("content %q, tokens %d; want %q, %d", resp.Choices[0].Message.Content, resp.Usage.TotalTokens, tt.want, tt.tokens)
			}
			reqs := srv.Requests()
			if len(reqs) != i+1 || reqs[i].User() != "hello" || reqs[i].System() != "sys" || reqs[i].Authorization != "Bearer sk-x" {
				t.Errorf("request %d not recorded as sent: %+v", i, reqs)
			}
		})
	}
	if _, err := http.Get(srv.URL + "/models"); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests recorded, want 3 (other paths are not chat requests)", n)
	}
}
