package wecom

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// tokens reads the gate's minute bucket (tests only).
func (g *gate) tokens() float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.bucket.advance(g.now())
	return g.bucket.tokens
}

func TestLimitersConfig(t *testing.T) {
	l := newLimiters(map[string]int{
		pathMarkTag:        60,
		pathMessageSend:    -1,
		pathUserGet:        0, // keeps the default
		"some/other_api":   6000,
		pathBatchGetByUser: 1,
	}, LimitOptions{Hourly: map[string]int{"some/other_api": 100_000}, Concurrency: map[string]int{pathUserGet: 2, pathMessageSend: -1}})
	tests := []struct {
		path      string
		wantRate  float64
		wantBurst float64
		want      Limits
	}{
		{pathMarkTag, 1, 1, Limits{60, 3600, DefaultConcurrency[pathMarkTag]}},
		{pathMessageSend, math.Inf(1), 1, Limits{-1, -1, -1}},
		{pathUserGet, float64(DefaultRateLimits[pathUserGet]) / 60, float64(DefaultRateLimits[pathUserGet] / 600), Limits{DefaultRateLimits[pathUserGet], 60 * DefaultRateLimits[pathUserGet], 2}},
		{"some/other_api", 100, 10, Limits{6000, 100_000, defaultConcurrency}},
		{pathBatchGetByUser, 1.0 / 60, 1, Limits{1, 60, defaultConcurrency}},
		{"unknown/path", float64(defaultRatePerMinute) / 60, defaultRatePerMinute / 600, Limits{defaultRatePerMinute, 60 * defaultRatePerMinute, defaultConcurrency}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			g := l.get(tt.path)
			if g.bucket.rate != tt.wantRate || g.bucket.burst != tt.wantBurst {
				t.Errorf("rate=%v burst=%v, want %v/%v", g.bucket.rate, g.bucket.burst, tt.wantRate, tt.wantBurst)
			}
			if got := l.limitsOf(tt.path); got != tt.want {
				t.Errorf("limits = %+v, want %+v", got, tt.want)
			}
			if l.get(tt.path) != g {
				t.Error("gate must be reused per path")
			}
		})
	}
	for path, perMin := range DefaultRateLimits {
		if perMin <= 0 || perMin > 2500 {
			t.Errorf("default for %s = %d/min, must stay within WeCom's 150k/hour average", path, perMin)
		}
		if h := l.limitsOf(path).PerHour; path != pathMarkTag && h > MaxDefaultHourly {
			t.Errorf("default hourly budget of %s = %d, over half of WeCom's 150,000", path, h)
		}
	}
	if c := DefaultConcurrency[pathMarkTag]; c >= 5 {
		t.Errorf("mark_tag default concurrency %d leaves no room under WeCom's ~5", c)
	}
}

