package classify_test

import (
	"context"
	"fmt"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/rules"
)

func ExampleNormalize() {
	fmt.Println(classify.Normalize("  這個價格多少錢？ＯＫ  "))
	// Output: 这个价格多少钱?ok
}

func ExampleEngine() {
	pack, err := rules.ParsePack([]byte(`
name: 示例
groups:
  - name: 意向
    tags: [价格敏感型]
rules:
  - name: 价格咨询
    keywords: [多少钱, 价格]
    exclude: [不问价格]
    tags: [价格敏感型]
`), "example.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := classify.Compile(pack.Rules, classify.NewTagNames(pack.TagNames()))
	if err != nil {
		fmt.Println(err)
		return
	}
	e := classify.NewEngine(set, classify.EngineOptions{})
	for _, text := range []string{"这个多少钱", "我不问价格"} {
		ms, _ := e.Classify(context.Background(), classify.Input{Message: &classify.Message{Text: text}}, nil)
		for _, m := range ms {
			fmt.Println(text, "→", m.Rule, m.Tags, m.Evidence.Words, m.Evidence.Snippet)
		}
	}
	// Output: 这个多少钱 → 价格咨询 [价格敏感型] [多少钱] 这个多少钱
}
