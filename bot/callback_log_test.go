package bot

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/logtest"
)

func TestLogThrottle(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	type step struct {
		at         time.Duration // since start
		ok         bool
		suppressed int
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"burst then held back", []step{{0, true, 0}, {0, true, 0}, {0, false, 0}, {0, false, 0}}},
		{"count given to the next line", []step{{0, true, 0}, {0, true, 0}, {0, false, 0}, {0, false, 0}, {time.Second, true, 2}, {time.Second, false, 0}}},
		{"count starts again", []step{{0, true, 0}, {0, true, 0}, {0, false, 0}, {time.Second, true, 1}, {2 * time.Second, true, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := newLogThrottle(1, 2)
			for i, s := range tt.steps {
				ok, n := th.allow(start.Add(s.at))
				if ok != s.ok || n != s.suppressed {
					t.Fatalf("step %d at +%s: allow = (%v, %d), want (%v, %d)", i, s.at, ok, n, s.ok, s.suppressed)
				}
			}
		})
	}
}

// TestRejectedCallbacksLogAFewLinesASecond: 200 rejected requests in one
// instant log rejectLogBurst lines; a second later the next line counts
// the rest.
func TestRejectedCallbacksLogAFewLinesASecond(t *testing.T) {
	e := newEnv(t)
	logs := &logtest.Buffer{}
	e.srv.log = slog.New(slog.NewTextHandler(logs, nil))
	put := func() {
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/wecom/callback", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("status = %d, want 405", rec.Code)
		}
	}
	const flood = 200
	for range flood {
		put()
	}
	if got := strings.Count(logs.String(), "callback rejected"); got != rejectLogBurst {
		t.Fatalf("%d requests logged %d lines, want %d", flood, got, rejectLogBurst)
	}
	e.clk.Advance(time.Second)
	put()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	last := lines[len(lines)-1]
	m := regexp.MustCompile(`suppressed=(\d+)`).FindStringSubmatch(last)
	if want := flood - rejectLogBurst; m == nil || m[1] != strconv.Itoa(want) {
		t.Fatalf("line after the flood = %q, want suppressed=%d", last, want)
	}
}

// TestServerDefaultBodyLimit: a server given no limit uses the one default,
// config.DefaultMaxBodyBytes.
func TestServerDefaultBodyLimit(t *testing.T) {
	srv, _ := sampleServer(t)
	if got := srv.opts.MaxBodyBytes; got != config.DefaultMaxBodyBytes {
		t.Fatalf("MaxBodyBytes = %d, want config.DefaultMaxBodyBytes (%d)", got, config.DefaultMaxBodyBytes)
	}
}
