package ops

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestMetricsStartAtZero: the known label sets are exported at 0 before
// anything happened (so increase() works after a restart), label values
// are snake_case, and the Go, process and build collectors are there.
func TestMetricsStartAtZero(t *testing.T) {
	st, clk := openSeeded(t)
	m := NewMetrics(st, clk.Now, slog.New(slog.DiscardHandler))
	m.InitCallbacks([][2]string{{"accepted", "none"}, {"rejected", "bad_signature"}})
	m.BuildInfo("v1.2.3")
	m.ObserveWeComCall("externalcontact/mark_tag", 45009, 30*time.Minute)
	rec := httptest.NewRecorder()
	NewAdminHandler(AdminOptions{Store: st, Metrics: m, Ready: NewReadiness(ReadyOptions{Store: st, Now: clk.Now})}).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, PathMetrics, nil))
	body := rec.Body.String()
	for _, want := range []string{
		`tagbot_callbacks_total{reason="none",result="accepted"} 0`,
		`tagbot_callbacks_total{reason="bad_signature",result="rejected"} 0`,
		`tagbot_outbox_failed_total{errcode="84061"} 0`,
		`tagbot_outbox_failed_total{errcode="60011"} 0`,
		`tagbot_intake_items_total{result="accepted"} 0`,
		`tagbot_intake_items_total{result="duplicate"} 0`,
		`tagbot_wecom_calls_total{api="gettoken",errcode="0"} 0`,
		`tagbot_build_info{version="v1.2.3"} 1`,
		`tagbot_wecom_ratelimit_wait_seconds_bucket{api="externalcontact/mark_tag",le="3600"} 1`,
		`tagbot_wecom_ratelimit_wait_seconds_bucket{api="externalcontact/mark_tag",le="600"} 0`,
		"go_goroutines ",
		"process_start_time_seconds ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
