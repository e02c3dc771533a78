package wecomtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// upload posts one multipart part named field to media/upload?type=typ.
func upload(t *testing.T, s *Server, typ, field, name string, data []byte) result {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	mw.Close()
	u := s.URL() + "/cgi-bin/media/upload?" + url.Values{"access_token": {token(t, s)}, "type": {typ}}.Encode()
	resp, err := http.Post(u, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r result
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

var pngHead = []byte("\x89PNG\r\n\x1a\nrest-of-png")

func TestUploadMedia(t *testing.T) {
	s := fake(t, Options{})
	tests := []struct {
		name, typ, field, file string
		data                   []byte
		want                   int
	}{
		{"png image", "image", "media", "a.png", pngHead, errcode.OK},
		{"jpeg image", "image", "media", "a.JPG", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0}, errcode.OK},
		{"xlsx file", "file", "media", "客户.xlsx", []byte("PK\x03\x04 zip"), errcode.OK},
		{"image named png, not png", "image", "media", "a.png", []byte("GIF89a...."), errcode.InvalidFileType},
		{"gif image", "image", "media", "a.gif", []byte("GIF89a...."), errcode.InvalidFileType},
		{"image over 10 MB", "image", "media", "a.png", append(pngHead, make([]byte, 10<<20)...), errcode.InvalidImageSize},
		{"file over 20 MB", "file", "media", "a.bin", make([]byte, 20<<20+1), errcode.InvalidFileSize},
		{"video type", "video", "media", "a.mp4", []byte("0123456789"), errcode.InvalidMediaType},
		{"empty", "file", "media", "a.txt", nil, errcode.EmptyMedia},
		{"wrong field", "file", "file", "a.txt", []byte("0123456789"), errcode.EmptyMedia},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := upload(t, s, tt.typ, tt.field, tt.file, tt.data)
			wantCode(t, r, tt.want)
			if tt.want != errcode.OK {
				return
			}
			id, _ := r["media_id"].(string)
			m, ok := s.Media(id)
			if !ok || m.Type != tt.typ || m.Name != tt.file || !bytes.Equal(m.Data, tt.data) {
				t.Fatalf("stored media %q = {Type %q Name %q %d bytes}, want {%q %q %d bytes}", id, m.Type, m.Name, len(m.Data), tt.typ, tt.file, len(tt.data))
			}
		})
	}
}

func TestSendMediaMessages(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s := fake(t, Options{Now: func() time.Time { return now }})
	s.AddUser("zhangsan", "张三")
	img, _ := upload(t, s, "image", "media", "c.png", pngHead)["media_id"].(string)
	file, _ := upload(t, s, "file", "media", "c.xlsx", []byte("PK\x03\x04 zip"))["media_id"].(string)
	send := func(typ, id string) result {
		return post(t, s, "message/send", []byte(fmt.Sprintf(`{"touser":"zhangsan","msgtype":%q,"agentid":1000002,%q:{"media_id":%q}}`, typ, typ, id)))
	}
	wantCode(t, send("image", img), errcode.OK)
	wantCode(t, send("file", file), errcode.OK)
	wantCode(t, send("image", file), errcode.InvalidMediaID) // a file's id as an image
	wantCode(t, send("file", "nope"), errcode.InvalidMediaID)
	msgs := s.Messages()
	if len(msgs) != 2 || msgs[0].MsgType != "image" || msgs[0].MediaID != img || msgs[1].MsgType != "file" || msgs[1].MediaID != file {
		t.Fatalf("messages = %+v, want image %s then file %s", msgs, img, file)
	}
	now = now.Add(MediaTTL + time.Minute)
	wantCode(t, send("image", img), errcode.InvalidMediaID) // expired after 3 days
}
