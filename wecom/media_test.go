package wecom

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func TestUploadAndSendMedia(t *testing.T) {
	e := newEnv(t, wecomtest.Options{AgentID: 1000077}, nil)
	ctx := context.Background()
	e.s.AddUser("alice", "Alice")
	png := []byte("\x89PNG\r\n\x1a\nchart")
	xlsx := []byte("PK\x03\x04 sheet")
	tests := []struct {
		name string
		typ  MediaType
		file string
		data []byte
		send func(ctx context.Context, to, id string) error
	}{
		{"image", MediaImage, "图表.png", png, e.c.SendImage},
		{"file", MediaFile, "客户导出.xlsx", xlsx, e.c.SendFile},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := e.c.UploadMedia(ctx, tt.typ, tt.file, tt.data)
			if err != nil {
				t.Fatalf("UploadMedia: %v", err)
			}
			m, ok := e.s.Media(id)
			if !ok || m.Name != tt.file || string(m.Type) != string(tt.typ) || !bytes.Equal(m.Data, tt.data) {
				t.Fatalf("fake has %q: {Name %q Type %q %d bytes}, want {%q %q %d bytes}", id, m.Name, m.Type, len(m.Data), tt.file, tt.typ, len(tt.data))
			}
			if err := tt.send(ctx, "alice", id); err != nil {
				t.Fatalf("send: %v", err)
			}
			msgs := e.s.Messages()
			if len(msgs) != i+1 || msgs[i].MediaID != id || msgs[i].MsgType != string(tt.typ) {
				t.Fatalf("messages = %+v, want a %s message with %s", msgs, tt.typ, id)
			}
		})
	}
}

// TestUploadRefusedLocally: uploads WeCom would refuse never leave.
func TestUploadRefusedLocally(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		typ  MediaType
		file string
		data []byte
		want string
	}{
		{"gif image", MediaImage, "a.gif", []byte("GIF89a..."), "png or .jpg"},
		{"big image", MediaImage, "a.png", make([]byte, MaxImageBytes+1), "too large"},
		{"big file", MediaFile, "a.xlsx", make([]byte, MaxFileBytes+1), "too large"},
		{"tiny", MediaFile, "a.txt", []byte("x"), "at least"},
		{"quote in name", MediaFile, `a".txt`, []byte("0123456"), "bad file name"},
		{"video", MediaType("video"), "a.mp4", []byte("0123456"), "unsupported type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.UploadMedia(ctx, tt.typ, tt.file, tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(tt.want, "too large") != errors.Is(err, ErrMediaTooLarge) {
				t.Fatalf("errors.Is(err, ErrMediaTooLarge) = %v for %v", !strings.Contains(tt.want, "too large"), err)
			}
		})
	}
	if n := len(e.s.CallsTo("media/upload")); n != 0 {
		t.Fatalf("%d media/upload calls reached the fake, want 0", n)
	}
}
