package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/llmtest"
)

// llmFacts is Facts for one customer with no history.
type llmFacts struct{ c classify.CustomerFacts }

func (f llmFacts) Customer() classify.CustomerFacts        { return f.c }
func (llmFacts) Count(string, time.Duration) (int, error)  { return 0, nil }
func (llmFacts) Events(string, time.Duration) (int, error) { return 0, nil }
func (llmFacts) Recent(int) ([]classify.Message, error)    { return nil, nil }

func TestMainBuildsLLM(t *testing.T) {
	t.Run("off without llm:", func(t *testing.T) {
		_, cfg := fakeCompany(t)
		m, err := New(cfg, Options{Logger: discard()})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Store.Close()
		if m.LLM != nil {
			t.Errorf("Main.LLM = %v, want nil when llm.base_url is empty", m.LLM)
		}
	})
	t.Run("on: the store's library, the store's names redacted", func(t *testing.T) {
		_, cfg := fakeCompany(t)
		srv := llmtest.New(t)
		srv.Always(llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.9, "想买"), llmtest.Suggest("不存在的标签", 0.9, "x"))})
		cfg.LLM.BaseURL, cfg.LLM.Model = srv.URL, "fake"
		m, err := New(cfg, Options{Logger: discard()})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Store.Close()
		if _, err := m.Syncer.FullSync(context.Background()); err != nil {
			t.Fatal(err)
		}
		msg := classify.Message{Customer: "wmDemo0001", Employee: "zhangsan", From: classify.FromCustomer,
			Text: "王总这边想买，13800000001 联系我，找 lisi 也行", Time: time.Now()}
		facts := llmFacts{classify.CustomerFacts{ID: "wmDemo0001", Name: "王小明"}}
		got, err := classify.Combine(nil, m.LLM).Classify(context.Background(), classify.Input{Message: &msg}, facts)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Tags[0] != "高意向" || got[0].Mode != classify.ModeSuggest {
			t.Errorf("matches = %+v, want one suggestion of 高意向", got)
		}
		reqs := srv.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		if !strings.Contains(reqs[0].System(), "意向程度/高意向") {
			t.Errorf("system prompt does not list the store's library:\n%s", reqs[0].System())
		}
		for _, s := range []string{"王总", "13800000001", "lisi", "wmDemo0001"} {
			if strings.Contains(string(reqs[0].Body), s) {
				t.Errorf("request contains %q (remark, mobile, follower or id from the store)", s)
			}
		}
	})
}
