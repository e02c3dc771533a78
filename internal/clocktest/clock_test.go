package clocktest

import (
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, config.ChinaZone)
	tests := []struct {
		name string
		move func(c *Clock)
		want time.Time
	}{
		{"unmoved", func(*Clock) {}, start},
		{"advance", func(c *Clock) { c.Advance(90 * time.Minute) }, start.Add(90 * time.Minute)},
		{"advance backwards", func(c *Clock) { c.Advance(-time.Second) }, start.Add(-time.Second)},
		{"advance twice", func(c *Clock) { c.Advance(time.Hour); c.Advance(time.Hour) }, start.Add(2 * time.Hour)},
		{"set", func(c *Clock) { c.Set(start.AddDate(1, 0, 0)) }, start.AddDate(1, 0, 0)},
		{"set then advance", func(c *Clock) { c.Set(start.Add(-time.Hour)); c.Advance(time.Minute) }, start.Add(-59 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(start)
			tt.move(c)
			got := c.Now()
			if !got.Equal(tt.want) || got.Location() != tt.want.Location() {
				t.Fatalf("Now() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestZeroValue(t *testing.T) {
	var c Clock
	if !c.Now().IsZero() {
		t.Fatalf("zero Clock reads %v", c.Now())
	}
	c.Advance(time.Second)
	if got := c.Now(); !got.Equal(time.Time{}.Add(time.Second)) {
		t.Fatalf("after Advance zero Clock reads %v", got)
	}
}

// TestConcurrent is meant for -race: readers and writers share one Clock.
func TestConcurrent(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(start)
	now := c.Now // as handed to code under test
	var wg sync.WaitGroup
	const writers, steps = 4, 100
	for range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range steps {
				c.Advance(time.Millisecond)
			}
		}()
		go func() {
			defer wg.Done()
			prev := start
			for range steps {
				cur := now()
				if cur.Before(prev) {
					t.Errorf("clock went backwards: %v after %v", cur, prev)
					return
				}
				prev = cur
			}
		}()
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(writers*steps*time.Millisecond); !got.Equal(want) {
		t.Fatalf("after concurrent Advance Now() = %v, want %v", got, want)
	}
}
