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
	// The next token is ~60s away: a deadline before it is refused at
	// once, without sleeping until the deadline (ctx is still live after the
	// refusal) and without keeping a reservation (the bucket is not in debt).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := l.wait(ctx, pathMarkTag)
	if !errors.Is(err, ErrRateLimited) || !IsTransient(err) {
		t.Fatalf("second call: %v, want ErrRateLimited", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("refusal came after the deadline (%v): it slept instead of refusing", ctx.Err())
	}
	if tok := l.get(pathMarkTag).Tokens(); tok < -0.5 {
		t.Fatalf("refused call left the bucket at %.2f tokens: its reservation was kept", tok)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if err := l.wait(cctx, pathMarkTag); !errors.Is(err, context.Canceled) || IsTransient(err) {
		t.Fatalf("cancelled wait: %v", err)
	}
}
