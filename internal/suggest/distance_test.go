package suggest

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b     string
		lev, osa int
	}{
		{"", "", 0, 0},
		{"abc", "", 3, 3},
		{"", "标签", 2, 2},
		{"tag", "tag", 0, 0},
		{"tags", "tag", 1, 1},
		{"agentid", "agent_id", 1, 1},
		{"sycn", "sync", 2, 1},
		{"ab", "ba", 2, 1},
		{"ca", "abc", 3, 3}, // OSA edits no substring twice (true Damerau would be 2)
		{"kitten", "sitting", 3, 3},
		{"flaw", "lawn", 2, 2},
		{"客户等级", "客户级别", 2, 2},
		{"高意向", "低意向", 1, 1},
		{"意向高", "意高向", 2, 1},
		{"HELP", "help", 4, 4}, // case is the caller's business
	}
	for _, tt := range tests {
		for _, p := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
			if got := Distance(p[0], p[1]); got != tt.lev {
				t.Errorf("Distance(%q, %q) = %d, want %d", p[0], p[1], got, tt.lev)
			}
			if got := OSADistance(p[0], p[1]); got != tt.osa {
				t.Errorf("OSADistance(%q, %q) = %d, want %d", p[0], p[1], got, tt.osa)
			}
		}
	}
}

// TestDistanceBounds checks the metric's basic laws on generated pairs:
// OSA never exceeds Levenshtein, and both lie between the length
// difference and the longer length.
func TestDistanceBounds(t *testing.T) {
	words := []string{"", "a", "ab", "ba", "abc", "acb", "客户", "户客", "vip", "VIP 客户", strings.Repeat("x", 40)}
	for _, a := range words {
		for _, b := range words {
			la, lb := len([]rune(a)), len([]rune(b))
			lo, hi := max(la-lb, lb-la), max(la, lb)
			lev, osa := Distance(a, b), OSADistance(a, b)
			if osa > lev || lev < lo || lev > hi || osa < lo {
				t.Errorf("%q, %q: Distance %d, OSADistance %d, want %d <= osa <= lev <= %d", a, b, lev, osa, lo, hi)
			}
			if (lev == 0) != (a == b) || (osa == 0) != (a == b) {
				t.Errorf("%q, %q: zero distance iff equal broken (lev %d, osa %d)", a, b, lev, osa)
			}
		}
	}
}