func TestLimitersWait(t *testing.T) {
	l := newLimiters(map[string]int{pathMarkTag: 1}, LimitOptions{})
	g := l.get(pathMarkTag)
	s, err := g.acquire(context.Background())
	if err != nil {
		t.Fatalf("first call must pass the burst: %v", err)
	}
	_ = s.release(nil)
	// The next token is ~60s away: a deadline before it is refused at
	// once, without sleeping until the deadline and without taking a token.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = g.acquire(ctx)
	if !errors.Is(err, ErrRateLimited) || !IsTransient(err) {
		t.Fatalf("second call: %v, want ErrRateLimited", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("refusal came after the deadline (%v): it slept instead of refusing", ctx.Err())
	}
	if tok := g.tokens(); tok < -0.01 {
		t.Fatalf("refused call left the bucket at %.2f tokens", tok)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := g.acquire(cctx); !errors.Is(err, context.Canceled) || IsTransient(err) {
		t.Fatalf("cancelled wait: %v", err)
	}
}

// TestGateRefund: a call WeCom did not carry out (-1, 5xx, a dropped
// connection) gives its token and its hourly slot back; one it answered
// does not.
func TestGateRefund(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		refund bool
	}{
		{"ok", nil, false},
		{"system busy", &APIError{Code: -1}, true},
		{"502", &HTTPError{Status: 502}, true},
		{"refusal", &APIError{Code: 84061}, false},
		{"timeout", context.DeadlineExceeded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiters(map[string]int{pathMarkTag: 60}, LimitOptions{Hourly: map[string]int{pathMarkTag: 10}})
			g := l.get(pathMarkTag)
			s, err := g.acquire(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_ = s.release(tt.err)
			wantTok, wantHour := 0.0, 1
			if tt.refund {
				wantTok, wantHour = 1, 0
			}
			if tok := g.tokens(); math.Abs(tok-wantTok) > 0.1 || g.hour.total != wantHour {
				t.Errorf("tokens=%.2f hour=%d, want %.0f/%d", tok, g.hour.total, wantTok, wantHour)
			}
		})
	}
}

// TestGateHourlyBudget: a spent hourly budget refuses at once with the time
// the oldest call leaves the hour.
func TestGateHourlyBudget(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	l := newLimiters(map[string]int{pathMarkTag: -1}, LimitOptions{Hourly: map[string]int{pathMarkTag: 2}, Now: func() time.Time { return now }})
	g := l.get(pathMarkTag)
	for range 2 {
		s, err := g.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_ = s.release(nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := g.acquire(ctx)
	until, sent, ok := PausedUntil(err)
	if !ok || sent || !until.Equal(now.Add(3601*time.Second)) || !IsTransient(err) {
		t.Fatalf("third call: %v (until %v sent %v), want paused unsent until %v", err, until, sent, now.Add(3601*time.Second))
	}
	now = now.Add(3602 * time.Second)
	if _, err := g.acquire(ctx); err != nil {
		t.Fatalf("after the hour: %v", err)
	}
}

// TestGateConcurrency: 45033 halves the concurrency; successes raise it
// back one at a time, no faster than raiseGap.
func TestGateConcurrency(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	l := newLimiters(map[string]int{pathMarkTag: -1}, LimitOptions{Concurrency: map[string]int{pathMarkTag: 4}, Now: func() time.Time { return now }})
	g := l.get(pathMarkTag)
	var slots []*slot
	for range 4 {
		s, err := g.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		slots = append(slots, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	if _, err := g.acquire(ctx); err == nil {
		t.Fatal("a fifth call went past a concurrency of 4")
	}
	cancel()
	for _, s := range slots {
		_ = s.release(&APIError{Code: 45033})
	}
	if g.cur != 2 {
		t.Fatalf("after 45033 concurrency = %d, want 2 (halved once, not once per refusal)", g.cur)
	}
	for round := range 3 {
		now = now.Add(raiseGap)
		for range raiseEvery {
			s, err := g.acquire(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_ = s.release(nil)
		}
		if want := min(4, 3+round); g.cur != want {
			t.Fatalf("round %d: concurrency %d, want %d", round, g.cur, want)
		}
	}
}

// TestGatePause: 45009 pauses the path; after the pause one probe goes
// alone, and a probe refused again doubles the pause.
func TestGatePause(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	l := newLimiters(map[string]int{pathMarkTag: -1}, LimitOptions{Now: func() time.Time { return now }})
	g := l.get(pathMarkTag)
	s, _ := g.acquire(context.Background())
	err := s.release(&APIError{Code: 45009})
	if until, sent, ok := PausedUntil(err); !ok || !sent || !until.Equal(now.Add(time.Minute)) || Code(err) != 45009 {
		t.Fatalf("45009: %v until %v", err, until)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := g.acquire(ctx); err == nil {
		t.Fatal("a call went during the pause")
	}
	now = now.Add(time.Minute)
	probe, err := g.acquire(ctx)
	if err != nil || !probe.probe {
		t.Fatalf("after the pause: %v (probe %v)", err, probe != nil && probe.probe)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := g.acquire(short); err == nil {
		t.Fatal("a second call went beside the probe")
	}
	err = probe.release(&APIError{Code: 45009})
	if until, _, _ := PausedUntil(err); !until.Equal(now.Add(2 * time.Minute)) {
		t.Fatalf("refused probe: paused until %v, want doubled to %v", until, now.Add(2*time.Minute))
	}
	now = now.Add(2 * time.Minute)
	probe, _ = g.acquire(ctx)
	_ = probe.release(nil)
	for range 3 {
		s, err := g.acquire(ctx)
		if err != nil || s.probe {
			t.Fatalf("after a good probe: %v", err)
		}
		_ = s.release(nil)
	}
}

// TestGateHourlySeeded: calls made before a restart (HourlyUsed) count
// against the hour's budget until an hour after they were made; calls
// older than an hour or in the future are ignored.
func TestGateHourlySeeded(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	used := []UsedCalls{{At: now.Add(-2 * time.Hour), Calls: 50}, {At: now.Add(-10 * time.Minute), Calls: 2}, {At: now.Add(time.Hour), Calls: 50}}
	l := newLimiters(map[string]int{pathMarkTag: -1}, LimitOptions{Hourly: map[string]int{pathMarkTag: 3},
		HourlyUsed: map[string][]UsedCalls{pathMarkTag: used}, Now: func() time.Time { return now }})
	g := l.get(pathMarkTag)
	s, err := g.acquire(context.Background())
	if err != nil {
		t.Fatalf("first call after the restart (2 of 3 used): %v", err)
	}
	_ = s.release(nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // cannot wait the hour out: refused at once
	defer cancel()
	_, err = g.acquire(ctx)
	until, sent, ok := PausedUntil(err)
	if want := now.Add(-10*time.Minute + 3601*time.Second); !ok || sent || !until.Equal(want) {
		t.Fatalf("second call: %v (until %v), want paused unsent until %v (the seeded calls' hour)", err, until, want)
	}
}
