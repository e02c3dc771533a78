// Package llmtest is a fake OpenAI-compatible chat completions server for
// tests of the LLM assist: each test scripts what it answers (a JSON
// answer, malformed content, an error status, a delay, usage tokens) and
// reads back what was sent. 测试用的 OpenAI 兼容假服务。
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Reply is what the server answers to one request.
type Reply struct {
	// Content is the assistant message's content (the JSON answer, or
	// anything else to test malformed answers).
	Content string
	// Status, when not 0 or 200, is answered with an OpenAI error body.
	Status int
	// Delay is waited before answering (or until the client gives up).
	Delay time.Duration
	// PromptTokens and CompletionTokens are reported in usage.
	PromptTokens, CompletionTokens int
	// ToolCalls are the assistant message's tool calls (function calling;
	// see Call), answered with finish_reason "tool_calls".
	ToolCalls []openai.ToolCall
}

// Request is one request the server received.
type Request struct {
	Path          string
	Authorization string
	Body          []byte
	Chat          openai.ChatCompletionRequest // Body decoded
}

// System is the request's system prompt.
func (r Request) System() string { return r.message(openai.ChatMessageRoleSystem) }

// User is the request's user message (the conversation).
func (r Request) User() string { return r.message(openai.ChatMessageRoleUser) }

func (r Request) message(role string) string {
	for _, m := range r.Chat.Messages {
		if m.Role == role {
			return m.Content
		}
	}
	return ""
}

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	// URL is the base URL to configure as llm.base_url (ends in /v1).
	URL string

	ts       *httptest.Server
	mu       sync.Mutex
	script   []Reply
	handler  func(Request) Reply
	requests []Request
	inFlight int
	maxIn    int
}

// New starts a server (Start) that is closed when the test ends.
func New(t testing.TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a server that answers `{"tags":[]}` until scripted; Close
// stops it.
func Start() *Server {
	s := &Server{handler: func(Request) Reply { return Reply{Content: `{"tags":[]}`, PromptTokens: 10, CompletionTokens: 2} }}
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL + "/v1"
	return s
}

// Close stops the server, waiting for the requests it holds.
func (s *Server) Close() { s.ts.Close() }

// Script queues replies, answered in order before the handler.
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

// Handle sets the function that answers requests once the script is used up.
func (s *Server) Handle(fn func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = fn
}

// Always answers every request (after the script) with r.
func (s *Server) Always(r Reply) { s.Handle(func(Request) Reply { return r }) }

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxInFlight is the largest number of requests the server held at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn
}

// ServeHTTP answers POST /v1/chat/completions and /chat/completions.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || (r.URL.Path != "/v1/chat/completions" && r.URL.Path != "/chat/completions") {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	body, _ := io.ReadAll(r.Body)
	req := Request{Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), Body: body}
	if err := json.Unmarshal(body, &req.Chat); err != nil {
		writeError(w, http.StatusBadRequest, "bad json: "+err.Error())
		return
	}
	reply := s.begin(req)
	defer s.end()
	if reply.Delay > 0 {
		select {
		case <-time.After(reply.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		writeError(w, reply.Status, http.StatusText(reply.Status))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", len(s.Requests())), "object": "chat.completion", "created": 0, "model": req.Chat.Model,
		"choices": []any{reply.choice()},
		"usage": map[string]int{
			"prompt_tokens": reply.PromptTokens, "completion_tokens": reply.CompletionTokens,
			"total_tokens": reply.PromptTokens + reply.CompletionTokens,
		},
	})
}

// begin records req and picks its reply.
func (s *Server) begin(req Request) Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	s.inFlight++
	s.maxIn = max(s.maxIn, s.inFlight)
	if len(s.script) > 0 {
		r := s.script[0]
		s.script = s.script[1:]
		return r
	}
	h := s.handler
	s.mu.Unlock()
	defer s.mu.Lock()
	return h(req)
}

func (s *Server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "fake_error"}})
}

// Tag is one tag of a scripted classification answer.
type Tag struct {
	Name       string
	Confidence float64
	Reason     string
}

// Suggest is a Tag: name with its confidence and reason.
func Suggest(name string, confidence float64, reason string) Tag {
	return Tag{Name: name, Confidence: confidence, Reason: reason}
}

// Tags returns a classification answer naming tags.
func Tags(tags ...Tag) string {
	items := make([]map[string]any, len(tags))
	for i, t := range tags {
		items[i] = map[string]any{"tag": t.Name, "confidence": t.Confidence, "reason": t.Reason}
	}
	b, _ := json.Marshal(map[string]any{"tags": items})
	return string(b)
}

// Verdict returns a verification answer.
func Verdict(supported bool) string {
	return fmt.Sprintf(`{"supported":%t,"confidence":0.9,"reason":"fake"}`, supported)
}

// IsVerify reports whether req asks for a verification (not tags).
func IsVerify(req Request) bool {
	f := req.Chat.ResponseFormat
	return f != nil && f.JSONSchema != nil && strings.Contains(f.JSONSchema.Name, "verdict")
}
