package classify_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/llmtest"
)

func llmRuleMatch(name string, verify bool, tags ...string) classify.Match {
	return classify.Match{Source: classify.SourceRule, Rule: name, Tags: tags, Mode: classify.ModeSuggest, Score: 1, Verify: verify}
}

func TestCombineVerify(t *testing.T) {
	price := llmRuleMatch("价格咨询", true, "价格敏感型")
	plain := llmRuleMatch("意向", false, "高意向")
	tests := []struct {
		name     string
		verdict  llmtest.Reply
		noLLM    bool
		want     []classify.Match
		requests int
	}{
		{"supported: kept", llmtest.Reply{Content: llmtest.Verdict(true)}, false, []classify.Match{price, plain}, 1},
		{"not supported: dropped", llmtest.Reply{Content: llmtest.Verdict(false)}, false, []classify.Match{plain}, 1},
		{"error status: stands", llmtest.Reply{Status: http.StatusBadGateway}, false, []classify.Match{price, plain}, 1},
		{"malformed: stands", llmtest.Reply{Content: `{"supported":"maybe"}`}, false, []classify.Match{price, plain}, 1},
		{"no LLM: stands", llmtest.Reply{}, true, []classify.Match{price, plain}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t)
			srv.Always(tt.verdict)
			var l *classify.LLM
			if !tt.noLLM {
				l, _ = newTestLLM(t, srv, nil)
			}
			rules := llmRulesFunc(func(classify.Input) []classify.Match { return []classify.Match{price, plain} })
			in, facts := llmCustomerSays("这个多少钱")
			got, err := classify.Combine(rules, l).Classify(context.Background(), in, facts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
			reqs := srv.Requests()
			if len(reqs) != tt.requests {
				t.Fatalf("%d requests, want %d (only the Verify match is asked, and no classification)", len(reqs), tt.requests)
			}
			if len(reqs) > 0 && (!llmtest.IsVerify(reqs[0]) || !strings.Contains(reqs[0].System(), "客户画像/价格敏感型")) {
				t.Errorf("request is not a verification of 客户画像/价格敏感型:\n%s", reqs[0].System())
			}
		})
	}
}

func TestCombineAsksLLMOnlyWithoutRuleMatch(t *testing.T) {
	answer := llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.9, "想买"))}
	emp := classify.Message{Customer: "wmCUSTOMER0000001", From: classify.FromEmployee, Text: "想买吗", Time: llmT0}
	cust, facts := llmCustomerSays("想买")
	tests := []struct {
		name     string
		rules    classify.Classifier
		in       classify.Input
		wantTags [][]string
		requests int
	}{
		{"rule matched: no LLM", llmRulesFunc(func(classify.Input) []classify.Match { return []classify.Match{llmRuleMatch("r", false, "低意向")} }),
			cust, [][]string{{"低意向"}}, 0},
		{"no rule matched: LLM", llmRulesFunc(func(classify.Input) []classify.Match { return nil }), cust, [][]string{{"高意向"}}, 1},
		{"no rules at all: LLM", nil, cust, [][]string{{"高意向"}}, 1},
		{"employee message: no LLM", llmRulesFunc(func(classify.Input) []classify.Match { return nil }), classify.Input{Message: &emp}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t)
			srv.Always(answer)
			l, _ := newTestLLM(t, srv, nil)
			got, err := classify.Combine(tt.rules, l).Classify(context.Background(), tt.in, facts)
			if err != nil {
				t.Fatal(err)
			}
			var tags [][]string
			for _, m := range got {
				tags = append(tags, m.Tags)
			}
			if diff := cmp.Diff(tt.wantTags, tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			if n := len(srv.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}

type llmFailingRules struct{}

func (llmFailingRules) Classify(context.Context, classify.Input, classify.Facts) ([]classify.Match, error) {
	return nil, errors.New("rules broke")
}

func TestCombineErrors(t *testing.T) {
	in, facts := llmCustomerSays("想买")
	if _, err := classify.Combine(llmFailingRules{}, nil).Classify(context.Background(), in, facts); err == nil {
		t.Error("a rules error was swallowed")
	}
	srv := llmtest.New(t)
	l, _ := newTestLLM(t, srv, nil)
	_, err := classify.Combine(nil, l).Classify(context.Background(), in, llmFakeFacts{err: errors.New("store closed")})
	if err == nil || !strings.Contains(err.Error(), "store closed") {
		t.Errorf("error = %v, want the facts error", err)
	}
	got, err := classify.Combine(nil, nil).Classify(context.Background(), in, facts)
	if got != nil || err != nil {
		t.Errorf("Combine(nil, nil) = %v, %v; want nothing", got, err)
	}
}
