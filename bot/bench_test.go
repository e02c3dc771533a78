package bot

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// BenchmarkCallbackAck measures one encrypted text callback POSTed through
// the real handler: verify, decrypt, parse and store in a durable BuntDB
// inbox (sync every_second) before the 200. Requests are encrypted up front
// so only the server side is timed.
func BenchmarkCallbackAck(b *testing.B) {
	c, err := wxcrypt.New("benchToken", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wwbenchcorp")
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv := NewServer(ServerOptions{Crypto: c, Store: st, Path: "/cb", TimestampWindow: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	type req struct{ query, body string }
	reqs := make([]req, b.N)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	for i := range reqs {
		inner := "<xml><ToUserName><![CDATA[wwbenchcorp]]></ToUserName><FromUserName><![CDATA[user" + strconv.Itoa(i%50) +
			"]]></FromUserName><CreateTime>" + ts + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[给 张三 加 VIP]]></Content><MsgId>" +
			strconv.Itoa(1_000_000+i) + "</MsgId><AgentID>1</AgentID></xml>"
		enc, err := c.Seal([]byte(inner))
		if err != nil {
			b.Fatal(err)
		}
		nonce := strconv.Itoa(i)
		q := url.Values{"msg_signature": {c.Signature(ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}}
		reqs[i] = req{q.Encode(), "<xml><ToUserName><![CDATA[wwbenchcorp]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt><AgentID>1</AgentID></xml>"}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb?"+reqs[i].query, strings.NewReader(reqs[i].body)))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.StopTimer()
	if p, _ := st.InboxPending(0); len(p) != b.N {
		b.Fatalf("%d stored, want %d", len(p), b.N)
	}
}
