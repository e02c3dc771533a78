package classify_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/llmtest"
	"github.com/tagbot/tagbot/config"
)

// ExampleCombine runs the rules first and asks the LLM about a customer's
// message no rule matched; what the LLM proposes is a suggestion only.
func ExampleCombine() {
	srv := llmtest.Start() // a fake OpenAI-compatible server
	defer srv.Close()
	srv.Always(llmtest.Reply{Content: `{"tags":[{"tag":"高意向","confidence":0.85,"reason":"问何时能发货"}]}`})
	llm, err := classify.NewLLM(classify.LLMOptions{
		Config: config.LLM{BaseURL: srv.URL, Model: "qwen-plus", Timeout: config.DefaultLLMTimeout,
			MaxConcurrency: 2, Redact: true},
		Tags:   func() []classify.LLMTag { return []classify.LLMTag{{Name: "高意向", Group: "意向程度"}} },
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var rules classify.Classifier // the rule engine; nil: LLM alone
	in, facts := llmCustomerSays("今天下单什么时候能发货？")
	matches, _ := classify.Combine(rules, llm).Classify(context.Background(), in, facts)
	for _, m := range matches {
		fmt.Println(m.Source, m.Tags, m.Mode, m.Score, m.Evidence.Reason)
	}
	// Output: llm [高意向] suggest 0.85 问何时能发货
}
