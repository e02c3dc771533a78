// Package clocktest provides a settable clock for tests that inject time
// through a `Now func() time.Time` option. 测试用的可设置时钟。
//
// Typical use:
//
//	clk := clocktest.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
//	st, err := store.Open(path, store.Options{Now: clk.Now})
//	...
//	clk.Advance(time.Hour)
package clocktest

import (
	"sync"
	"time"
)

// Clock is a clock that only moves when told to. Its methods are safe for
// concurrent use, so Now can be handed to code under test that runs in
// other goroutines while the test calls Advance or Set. The zero value
// reads as the zero time.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a Clock that reads t until moved.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's current time. Pass the method value c.Now where
// a `func() time.Time` is wanted.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d (backwards when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
