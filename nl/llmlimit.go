package nl

import (
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Cost control of the LLM path: the same request (masked) with the same
// tag library is answered from a cache without a call, and each user may
// make at most llm.nl_per_user_per_hour calls per clock hour; past it the
// user is told to use plainer words or a command, and nothing changes.

// callCacheSize is how many answers the cache keeps.
const callCacheSize = 1024

// hourLimit counts each user's calls in the current clock hour.
type hourLimit struct {
	mu   sync.Mutex
	max  int
	hour int64
	used map[string]int
}

func newHourLimit(max int) *hourLimit { return &hourLimit{max: max, used: map[string]int{}} }

// allow counts a call of user and reports whether it is within the limit.
func (l *hourLimit) allow(user string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h := now.Unix() / 3600; h != l.hour {
		l.hour, l.used = h, map[string]int{}
	}
	if l.used[user] >= l.max {
		return false
	}
	l.used[user]++
	return true
}

// callCache keeps the tool calls answered to a request; when full, the
// oldest half is dropped.
type callCache struct {
	mu    sync.Mutex
	max   int
	order [][32]byte
	items map[[32]byte][]openai.ToolCall
}

func newCallCache(max int) *callCache {
	return &callCache{max: max, items: map[[32]byte][]openai.ToolCall{}}
}

// get returns the calls cached for key.
func (c *callCache) get(key [32]byte) ([]openai.ToolCall, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[key]
	return v, ok
}

// put caches calls for key.
func (c *callCache) put(key [32]byte, calls []openai.ToolCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; ok {
		return
	}
	if len(c.order) >= c.max {
		drop := c.order[:len(c.order)/2]
		for _, k := range drop {
			delete(c.items, k)
		}
		c.order = append([][32]byte(nil), c.order[len(drop):]...)
	}
	c.order = append(c.order, key)
	c.items[key] = calls
}
