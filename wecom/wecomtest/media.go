package wecomtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// Media is one temporary media file uploaded through media/upload.
type Media struct {
	ID   string
	Type string // image or file
	Name string // the part's filename
	Data []byte
	At   time.Time // upload time; the id is valid for MediaTTL after it
}

// MediaTTL is how long a media_id stays usable (WeCom: 3 days).
const MediaTTL = 72 * time.Hour

// Upload limits of media/upload as WeCom documents them.
const (
	maxImageBytes = 10 << 20
	maxFileBytes  = 20 << 20
	minMediaBytes = 5
)

// uploadMedia serves POST media/upload?type=image|file: one multipart part
// named "media". Images must be PNG or JPEG (by name and content) of at
// most 10 MB, files at most 20 MB; the bytes are kept for Media.
func (s *Server) uploadMedia(req *apiRequest) (any, *apiError) {
	typ := req.query.Get("type")
	if typ != "image" && typ != "file" {
		return nil, apiErr(errcode.InvalidMediaType, "type %q is not supported by the fake", typ)
	}
	name, data, aerr := mediaPart(req)
	if aerr != nil {
		return nil, aerr
	}
	if len(data) < minMediaBytes {
		return nil, apiErr(errcode.EmptyMedia, "")
	}
	switch typ {
	case "image":
		if !isImage(name, data) {
			return nil, apiErr(errcode.InvalidFileType, "image must be jpg or png")
		}
		if len(data) > maxImageBytes {
			return nil, apiErr(errcode.InvalidImageSize, "image of %d bytes", len(data))
		}
	case "file":
		if len(data) > maxFileBytes {
			return nil, apiErr(errcode.InvalidFileSize, "file of %d bytes", len(data))
		}
	}
	s.seq++
	m := Media{ID: fmt.Sprintf("wecomtest-media-%06d", s.seq), Type: typ, Name: name, Data: data, At: req.now}
	s.media[m.ID] = m
	return struct {
		status
		Type      string `json:"type"`
		MediaID   string `json:"media_id"`
		CreatedAt string `json:"created_at"`
	}{ok(), typ, m.ID, fmt.Sprint(req.now.Unix())}, nil
}

// mediaPart reads the "media" part of a multipart body.
func mediaPart(req *apiRequest) (string, []byte, *apiError) {
	mt, params, err := mime.ParseMediaType(req.contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", nil, apiErr(errcode.EmptyMedia, "not a multipart/form-data body")
	}
	mr := multipart.NewReader(bytes.NewReader(req.body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, apiErr(errcode.EmptyMedia, "no media part")
		}
		if err != nil {
			return "", nil, apiErr(errcode.EmptyMedia, "bad multipart body: %v", err)
		}
		if p.FormName() != "media" {
			continue
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return "", nil, apiErr(errcode.EmptyMedia, "bad multipart body: %v", err)
		}
		return p.FileName(), data, nil
	}
}

// isImage reports whether name and content are PNG or JPEG.
func isImage(name string, data []byte) bool {
	ext := strings.ToLower(name[strings.LastIndexByte(name, '.')+1:])
	switch {
	case ext == "png":
		return bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n"))
	case ext == "jpg" || ext == "jpeg":
		return bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF})
	}
	return false
}

// mediaFor checks a message's media_id: known, of the message's type and
// not expired.
func (s *Server) mediaFor(id, typ string, now time.Time) *apiError {
	m, ok := s.media[id]
	if !ok || m.Type != typ || now.Sub(m.At) > MediaTTL {
		return apiErr(errcode.InvalidMediaID, "media_id %q", id)
	}
	return nil
}

// Media returns an uploaded file by its media_id.
func (s *Server) Media(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	return m, ok
}
