package ops

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		tokenFault bool          // the fake WeCom refuses gettoken
		pending    bool          // a change-set leaves an outbox call pending
		inbox      bool          // a callback is received and not processed
		advance    time.Duration // then the clock moves on
		wantStatus int
		want       map[string]bool // check name → ok
	}{
		{"all well", false, false, false, 0, http.StatusOK, map[string]bool{"store": true, "wecom_token": true, "inbox": true, "outbox": true}},
		{"token refused", true, false, false, 0, http.StatusServiceUnavailable, map[string]bool{"store": true, "wecom_token": false, "inbox": true, "outbox": true}},
		{"outbox call young", false, true, false, time.Minute, http.StatusOK, map[string]bool{"store": true, "wecom_token": true, "inbox": true, "outbox": true}},
		{"outbox stuck", false, true, false, 20 * time.Minute, http.StatusServiceUnavailable, map[string]bool{"store": true, "wecom_token": true, "inbox": true, "outbox": false}},
		{"callback waiting briefly", false, false, true, time.Minute, http.StatusOK, map[string]bool{"store": true, "wecom_token": true, "inbox": true, "outbox": true}},
		{"callbacks not processed", false, false, true, 6 * time.Minute, http.StatusServiceUnavailable, map[string]bool{"store": true, "wecom_token": true, "inbox": false, "outbox": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, clk := openSeeded(t)
			// openSeeded's change-sets queued outbox calls; a running worker
			// would have sent them: drain them as done.
			drain(t, st)
			if tt.pending {
				if _, err := st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceCommand, Customer: "c2", Follower: "zhangsan",
					Add: []store.TagRef{{ID: "t1"}}}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.inbox {
				if _, _, err := st.InboxPut("msg-1", []byte("<xml/>")); err != nil {
					t.Fatal(err)
				}
			}
			clk.Advance(tt.advance)
			fake := wecomtest.New(wecomtest.Options{})
			t.Cleanup(fake.Close)
			if tt.tokenFault {
				fake.Fault("gettoken", wecomtest.Fault{ErrCode: 40001, ErrMsg: "invalid credential"})
			}
			o := fake.Options()
			api, err := wecom.New(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, APIBase: fake.URL(), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			h := NewAdminHandler(AdminOptions{Store: st, Metrics: NewMetrics(st, clk.Now, slog.New(slog.DiscardHandler)),
				Ready: NewReadiness(ReadyOptions{Store: st, Token: api.TokenReady, Now: clk.Now}), Logger: slog.New(slog.DiscardHandler)})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, PathReadyz, nil))
			var rep ReadyReport
			if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			got := map[string]bool{}
			for _, c := range rep.Checks {
				got[c.Name] = c.OK
				if !c.OK && c.Error == "" {
					t.Errorf("check %s failed without saying why", c.Name)
				}
			}
			if rec.Code != tt.wantStatus || !cmp.Equal(tt.want, got) || rep.Ready != (tt.wantStatus == http.StatusOK) {
				t.Errorf("status %d ready %v checks %v (%s), want %d %v", rec.Code, rep.Ready, got, rec.Body, tt.wantStatus, tt.want)
			}
		})
	}
}

// drain marks every pending outbox call done, as the worker would.
func drain(t *testing.T, st *store.Store) {
	t.Helper()
	pending, err := st.PendingOutbox(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pending {
		must(t, st.OutboxDone(e.ID))
	}
}

// TestReadyOutboxProgress: an old queue that keeps moving (a bulk past
// the hourly budget) or that WeCom paused is not stuck; one that stopped
// moving is, and says for how long.
func TestReadyOutboxProgress(t *testing.T) {
	tests := []struct {
		name      string
		finished  time.Duration // before the check; 0: nothing finished since start
		heldFor   time.Duration // WeCom's pause still running at the check
		wantReady bool
	}{
		{"moving", time.Minute, 0, true},
		{"paused by WeCom", 20 * time.Minute, 30 * time.Minute, true},
		{"stopped", 20 * time.Minute, 0, false},
		{"nothing finished since start", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, clk := openSeeded(t)
			drain(t, st)
			if _, err := st.Apply(store.ChangeSet{Actor: "zhangsan", Source: store.SourceCommand, Customer: "c2", Follower: "zhangsan",
				Add: []store.TagRef{{ID: "t1"}}}); err != nil {
				t.Fatal(err)
			}
			var p OutboxProgress
			r := NewReadiness(ReadyOptions{Store: st, Now: clk.Now, Outbox: func() OutboxProgress { return p }})
			clk.Advance(time.Hour) // the oldest call is an hour old at the check
			if tt.finished > 0 {
				p.LastFinished = clk.Now().Add(-tt.finished)
			}
			if tt.heldFor > 0 {
				p.HeldUntil = clk.Now().Add(tt.heldFor)
			}
			rep := r.Check(context.Background())
			if rep.Ready != tt.wantReady {
				t.Fatalf("ready %v, want %v: %+v", rep.Ready, tt.wantReady, rep.Checks)
			}
			if !tt.wantReady && !strings.Contains(rep.Checks[len(rep.Checks)-1].Error, "1 WeCom calls pending, the oldest for 1h0m0s") {
				t.Errorf("error %q does not say what is stuck", rep.Checks[len(rep.Checks)-1].Error)
			}
		})
	}
}

