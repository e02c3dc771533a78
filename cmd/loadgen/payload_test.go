package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/bot"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// TestRequestsDecrypt checks that requests built before the run and as
// they are sent are the same kind of callback: a POST to the target that
// the target's crypto verifies and decrypts into a text message from the
// expected sender, each with a MsgId of its own.
func TestRequestsDecrypt(t *testing.T) {
	crypto, err := wxcrypt.New("T", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "ww1")
	if err != nil {
		t.Fatal(err)
	}
	c := config{rate: 10, duration: time.Second, users: 3, texts: []string{"短", "a much longer text, 比前一条长得多的一条消息"}}
	b, err := newBuilder(c, "http://127.0.0.1:1/cb?x=1", crypto)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := prebuild(b, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer pre.close()
	for _, tt := range []struct {
		name string
		r    *requests
	}{{"prebuilt", &requests{b: b, pre: pre}}, {"built as sent", &requests{b: b}}} {
		t.Run(tt.name, func(t *testing.T) {
			ids := map[string]bool{}
			for i := 0; i < 10; i++ {
				raw, err := tt.r.get(i, nil)
				if err != nil {
					t.Fatal(err)
				}
				m := decryptRequest(t, crypto, raw)
				if want := c.sender(i); m.FromUserName != want || m.Content != c.text(i) {
					t.Errorf("request %d: from %q text %q, want %q and %q", i, m.FromUserName, m.Content, want, c.text(i))
				}
				if ids[m.MsgID] {
					t.Errorf("request %d repeats MsgId %s", i, m.MsgID)
				}
				ids[m.MsgID] = true
			}
		})
	}
}

// decryptRequest reads raw as an HTTP request to /cb?x=1&… and decrypts it.
func decryptRequest(t *testing.T, crypto *wxcrypt.Crypto, raw []byte) bot.Message {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("not an HTTP request: %v\n%s", err, raw)
	}
	q := req.URL.Query()
	if req.Method != http.MethodPost || req.URL.Path != "/cb" || q.Get("x") != "1" || req.Host != "127.0.0.1:1" {
		t.Fatalf("request %s %s to %s", req.Method, req.URL, req.Host)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil || int64(len(body)) != req.ContentLength {
		t.Fatalf("body of %d bytes, Content-Length %d: %v", len(body), req.ContentLength, err)
	}
	plain, err := crypto.Decrypt(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	m, err := bot.ParseMessage(plain)
	if err != nil {
		t.Fatalf("message: %v", err)
	}
	return m
}

// TestReadAnswer checks the raw client's reading of answers.
func TestReadAnswer(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		status int
		keep   bool
		err    bool
	}{
		{"ok", "HTTP/1.1 200 OK\r\nDate: x\r\nContent-Length: 0\r\n\r\n", 200, true, false},
		{"error with a body", "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\ncontent-length: 10\r\n\r\nForbidden\n", 403, true, false},
		{"connection close", "HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 413, false, false},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 200, false, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 200, false, true},
		{"no length", "HTTP/1.1 200 OK\r\n\r\n", 200, false, true},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 200, false, true},
		{"not http", "SSH-2.0-OpenSSH\r\n\r\n", 0, false, true},
		{"cut short", "HTTP/1.1 200 OK\r\nContent-Len", 200, false, true},
		{"body cut short", "HTTP/1.1 403 Forbidden\r\nContent-Length: 10\r\n\r\nFor", 403, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const next = "HTTP/1.1 204 No Content\r\n"
			stream := tt.answer
			if tt.keep {
				stream += next
			}
			r := bufio.NewReader(strings.NewReader(stream))
			status, keep, err := readAnswer(r)
			if status != tt.status || keep != tt.keep || (err != nil) != tt.err {
				t.Fatalf("readAnswer = %d, keep %v, err %v; want %d, keep %v, error %v", status, keep, err, tt.status, tt.keep, tt.err)
			}
			if keep { // the next answer starts right after this one's body
				if got, _ := r.ReadString('\n'); got != next {
					t.Errorf("next answer read as %q", got)
				}
			}
		})
	}
}
