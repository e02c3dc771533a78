package store

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestReplyMedia: a media reply's bytes are stored once beside it, not in
// the queue record; its media id is recorded; Done removes both; Verify
// and Rebuild accept a store with media queued.
func TestReplyMedia(t *testing.T) {
	s, clk := openTest(t)
	png := []byte("\x89PNG\r\n\x1a\n\x00\xffbinary")
	must(t, s.ReplyPut("zhangsan", []QueuedReply{
		{Text: "summary"},
		{Media: &ReplyMedia{Kind: MediaImage, Name: "c.png", Fallback: "图没发出去"}, Blob: png},
	}))
	if err := s.ReplyPut("zhangsan", []QueuedReply{{Media: &ReplyMedia{Kind: MediaFile, Name: "x"}}}); err == nil {
		t.Fatal("a media reply without bytes was queued")
	}
	q, err := s.RepliesFor("zhangsan")
	must(t, err)
	want := QueuedReply{ID: q[1].ID, User: "zhangsan", QueuedAt: clk.Now().UTC(),
		Media: &ReplyMedia{Kind: MediaImage, Name: "c.png", Size: len(png), Fallback: "图没发出去"}}
	if len(q) != 2 || !reflect.DeepEqual(q[1], want) {
		t.Fatalf("queued media reply %+v, want %+v (Blob must stay out of the record)", q[1], want)
	}
	got, err := s.ReplyBlob(q[1].ID)
	if err != nil || !bytes.Equal(got, png) {
		t.Fatalf("ReplyBlob = %q, %v; want the bytes", got, err)
	}
	if err := s.ReplyCut(q[1].ID, "rest"); err == nil {
		t.Fatal("ReplyCut cut a media reply")
	}
	must(t, s.ReplyUploaded(q[1].ID, "media-1", clk.Now()))
	q, err = s.RepliesFor("zhangsan")
	must(t, err)
	if q[1].Media.MediaID != "media-1" || !q[1].Media.UploadedAt.Equal(clk.Now()) {
		t.Fatalf("after ReplyUploaded: %+v", q[1].Media)
	}
	must(t, s.Verify())
	if _, err := s.Rebuild(); err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if got, err := s.ReplyBlob(q[1].ID); err != nil || !bytes.Equal(got, png) {
		t.Fatalf("after Rebuild ReplyBlob = %q, %v", got, err)
	}
	clk.Advance(time.Second)
	must(t, s.RepliesDone(q[0].ID, q[1].ID))
	if _, err := s.ReplyBlob(q[1].ID); !errors.Is(err, ErrNoBlob) {
		t.Fatalf("bytes left after done: err %v, want ErrNoBlob", err)
	}
}
