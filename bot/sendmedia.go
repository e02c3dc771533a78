package bot

import (
	"context"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// MediaIDLife is how long tagbot reuses an uploaded media id: WeCom keeps
// temporary media 3 days; a margin keeps a send from racing the expiry.
const MediaIDLife = 60 * time.Hour

// mediaItems are the queue items of a reply's image and file.
func mediaItems(r commands.Reply) []store.QueuedReply {
	var out []store.QueuedReply
	for _, a := range []struct {
		kind store.MediaKind
		att  *commands.Attachment
	}{{store.MediaImage, r.Image}, {store.MediaFile, r.File}} {
		if a.att == nil || len(a.att.Data) == 0 {
			continue
		}
		out = append(out, store.QueuedReply{
			Media: &store.ReplyMedia{Kind: a.kind, Name: a.att.Name, Fallback: a.att.Fallback},
			Blob:  a.att.Data,
		})
	}
	return out
}

// deliverMedia uploads a queued image or file (unless it has a media id
// still valid) and sends it. An upload WeCom refuses for good, or bytes
// that are gone, make it send the fallback text instead; a transient
// failure is returned for the usual retry.
func (s *Sender) deliverMedia(ctx context.Context, userID string, q *store.QueuedReply) error {
	m := q.Media
	if m.MediaID == "" || s.opts.Now().Sub(m.UploadedAt) > MediaIDLife {
		id, err := s.upload(ctx, q)
		if err != nil {
			if wecom.IsTransient(err) && q.Tries+1 < s.opts.MaxTries {
				return err
			}
			s.log.Warn("media not uploaded, sending the text instead", "user", userID, "kind", m.Kind,
				"bytes", m.Size, "errcode", wecom.Code(err), "err", err)
			return s.fallback(ctx, userID, m)
		}
		m.MediaID = id
	}
	var err error
	if m.Kind == store.MediaImage {
		err = s.opts.API.SendImage(ctx, userID, m.MediaID)
	} else {
		err = s.opts.API.SendFile(ctx, userID, m.MediaID)
	}
	s.log.Debug("media sent", "user", userID, "kind", m.Kind, "bytes", m.Size, "ok", err == nil)
	if wecom.Code(err) == errcode.InvalidMediaID {
		// WeCom forgot the id: upload again on the retry.
		if serr := s.opts.Store.ReplyUploaded(q.ID, "", time.Time{}); serr != nil {
			s.log.Error("media id not cleared", "user", userID, "err", serr)
		}
		return &wecom.APIError{API: "message/send", Code: errcode.SystemBusy, Msg: "media id expired, uploading again"}
	}
	return err
}

// upload sends a queued reply's bytes to media/upload and records the id.
func (s *Sender) upload(ctx context.Context, q *store.QueuedReply) (string, error) {
	data, err := s.opts.Store.ReplyBlob(q.ID)
	if err != nil {
		return "", err
	}
	typ := wecom.MediaFile
	if q.Media.Kind == store.MediaImage {
		typ = wecom.MediaImage
	}
	id, err := s.opts.API.UploadMedia(ctx, typ, q.Media.Name, data)
	if err != nil {
		return "", err
	}
	if err := s.opts.Store.ReplyUploaded(q.ID, id, s.opts.Now()); err != nil {
		s.log.Error("media id not recorded: a retry uploads again", "err", err)
	}
	return id, nil
}

// fallback sends a media reply's fallback text; nothing when it has none.
func (s *Sender) fallback(ctx context.Context, userID string, m *store.ReplyMedia) error {
	if m.Fallback == "" {
		return nil
	}
	return s.opts.API.SendText(ctx, userID, m.Fallback)
}
