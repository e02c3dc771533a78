package app

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// scrape reads /metrics from the admin listener into "name{labels}" → value.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// startAdminDemo is the demo with the admin listener on a free port.
func startAdminDemo(t *testing.T) *DemoBot {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	cfg := config.Default()
	cfg.Server.AdminListen = "127.0.0.1:0"
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestMetricsAfterConversation(t *testing.T) {
	d := startAdminDemo(t)
	before := scrape(t, d.Main.AdminAddr())
	say(t, d, "/tag 王小明 +转介绍")
	say(t, d, "/undo")
	// A forged callback: no signature.
	resp, err := http.Post(d.Main.CallbackURL(), "text/xml", strings.NewReader("<xml></xml>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The same message submitted twice for classification: one accepted, one duplicate.
	msg := classify.Message{ID: "m-1", Customer: "wmDemo0002", Employee: "zhangsan", From: classify.FromCustomer, Text: "你好"}
	for i := 0; i < 2; i++ {
		if _, _, err := d.Main.Intake.Submit(context.Background(), []classify.Message{msg}, nil); err != nil {
			t.Fatal(err)
		}
	}
	after := scrape(t, d.Main.AdminAddr())

	delta := func(key string) float64 { return after[key] - before[key] }
	tests := []struct {
		metric string
		want   float64
	}{
		{`tagbot_callbacks_total{reason="none",result="accepted"}`, 2},
		{`tagbot_callbacks_total{reason="missing_params",result="rejected"}`, 1},
		{`tagbot_callbacks_total{reason="bad_signature",result="rejected"}`, 0},
		{`tagbot_callbacks_total{reason="none",result="duplicate"}`, 0},
		{`tagbot_wecom_calls_total{api="externalcontact/mark_tag",errcode="0"}`, 2},
		{`tagbot_wecom_ratelimit_wait_seconds_count{api="externalcontact/mark_tag"}`, 2},
		{`tagbot_intake_items_total{result="accepted"}`, 1},
		{`tagbot_intake_items_total{result="duplicate"}`, 1},
		{`tagbot_inbox_pending`, 0},
		{`tagbot_outbox_pending{state="queued"}`, 0},
		{`tagbot_outbox_pending{state="retrying"}`, 0},
		{`tagbot_outbox_in_flight`, 0},
		{`tagbot_outbox_failed_total{errcode="84061"}`, 0},
		{`tagbot_replies_queued`, 0},
		{`tagbot_suggestions{status="confirmed"}`, 0},
		{`tagbot_store_scrape_error`, 0},
		{`tagbot_build_info{version="dev"}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			got, ok := after[tt.metric]
			if !ok {
				t.Fatalf("%s not scraped", tt.metric)
			}
			if strings.Contains(tt.metric, "_total") || strings.Contains(tt.metric, "_count") {
				got = delta(tt.metric)
			}
			if got != tt.want {
				t.Errorf("%s = %v, want %v", tt.metric, got, tt.want)
			}
		})
	}
	if after["tagbot_store_file_bytes"] <= 0 {
		t.Errorf("tagbot_store_file_bytes = %v, want > 0", after["tagbot_store_file_bytes"])
	}
	if _, ok := after[`tagbot_suggestions{status="pending"}`]; !ok {
		t.Error(`tagbot_suggestions{status="pending"} not scraped`)
	}
	if n := after[`tagbot_wecom_calls_total{api="gettoken",errcode="0"}`]; n < 1 {
		t.Errorf("gettoken calls = %v, want ≥ 1 (the demo fetched a token)", n)
	}
	if _, ok := after["go_goroutines"]; !ok {
		t.Error("go_goroutines not scraped (Go collector)")
	}
	if n := after[`tagbot_wecom_calls_total{api="message/send",errcode="0"}`]; n < 2 {
		t.Errorf("message/send calls = %v, want ≥ 2 (the two replies)", n)
	}
}

func TestMetricsOutboxRefused(t *testing.T) {
	d := startAdminDemo(t)
	d.Fake.Fault("externalcontact/mark_tag", wecomtest.Fault{ErrCode: 84061, Times: 1})
	say(t, d, "/tag 王小明 +转介绍")
	key := `tagbot_outbox_failed_total{errcode="84061"}`
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := scrape(t, d.Main.AdminAddr())
		if m[key] == 1 && m[`tagbot_wecom_calls_total{api="externalcontact/mark_tag",errcode="84061"}`] == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v after 10 s, want 1", key, m[key])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
