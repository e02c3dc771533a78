package bot

import (
	"context"
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
			th := newLogThrottle(1, 2, nil)
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

// floodRejected sends n requests the server rejects (405) straight to its handler.
func floodRejected(t *testing.T, e *env, n int) {
	t.Helper()
	for range n {
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/wecom/callback", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("status = %d, want 405", rec.Code)
		}
	}
}

// TestStoreFailureLoggedDuringFlood: a flood of forged requests that spent
// the warnings' budget does not hide the error line of a callback the
// store could not take (5xx).
func TestStoreFailureLoggedDuringFlood(t *testing.T) {
	e := newEnv(t)
	floodRejected(t, e, 200)
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := e.fake.Deliver(context.Background(), e.url, e.fake.CallbackText("alice", "hi", "9001"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", resp.StatusCode)
	}
	if !regexp.MustCompile(`level=ERROR .*callback rejected.*reason="callback not stored"`).MatchString(e.logs.String()) {
		t.Fatalf("no error line for the store failure after a flood:\n%s", e.logs.String())
	}
}

// TestSuppressedCountLoggedAfterFlood: when a flood stops, the number of
// lines left out is logged by the throttle's timer — one timer for the
// whole flood, not one per request.
func TestSuppressedCountLoggedAfterFlood(t *testing.T) {
	e := newEnv(t)
	var timers []func()
	e.srv.rejectLog.afterFunc = func(d time.Duration, f func()) {
		if d != logFlushAfter {
			t.Errorf("timer after %s, want logFlushAfter (%s)", d, logFlushAfter)
		}
		timers = append(timers, f)
	}
	const flood = 200
	floodRejected(t, e, flood)
	if len(timers) != 1 {
		t.Fatalf("%d timers armed for one flood, want 1", len(timers))
	}
	timers[0]()
	lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
	last := lines[len(lines)-1]
	want := "level=WARN msg=\"callback rejections not logged\" pkg=bot suppressed=" + strconv.Itoa(flood-rejectLogBurst)
	if !strings.Contains(last, want) {
		t.Fatalf("last line = %q, want it to contain %q", last, want)
	}
	// The count was logged: the next line let through has none to add,
	// and the next flood arms a new timer.
	e.clk.Advance(time.Second)
	floodRejected(t, e, 1)
	if strings.Contains(e.logs.String()[len(strings.Join(lines, "\n")):], "suppressed=") {
		t.Fatalf("count logged twice:\n%s", e.logs.String())
	}
	floodRejected(t, e, 10)
	if len(timers) != 2 {
		t.Fatalf("%d timers after a second flood, want 2", len(timers))
	}
}
