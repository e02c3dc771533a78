package wecom

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestLimitersConfig(t *testing.T) {
	l := newLimiters(map[string]int{
		pathMarkTag:        60,
		pathMessageSend:    -1,
		pathUserGet:        0, // keeps the default
		"some/other_api":   6000,
		pathBatchGetByUser: 1,
	})
	tests := []struct {
		path      string
		wantLimit rate.Limit
		wantBurst int
	}{
		{pathMarkTag, 1, 1},
		{pathMessageSend, rate.Inf, 1},
		{pathUserGet, rate.Limit(float64(DefaultRateLimits[pathUserGet]) / 60), DefaultRateLimits[pathUserGet] / 60},
		{"some/other_api", 100, 100},
		{pathBatchGetByUser, rate.Limit(1.0 / 60), 1},
		{"unknown/path", rate.Limit(float64(defaultRatePerMinute) / 60), defaultRatePerMinute / 60},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			lim := l.get(tt.path)
			if lim.Limit() != tt.wantLimit || lim.Burst() != tt.wantBurst {
				t.Errorf("limit=%v burst=%d, want %v/%d", lim.Limit(), lim.Burst(), tt.wantLimit, tt.wantBurst)
			}
			if l.get(tt.path) != lim {
				t.Error("limiter must be reused per path")
			}
		})
	}
	for path, perMin := range DefaultRateLimits {
		if perMin <= 0 || perMin > 2500 {
			t.Errorf("default for %s = %d/min, must stay within WeCom's 150k/hour average", path, perMin)
		}
	}
}

func TestLimitersWait(t *testing.T) {
	l := newLimiters(map[string]int{pathMarkTag: 1})
	if err := l.wait(context.Background(), pathMarkTag); err != nil {
		t.Fatalf("first call must pass the burst: %v", err)
	}
	// The next token is ~60s away: a short deadline is refused without sleeping.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err := l.wait(ctx, pathMarkTag)
	if !errors.Is(err, ErrRateLimited) || !IsTransient(err) {
		t.Fatalf("second call: %v, want ErrRateLimited", err)
	}
	if time.Since(start) > 500*time.Millisecond {
		t.Fatal("refusal should be immediate, not a sleep until the deadline")
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if err := l.wait(cctx, pathMarkTag); !errors.Is(err, context.Canceled) || IsTransient(err) {
		t.Fatalf("cancelled wait: %v", err)
	}
}
