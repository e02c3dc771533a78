package classify

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/config"
)

func TestLLMCacheBounded(t *testing.T) {
	c := newLLMCache(2)
	k := func(b byte) [32]byte { return [32]byte{b} }
	c.put(k(1), "a")
	c.put(k(2), "b")
	c.get(k(1)) // 1 is now more recent than 2
	c.put(k(3), "c")
	var got []string
	for b := byte(1); b <= 3; b++ {
		if v, ok := c.get(k(b)); ok {
			got = append(got, v.(string))
		}
	}
	if diff := cmp.Diff([]string{"a", "c"}, got); diff != "" || c.len() != 2 {
		t.Errorf("after evicting the least recently used: len %d, kept (-want +got):\n%s", c.len(), diff)
	}
}

func TestLLMBudgetDays(t *testing.T) {
	day := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, config.ChinaZone) }
	b := &llmBudget{limit: 100}
	type step struct {
		at        time.Time
		spend     int64
		ok, first bool
		today     int64
	}
	steps := []step{
		{day(2, 9, 0), 60, true, false, 60},
		{day(2, 10, 0), 50, true, false, 110},  // allowed at 60, spent past the limit
		{day(2, 11, 0), 0, false, true, 110},   // the day's first refusal
		{day(2, 23, 59), 0, false, false, 110}, // refused again: not the first
		// 16:00 UTC is midnight in China: a new day.
		{time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC), 0, true, false, 0},
	}
	for i, s := range steps {
		ok, first := b.allow(s.at)
		if ok {
			b.spend(s.at, s.spend)
		}
		if got := (step{s.at, s.spend, ok, first, b.today(s.at)}); got != s {
			t.Errorf("step %d: got %+v, want %+v", i, got, s)
		}
	}
	unlimited := &llmBudget{}
	unlimited.spend(day(2, 9, 0), 1<<40)
	if ok, _ := unlimited.allow(day(2, 9, 0)); !ok {
		t.Error("a budget of 0 (no limit) refused a call")
	}
}
