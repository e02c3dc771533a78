package classify

import (
	"container/list"
	"sync"
	"time"

	"github.com/tagbot/tagbot/config"
)

// llmCache is a bounded LRU of parsed LLM answers keyed by the hash of what
// was sent (the redacted conversation, the tag list, the question).
type llmCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recently used; values are *llmCacheEntry
	items map[[32]byte]*list.Element
}

type llmCacheEntry struct {
	key   [32]byte
	value any
}

func newLLMCache(max int) *llmCache {
	return &llmCache{max: max, order: list.New(), items: map[[32]byte]*list.Element{}}
}

// get returns the cached answer for key, marking it recently used.
func (c *llmCache) get(key [32]byte) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*llmCacheEntry).value, true
}

// put stores an answer, evicting the least recently used past max.
func (c *llmCache) put(key [32]byte, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*llmCacheEntry).value = value
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&llmCacheEntry{key: key, value: value})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*llmCacheEntry).key)
	}
}

// len is the number of cached answers.
func (c *llmCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// llmBudget counts the tokens of one day in China time (config.ChinaZone)
// and says whether another call may be made.
type llmBudget struct {
	mu     sync.Mutex
	limit  int64 // 0: no limit
	day    string
	used   int64
	warned bool // today's first refusal was reported
}

// roll starts a new day's count when now is past local midnight.
func (b *llmBudget) roll(now time.Time) {
	if d := now.In(config.ChinaZone).Format(time.DateOnly); d != b.day {
		b.day, b.used, b.warned = d, 0, false
	}
}

// allow reports whether today's tokens are still under the limit; first
// is true for the day's first refusal.
func (b *llmBudget) allow(now time.Time) (ok, first bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	if b.limit == 0 || b.used < b.limit {
		return true, false
	}
	first = !b.warned
	b.warned = true
	return false, first
}

// spend adds n tokens to today's count.
func (b *llmBudget) spend(now time.Time, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	b.used += n
}

// today is the number of tokens used today.
func (b *llmBudget) today(now time.Time) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	return b.used
}
