package store

// Queued replies that carry an image or a file (a chart, an export). The
// bytes are stored once, beside the reply, base64 in their own key so that
// listing the queue does not read them; they go when the reply is done.
//
// Key scheme (listed at the top of store.go):
//
//	rqb:<seq>                  bytes of queued reply rq:<seq>'s media (base64)
//
// Nothing here is rebuilt by Rebuild: queued replies are not derived data.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// MediaKind says how a queued media reply is sent: as an image or a file.
type MediaKind string

// Media kinds of a queued reply.
const (
	MediaImage MediaKind = "image"
	MediaFile  MediaKind = "file"
)

// ReplyMedia is an image or file of a queued reply. The bytes are in the
// store (ReplyBlob) until the reply is done; MediaID and UploadedAt are set
// once uploaded, so a retry of the send does not upload again while the
// media id is valid.
type ReplyMedia struct {
	Kind MediaKind `json:"kind"`
	Name string    `json:"name"`
	Size int       `json:"size"`
	// Fallback is sent as text when the media cannot be delivered.
	Fallback   string    `json:"fallback,omitempty"`
	MediaID    string    `json:"media_id,omitempty"`
	UploadedAt time.Time `json:"uploaded_at,omitzero"`
}

// ErrNoBlob means a media reply's bytes are not in the store.
var ErrNoBlob = errors.New("store: reply media bytes missing")

func rqbKey(id ID) string { return seqKey("rqb:", uint64(id)) }

// putBlobTx stores r's bytes under its reply id.
func putBlobTx(tx *txn, r *QueuedReply) error {
	if r.Media == nil {
		return nil
	}
	if len(r.Blob) == 0 {
		return fmt.Errorf("store: media reply %q without bytes", r.Media.Name)
	}
	r.Media.Size = len(r.Blob)
	_, _, err := tx.Set(rqbKey(r.ID), base64.StdEncoding.EncodeToString(r.Blob), nil)
	return err
}

// ReplyBlob returns the bytes of queued reply id's media.
func (s *Store) ReplyBlob(id ID) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *txn) error {
		v, err := tx.Get(rqbKey(id))
		if err != nil {
			return fmt.Errorf("reply %d: %w", id, ErrNoBlob)
		}
		out, err = base64.StdEncoding.DecodeString(v)
		if err != nil {
			return fmt.Errorf("%w: reply %d media: %v", ErrCorrupt, id, err)
		}
		return nil
	})
	return out, err
}

// ReplyUploaded records the media id WeCom gave a queued reply's media
// (empty to forget an id WeCom no longer accepts).
func (s *Store) ReplyUploaded(id ID, mediaID string, at time.Time) error {
	return s.updateReply(id, func(r *QueuedReply) error {
		if r.Media == nil {
			return fmt.Errorf("store: reply %d has no media", id)
		}
		r.Media.MediaID, r.Media.UploadedAt = mediaID, at.UTC()
		return nil
	})
}
