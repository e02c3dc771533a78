package ierr

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/internal/logtest"
)

func TestNumbers(t *testing.T) {
	start := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	base := uint64(start.Sub(epoch) / tick)
	tests := []struct {
		name  string
		steps []time.Duration // clock advance before each Next
		want  []uint64
	}{
		{"one per tick", []time.Duration{0, tick, tick}, []uint64{base, base + 1, base + 2}},
		{"burst in one tick counts up", []time.Duration{0, 0, 0}, []uint64{base, base + 1, base + 2}},
		{"clock catches up after a burst", []time.Duration{0, 0, 0, 10 * tick}, []uint64{base, base + 1, base + 2, base + 10}},
		{"clock set back never repeats", []time.Duration{0, -time.Hour, -time.Hour}, []uint64{base, base + 1, base + 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clocktest.New(start)
			n := NewNumbers(clk.Now)
			var got []uint64
			for _, d := range tt.steps {
				clk.Advance(d)
				got = append(got, n.Next())
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("numbers = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestNumbersUniqueAcrossRestart: a process restarted a second later starts
// above every number the previous one gave out at up to ten a second.
func TestNumbersUniqueAcrossRestart(t *testing.T) {
	clk := clocktest.New(time.Date(2027, 5, 1, 8, 0, 0, 0, time.UTC))
	first := NewNumbers(clk.Now)
	seen := map[uint64]bool{}
	for range 50 { // five seconds at ten a second
		seen[first.Next()] = true
		clk.Advance(tick)
	}
	clk.Advance(time.Second) // the restart
	second := NewNumbers(clk.Now)
	for range 50 {
		if n := second.Next(); seen[n] {
			t.Fatalf("number %d given out again after the restart", n)
		}
	}
}

func TestNumbersConcurrent(t *testing.T) {
	n := NewNumbers(clocktest.New(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)).Now)
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				id := n.Next()
				mu.Lock()
				if seen[id] {
					t.Errorf("number %d handed out twice", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestReport(t *testing.T) {
	logs := &logtest.Buffer{}
	n := NewNumbers(clocktest.New(time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)).Now)
	text := n.Report(context.Background(), slog.New(slog.NewTextHandler(logs, nil)), "command failed", errors.New("database closed"))
	m := regexp.MustCompile(`^内部错误（编号 (\d+)），请稍后再试$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("text = %q, want 内部错误（编号 N），请稍后再试", text)
	}
	if m[1] != strconv.Itoa(100) {
		t.Errorf("number = %s, want 100 (ten seconds after the epoch)", m[1])
	}
	got := logs.String()
	for _, want := range []string{"level=ERROR", "command failed", "error_id=" + m[1], "database closed"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q: %s", want, got)
		}
	}
}
