package logtest

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func TestBufferWriteString(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"empty", nil, ""},
		{"one", []string{"a=1\n"}, "a=1\n"},
		{"several", []string{"x", "", "yz", "中文"}, "xyz中文"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Buffer
			for _, w := range tt.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := b.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestBufferConcurrentLogger is meant for -race: several goroutines log
// through one slog handler while another reads.
func TestBufferConcurrentLogger(t *testing.T) {
	var b Buffer
	log := slog.New(slog.NewTextHandler(&b, nil))
	const workers, lines = 4, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				log.Info("line", "worker", w, "i", i)
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	out := b.String()
	if got := strings.Count(out, "\n"); got != workers*lines {
		t.Fatalf("%d lines logged, want %d", got, workers*lines)
	}
	for w := range workers {
		if want := fmt.Sprintf("worker=%d i=%d", w, lines-1); !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
