package bot

import (
	"context"
	"fmt"
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

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/cputime"
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
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb?"+reqs[i].query, strings.NewReader(reqs[i].body)))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.StopTimer()
	cputime.Report(b, start)
	if p, _ := st.InboxPending(0); len(p) != b.N {
		b.Fatalf("%d stored, want %d", len(p), b.N)
	}
}

// BenchmarkFeedBacklog measures one wake of the loop's feed that hands out
// one new message while backlog messages are pending and already handed
// out (their workers busy): the cost of a wake, which must not grow with
// the backlog. Run it with a fixed count, since each size builds its store:
//
//	go test -run '^$' -bench FeedBacklog -benchtime 2000x ./bot
func BenchmarkFeedBacklog(b *testing.B) {
	for _, backlog := range []int{0, 1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("backlog=%d", backlog), func(b *testing.B) {
			st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{Sync: "never"})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			put := func(i int) {
				user := "user" + strconv.Itoa(i%50)
				body := "<xml><ToUserName><![CDATA[wwbenchcorp]]></ToUserName><FromUserName><![CDATA[" + user +
					"]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/find 张三]]></Content><MsgId>" +
					strconv.Itoa(i) + "</MsgId><AgentID>1</AgentID></xml>"
				if _, _, err := st.InboxPutOrdered("m"+strconv.Itoa(i), user, []byte(body)); err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; i < backlog; i++ {
				put(i)
			}
			l := NewLoop(LoopOptions{Store: st, Handler: nopHandler{}, Sender: nopReplier{},
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			q := make(chan store.InboxRef, backlog+b.N)
			queues := []chan store.InboxRef{q}
			ctx := context.Background()
			if err := l.feed(ctx, queues); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				put(backlog + i)
				b.StartTimer()
				if err := l.feed(ctx, queues); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if len(q) != backlog+b.N {
				b.Fatalf("%d handed out, want %d", len(q), backlog+b.N)
			}
		})
	}
}

// nopHandler answers nothing.
type nopHandler struct{}

func (nopHandler) HandleText(context.Context, string, string) []commands.Reply { return nil }

func (nopHandler) HandleCard(context.Context, string, commands.CardEvent) []commands.Reply {
	return nil
}

// nopReplier sends nothing.
type nopReplier struct{}

func (nopReplier) Send(context.Context, string, []commands.Reply) {}

// BenchmarkParseMessage measures parsing one decrypted text callback (the
// server parses it before storing, the loop again before handling).
func BenchmarkParseMessage(b *testing.B) {
	body := []byte("<xml><ToUserName><![CDATA[wwbenchcorp]]></ToUserName><FromUserName><![CDATA[user007]]></FromUserName>" +
		"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[给 张三 加 VIP]]></Content>" +
		"<MsgId>1700000000123456</MsgId><AgentID>1000002</AgentID></xml>")
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		if _, err := ParseMessage(body); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cputime.Report(b, start)
}
