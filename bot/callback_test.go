package bot

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/internal/logtest"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// Official sample values from WeCom's 「加解密方案说明」 (see wecom/wxcrypt tests).
const (
	sampleToken    = "QDG6eK"
	sampleAESKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	sampleCorpID   = "wx5823bf96d3bd56c7"
	sampleEchoStr  = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	samplePostEncr = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

// sampleServer is a Server with the official sample configuration and no
// timestamp window, on a fresh store.
func sampleServer(t *testing.T) (*Server, *store.Store) {
	t.Helper()
	c, err := wxcrypt.New(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return NewServer(ServerOptions{Crypto: c, Store: st, Path: "/cb"}), st
}

func TestOfficialVectorsThroughHandler(t *testing.T) {
	srv, st := sampleServer(t)
	hs := httptest.NewServer(srv)
	defer hs.Close()

	q := url.Values{"msg_signature": {"5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"},
		"timestamp": {"1409659589"}, "nonce": {"263014780"}, "echostr": {sampleEchoStr}}
	resp, err := http.Get(hs.URL + "/cb?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	type answer struct {
		Status int
		Body   string
		Type   string
	}
	gotGET := answer{resp.StatusCode, string(body), strings.Split(resp.Header.Get("Content-Type"), ";")[0]}
	if diff := cmp.Diff(answer{200, "1616140317555161061", "text/plain"}, gotGET); diff != "" {
		t.Fatalf("GET (-want +got):\n%s", diff)
	}

	post := "<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><Encrypt><![CDATA[" + samplePostEncr + "]]></Encrypt>\n<AgentID><![CDATA[218]]></AgentID>\n</xml>"
	q = url.Values{"msg_signature": {"477715d11cdb4164915debcba66cb864d751f3e6"}, "timestamp": {"1409659813"}, "nonce": {"1372623149"}}
	resp, err = http.Post(hs.URL+"/cb?"+q.Encode(), "text/xml", strings.NewReader(post))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Fatalf("POST = %d %q", resp.StatusCode, body)
	}
	p, err := st.InboxPending(0)
	if err != nil || len(p) != 1 {
		t.Fatalf("inbox = %v, %v", p, err)
	}
	m, err := ParseMessage(p[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	type stored struct{ Key, MsgID, FromUserName, Content string }
	got := stored{p[0].Key, m.MsgID, m.FromUserName, m.Content}
	want := stored{"msg:4561255354251345929", "4561255354251345929", "mycreate", "hello"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("stored message (-want +got):\n%s", diff)
	}
}

// signed builds a callback request for inner XML sealed by c, with query
// and body adjustable by mut.
func signed(t *testing.T, c *wxcrypt.Crypto, inner []byte, ts time.Time, mut func(q url.Values, body *string)) *http.Request {
	t.Helper()
	enc, err := c.Seal(inner)
	if err != nil {
		t.Fatal(err)
	}
	tss := strconv.FormatInt(ts.Unix(), 10)
	q := url.Values{"msg_signature": {c.Signature(tss, "42", enc)}, "timestamp": {tss}, "nonce": {"42"}}
	body := "<xml><ToUserName><![CDATA[" + c.ReceiverID() + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt><AgentID>1</AgentID></xml>"
	if mut != nil {
		mut(q, &body)
	}
	return httptest.NewRequest(http.MethodPost, "/wecom/callback?"+q.Encode(), strings.NewReader(body))
}

func TestBadInputRejectedAndNothingStored(t *testing.T) {
	e := newEnv(t)
	o := e.fake.Options()
	other, err := wxcrypt.New(o.Token, o.EncodingAESKey, "wwothercorp")
	if err != nil {
		t.Fatal(err)
	}
	good := e.fake.CallbackText("alice", "hi", "1001")
	now := e.clk.Now()
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"wrong signature", func() *http.Request {
			return signed(t, e.crypto, good, now, func(q url.Values, _ *string) { q.Set("msg_signature", strings.Repeat("0", 40)) })
		}, http.StatusForbidden},
		{"stale timestamp", func() *http.Request { return signed(t, e.crypto, good, now.Add(-10*time.Minute), nil) }, http.StatusForbidden},
		{"future timestamp", func() *http.Request { return signed(t, e.crypto, good, now.Add(10*time.Minute), nil) }, http.StatusForbidden},
		{"missing nonce", func() *http.Request {
			return signed(t, e.crypto, good, now, func(q url.Values, _ *string) { q.Del("nonce") })
		}, http.StatusBadRequest},
		{"timestamp not a number", func() *http.Request {
			return signed(t, e.crypto, good, now, func(q url.Values, _ *string) { q.Set("timestamp", "soon") })
		}, http.StatusBadRequest},
		{"envelope not xml", func() *http.Request {
			return signed(t, e.crypto, good, now, func(_ url.Values, b *string) { *b = "{}" })
		}, http.StatusBadRequest},
		{"inner xml malformed", func() *http.Request { return signed(t, e.crypto, []byte("<xml><MsgType>text"), now, nil) }, http.StatusBadRequest},
		{"inner xml without sender", func() *http.Request {
			return signed(t, e.crypto, []byte("<xml><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>"), now, nil)
		}, http.StatusBadRequest},
		{"wrong corp id", func() *http.Request { return signed(t, other, good, now, nil) }, http.StatusForbidden},
		{"body too large", func() *http.Request {
			return signed(t, e.crypto, []byte(strings.Repeat("x", 20<<10)), now, nil)
		}, http.StatusRequestEntityTooLarge},
		{"body too large, length not announced", func() *http.Request {
			r := signed(t, e.crypto, []byte(strings.Repeat("x", 20<<10)), now, nil)
			r.ContentLength = -1
			return r
		}, http.StatusRequestEntityTooLarge},
		{"wrong method", func() *http.Request { return httptest.NewRequest(http.MethodPut, "/wecom/callback", nil) }, http.StatusMethodNotAllowed},
		{"wrong path", func() *http.Request {
			r := signed(t, e.crypto, good, now, nil)
			r.URL.Path = "/other"
			return r
		}, http.StatusNotFound},
		{"GET bad signature", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/wecom/callback?msg_signature=00&timestamp="+strconv.FormatInt(now.Unix(), 10)+"&nonce=1&echostr=abcd", nil)
		}, http.StatusForbidden},
		{"GET without echostr", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/wecom/callback?msg_signature=00&timestamp="+strconv.FormatInt(now.Unix(), 10)+"&nonce=1", nil)
		}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, tt.req())
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
			if n := e.pending(t); n != 0 {
				t.Fatalf("%d messages stored", n)
			}
		})
	}
	// The same request, unmodified, is accepted: the cases above fail for their own reason.
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, signed(t, e.crypto, good, now, nil))
	if rec.Code != 200 || e.pending(t) != 1 {
		t.Fatalf("good request: %d, pending %d", rec.Code, e.pending(t))
	}
}

