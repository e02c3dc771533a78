package bot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

var testPNG = []byte("\x89PNG\r\n\x1a\nchart-bytes")

// sent describes what the fake WeCom received for user: "text:…",
// "image:<bytes>", "file:<name>:<bytes>".
func (e *env) sent(t *testing.T, user string) []string {
	t.Helper()
	var out []string
	for _, m := range e.fake.Messages() {
		if m.ToUser != user {
			continue
		}
		switch m.MsgType {
		case "image", "file":
			md, ok := e.fake.Media(m.MediaID)
			if !ok {
				t.Fatalf("message with unknown media %q", m.MediaID)
			}
			if m.MsgType == "image" {
				out = append(out, "image:"+string(md.Data))
			} else {
				out = append(out, "file:"+md.Name+":"+string(md.Data))
			}
		default:
			out = append(out, "text:"+m.Text)
		}
	}
	return out
}

func TestSenderMedia(t *testing.T) {
	image := &commands.Attachment{Name: "chart.png", Data: testPNG}
	file := &commands.Attachment{Name: "客户.xlsx", Data: []byte("PK\x03\x04xlsx"), Fallback: "文件未能发送，请稍后再试"}
	tests := []struct {
		name   string
		reply  commands.Reply
		fault  *wecomtest.Fault // on media/upload
		want   []string
		logged string
	}{
		{"image after its summary", commands.Reply{Text: "高意向 12 人", Image: image},
			nil, []string{"text:高意向 12 人", "image:" + string(testPNG)}, ""},
		{"file", commands.Reply{Text: "已导出 3 位客户", File: file},
			nil, []string{"text:已导出 3 位客户", "file:客户.xlsx:PK\x03\x04xlsx"}, ""},
		{"upload refused: fallback text", commands.Reply{Text: "已导出", File: file},
			&wecomtest.Fault{ErrCode: errcode.InvalidFileType, Times: 1},
			[]string{"text:已导出", "text:文件未能发送，请稍后再试"}, "media not uploaded"},
		{"image refused, no fallback: summary only", commands.Reply{Text: "趋势", Image: image},
			&wecomtest.Fault{ErrCode: errcode.InvalidImageSize, Times: 1}, []string{"text:趋势"}, "media not uploaded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.fault != nil {
				e.fake.Fault("media/upload", *tt.fault)
			}
			e.sender.Send(context.Background(), "alice", []commands.Reply{tt.reply})
			if got := e.sent(t, "alice"); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("sent %q, want %q", got, tt.want)
			}
			if e.sender.Pending() != 0 {
				t.Fatalf("%d replies still queued", e.sender.Pending())
			}
			if !strings.Contains(e.logs.String(), tt.logged) {
				t.Fatalf("logs lack %q", tt.logged)
			}
			assertNoBlobs(t, e.st)
		})
	}
}

// assertNoBlobs fails if any media bytes are left in the store.
func assertNoBlobs(t *testing.T, st *store.Store) {
	t.Helper()
	for id := store.ID(1); id < 20; id++ {
		if _, err := st.ReplyBlob(id); !errors.Is(err, store.ErrNoBlob) {
			t.Fatalf("reply %d: media bytes still stored (err %v)", id, err)
		}
	}
}

// TestSenderMediaDurable: an image held by the member's limit survives a
// restart with its bytes, counts as a message, uploads once even when the
// send is retried, and its bytes go once it is sent.
func TestSenderMediaDurable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := NewSender(SenderOptions{API: e.api, Store: e.st, Now: e.clk.Now, Logger: e.log, PerUserPerMinute: 1})
	old.Send(ctx, "alice", []commands.Reply{{Text: "summary", Image: &commands.Attachment{Name: "c.png", Data: testPNG}}})
	if got := e.sent(t, "alice"); len(got) != 1 {
		t.Fatalf("before the restart sent %q, want only the summary (limit 1/min)", got)
	}
	queued, err := e.st.RepliesFor("alice")
	if err != nil || len(queued) != 1 || queued[0].Media == nil || queued[0].Blob != nil {
		t.Fatalf("queue = %+v, %v: want one media reply without bytes in its record", queued, err)
	}
	if b, err := e.st.ReplyBlob(queued[0].ID); err != nil || !bytes.Equal(b, testPNG) {
		t.Fatalf("ReplyBlob = %q, %v", b, err)
	}

	e.restart(t)
	e.fake.Fault("message/send", wecomtest.Fault{ErrCode: errcode.SystemBusy, Times: 1})
	e.sender.Flush(ctx) // uploads, the send fails transiently
	e.clk.Advance(3 * time.Second)
	e.sender.Flush(ctx)
	if got := e.sent(t, "alice"); strings.Join(got, "|") != "text:summary|image:"+string(testPNG) {
		t.Fatalf("sent %q", got)
	}
	if n := len(e.fake.CallsTo("media/upload")); n != 1 {
		t.Fatalf("%d uploads, want 1 (the retry reuses the media id)", n)
	}
	assertNoBlobs(t, e.st)
}