func TestReadyTokenCached(t *testing.T) {
	st, clk := openSeeded(t)
	calls := 0
	r := NewReadiness(ReadyOptions{Store: st, Now: clk.Now, Token: func(context.Context) error { calls++; return nil }})
	for i := 0; i < 5; i++ {
		r.Check(context.Background())
		clk.Advance(time.Second)
	}
	if calls != 1 {
		t.Errorf("token asked %d times in 5 s, want 1 (cached for %s)", calls, DefaultTokenTTL)
	}
	clk.Advance(DefaultTokenTTL)
	r.Check(context.Background())
	if calls != 2 {
		t.Errorf("token asked %d times after the TTL, want 2", calls)
	}
}

// TestAdminHandlerServesNoData: the TCP admin handler serves metrics and
// probes to anyone and the store's data to no one, loopback included; the
// socket handler serves the data.
func TestAdminHandlerServesNoData(t *testing.T) {
	st, clk := openSeeded(t)
	opts := AdminOptions{Store: st, Metrics: NewMetrics(st, clk.Now, slog.New(slog.DiscardHandler)),
		Ready: NewReadiness(ReadyOptions{Store: st, Now: clk.Now}), Logger: slog.New(slog.DiscardHandler),
		Status: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("{}")) })}
	tcp, sock := NewAdminHandler(opts), NewSocketHandler(opts)
	tests := []struct {
		name, method, path string
		tcp, sock          int
	}{
		{"backup", http.MethodPost, PathBackup, http.StatusNotFound, http.StatusOK},
		{"backup by GET", http.MethodGet, PathBackup, http.StatusNotFound, http.StatusMethodNotAllowed},
		{"export", http.MethodGet, PathExport + "?what=customers", http.StatusNotFound, http.StatusOK},
		{"export bad query", http.MethodGet, PathExport + "?what=x", http.StatusNotFound, http.StatusBadRequest},
		{"status", http.MethodGet, PathStatus, http.StatusNotFound, http.StatusOK},
		{"metrics", http.MethodGet, PathMetrics, http.StatusOK, http.StatusNotFound},
		{"healthz", http.MethodGet, PathHealthz, http.StatusOK, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, h := range []struct {
				name string
				h    http.Handler
				want int
			}{{"tcp", tcp, tt.tcp}, {"socket", sock, tt.sock}} {
				req := httptest.NewRequest(tt.method, tt.path, nil)
				req.RemoteAddr, req.Host = "127.0.0.1:5000", "127.0.0.1:9090"
				rec := httptest.NewRecorder()
				h.h.ServeHTTP(rec, req)
				if rec.Code != h.want {
					t.Errorf("%s: status %d, want %d (%.100s)", h.name, rec.Code, h.want, rec.Body)
				}
				if h.name == "tcp" && h.want == http.StatusNotFound && !strings.Contains(rec.Body.String(), "admin socket") {
					t.Errorf("tcp 404 body %q, want a pointer to the admin socket", rec.Body)
				}
			}
		})
	}
}

func TestBackupEndpointIsAStore(t *testing.T) {
	st, _ := openSeeded(t)
	h := NewSocketHandler(AdminOptions{Store: st, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+PathBackup, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := t.TempDir() + "/copy.db"
	if err := store.WriteFileAtomic(out, func(w io.Writer) error { _, err := io.Copy(w, resp.Body); return err }); err != nil {
		t.Fatal(err)
	}
	cp, err := store.Open(out, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if err := cp.Verify(); err != nil {
		t.Fatal(err)
	}
	for id := store.ID(1); id <= 4; id++ {
		a, err1 := st.Get(id)
		b, err2 := cp.Get(id)
		if err1 != nil || err2 != nil || !cmp.Equal(a, b) {
			t.Errorf("change-set %d: %v %v %s", id, err1, err2, cmp.Diff(a, b))
		}
	}
}