func TestVerifyURLWithFake(t *testing.T) {
	e := newEnv(t)
	if err := e.fake.VerifyURL(context.Background(), e.url); err != nil {
		t.Fatal(err)
	}
}

func TestDuplicateDeliveryStoredOnce(t *testing.T) {
	e := newEnv(t)
	msg := e.fake.CallbackText("alice", "list", "777")
	for i := 0; i < 3; i++ {
		e.deliver(t, msg)
	}
	if n := e.pending(t); n != 1 {
		t.Fatalf("pending = %d, want 1", n)
	}
	e.drain(t)
	e.deliver(t, msg) // a late retry after processing is still a duplicate
	e.drain(t)
	if got := e.handler.seen("alice"); len(got) != 1 {
		t.Fatalf("handler saw %q, want one message", got)
	}
	if got := e.texts("alice"); len(got) != 1 || got[0] != "echo: list" {
		t.Fatalf("sent %q", got)
	}
}

func TestLogsCarryNoBodiesAtInfo(t *testing.T) {
	e := newEnv(t)
	logs := &logtest.Buffer{}
	info := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e.srv.log, e.loop.log, e.sender.log = info, info, info
	const secret = "客户手机13800001111的秘密备注"
	e.deliver(t, e.fake.CallbackText("alice", secret, "9001"))
	e.deliver(t, e.fake.CallbackText("alice", "panic", "9002"))
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, signed(t, e.crypto, e.fake.CallbackText("bob", secret, "9003"), e.clk.Now().Add(time.Hour), nil))
	e.drain(t)
	out := logs.String()
	if !strings.Contains(out, "callback rejected") || !strings.Contains(out, "handler panic") {
		t.Fatalf("expected info/warn/error logs, got:\n%s", out)
	}
	o := e.fake.Options()
	for _, s := range []string{secret, "13800001111", "echo:", "<xml>", "CDATA", o.Token, o.EncodingAESKey, o.Secret} {
		if strings.Contains(out, s) {
			t.Errorf("logs contain %q:\n%s", s, out)
		}
	}
}

// TestReadBody checks that readBody reads every body whole, whatever its
// announced length, and never sizes its buffer beyond bodyPrealloc from
// the announcement alone.
func TestReadBody(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		announced int64
	}{
		{"empty", 0, 0},
		{"announced", 900, 900},
		{"unknown length", 900, -1},
		{"announced too short", 900, 100},
		{"announced too long", 900, 1 << 20},
		{"larger than the preallocation", 3 * bodyPrealloc, 3 * bodyPrealloc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := strings.Repeat("a", tt.size)
			got, err := readBody(iotest.OneByteReader(strings.NewReader(want)), tt.announced)
			if err != nil || string(got) != want {
				t.Fatalf("readBody = %d bytes, %v; want %d bytes", len(got), err, tt.size)
			}
			if tt.size <= bodyPrealloc && cap(got) > bodyPrealloc+1 {
				t.Errorf("cap = %d for a body of %d announced as %d, want at most %d", cap(got), tt.size, tt.announced, bodyPrealloc+1)
			}
		})
	}
}
