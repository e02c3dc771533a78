package classify

import (
	"context"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/classify/rules"
)

// loadPack compiles the pack at path with its own tags as the library.
func loadPack(t *testing.T, path string) *Engine {
	t.Helper()
	p, err := rules.LoadPack(path)
	if err != nil {
		t.Fatalf("LoadPack: %v", err)
	}
	set, err := Compile(p.Rules, NewTagNames(p.TagNames()))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return NewEngine(set, EngineOptions{})
}

func msg(text string) Input {
	return Input{Message: &Message{Customer: "wm1", From: FromCustomer, Text: text, Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}}
}

// got is the part of a Match the table compares.
type got struct {
	Rule  string
	Tags  []string
	Words []string
}

func summarize(ms []Match) []got {
	var out []got
	for _, m := range ms {
		out = append(out, got{m.Rule, m.Tags, m.Evidence.Words})
	}
	return out
}

func TestEnginePackKeywords(t *testing.T) {
	e := loadPack(t, "testdata/shop.yaml")
	tests := []struct {
		name, text string
		want       []got
	}{
		{"keyword", "这个多少钱呀", []got{{"价格咨询", []string{"价格敏感型"}, []string{"多少钱"}}}},
		{"every matched keyword", "价格是多少钱", []got{{"价格咨询", []string{"价格敏感型"}, []string{"多少钱", "价格"}}}},
		{"exclude vetoes", "我不问价格，多少钱都行", nil},
		{"all needs every word", "快递到了吗", nil},
		{"all matched", "快递要几天到", []got{{"物流", []string{"物流关注"}, []string{"快递", "几天"}}}},
		{"regex", "订单号 12345678 要退", []got{{"订单号", []string{"退款"}, []string{"订单号 12345678"}}}},
		{"priority first", "价格多少，快递几天", []got{
			{"物流", []string{"物流关注"}, []string{"快递", "几天"}},
			{"价格咨询", []string{"价格敏感型"}, []string{"价格"}},
		}},
		{"traditional and full-width", "這個價格？ＯＫ", []got{{"价格咨询", []string{"价格敏感型"}, []string{"价格"}}}},
		{"nothing", "你好", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := e.Classify(context.Background(), msg(tt.text), nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summarize(ms)); diff != "" {
				t.Errorf("Classify(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestSnippetWhole: for a text of at most snippetRunes+1 runes the
// shortcut (all the text) is what the walk around any span gives.
func TestSnippetWhole(t *testing.T) {
	for _, text := range []string{"", "价", "这个多少钱呀", "ab 价格多少 cd", "一二三四五六七八九十价", "一二三四五六七八九十价格"} {
		whole := utf8.RuneCountInString(text) <= snippetRunes+1
		var bounds []int
		for i := range text {
			bounds = append(bounds, i)
		}
		bounds = append(bounds, len(text))
		for _, start := range bounds {
			for _, end := range bounds {
				if end < start {
					continue
				}
				if got, want := snippet(text, start, end, whole), snippet(text, start, end, false); got != want {
					t.Errorf("snippet(%q, %d, %d, %v) = %q, want %q", text, start, end, whole, got, want)
				}
			}
		}
	}
}
