package intake

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/store"
)

func TestFactsCountsOverWindows(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	day := 24 * time.Hour
	employeeMsg := msg("", "c1", "zhangsan", "色号 我们有三个", t0.Add(-time.Hour))
	employeeMsg.From = classify.FromEmployee
	_, _, err := q.SubmitFrom(context.Background(), store.ActivityAPI, []classify.Message{
		msg("", "c1", "zhangsan", "请问这个色号多少钱", t0.Add(-8*day)),
		msg("", "c1", "lisi", "ＡＢＣ色号还有吗", t0.Add(-2*day)),
		employeeMsg,
		msg("", "c2", "zhangsan", "色号", t0),                        // another customer
		msg("", "c1", "zhangsan", "色号 01 有吗", t0),                  // the input (act:5)
		msg("", "c1", "zhangsan", "色号 later", t0.Add(time.Minute)), // after the input
	}, []classify.Event{
		{Customer: "c1", Type: "coupon_claim", Time: t0.Add(-time.Hour)},
		{Customer: "c1", Type: "coupon_claim", Time: t0.Add(-3 * day)},
		{Customer: "c1", Type: "doc_view", Time: t0.Add(-time.Hour)},
	})
	must(t, err)
	in, err := s.Activity(5)
	must(t, err)
	f := newFacts(s, in, "zhangsan")
	counts := []struct {
		name   string
		word   string
		window time.Duration
		want   int
	}{
		{"7 days: the input and one earlier", "色号", 7 * day, 2},
		{"30 days: all three of the customer's", "色号", 30 * day, 3},
		{"1 minute: only the input", "色号", time.Minute, 1},
		{"full-width and case folded", "abc", 30 * day, 1},
		{"no match", "退货", 30 * day, 0},
	}
	for _, tc := range counts {
		t.Run("count "+tc.name, func(t *testing.T) {
			got, err := f.Count(tc.word, tc.window)
			must(t, err)
			if got != tc.want {
				t.Errorf("Count(%q, %v) = %d, want %d", tc.word, tc.window, got, tc.want)
			}
		})
	}
	events := []struct {
		typ    string
		window time.Duration
		want   int
	}{
		{"coupon_claim", day, 1},
		{"coupon_claim", 7 * day, 2},
		{"doc_view", 7 * day, 1},
		{"order", 7 * day, 0},
	}
	for _, tc := range events {
		t.Run("events "+tc.typ, func(t *testing.T) {
			got, err := f.Events(tc.typ, tc.window)
			must(t, err)
			if got != tc.want {
				t.Errorf("Events(%q, %v) = %d, want %d", tc.typ, tc.window, got, tc.want)
			}
		})
	}
	if _, err := f.Count("色号", 0); err == nil {
		t.Error("Count with window 0: no error")
	}
}

func TestFactsCustomerAndRecent(t *testing.T) {
	s, clk, _ := openStore(t)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	_, _, err := q.SubmitFrom(context.Background(), store.ActivityAPI, []classify.Message{
		msg("", "c1", "lisi", "给李四的", t0.Add(-3*time.Minute)),
		msg("", "c1", "zhangsan", "一", t0.Add(-2*time.Minute)),
		msg("", "c1", "", "二（客服）", t0.Add(-time.Minute)),
		msg("", "c1", "zhangsan", "三", t0),
	}, nil)
	must(t, err)
	in, err := s.Activity(4)
	must(t, err)
	f := newFacts(s, in, "zhangsan")
	wantCust := classify.CustomerFacts{ID: "c1", Name: "王小明", Added: t0.Add(-200 * 24 * time.Hour), State: "ad", Tags: []string{"高意向"}}
	if got := f.Customer(); !reflect.DeepEqual(got, wantCust) {
		t.Errorf("Customer() = %+v\nwant %+v", got, wantCust)
	}
	if got := newFacts(s, in, "lisi").Customer(); got.Tags != nil || got.State != "" {
		t.Errorf("lisi's Customer() = %+v, want no tags, no state", got)
	}
	recent, err := f.Recent(2)
	must(t, err)
	var texts []string
	for _, m := range recent {
		texts = append(texts, m.Text)
	}
	if want := []string{"二（客服）", "三"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("Recent(2) = %v, want %v", texts, want)
	}
	all, err := f.Recent(10)
	must(t, err)
	if len(all) != 3 || all[0].Text != "一" || all[2].ID != "act:4" {
		t.Errorf("Recent(10) = %+v; want 一, 二, 三 (not lisi's), the last act:4", all)
	}
}
