package wecom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/silenceper/wechat/v2/util"
	"github.com/silenceper/wechat/v2/work/material"
)

// MediaType 是临时素材的类型（media/upload 的 type）。
type MediaType string

// Media types tagbot uploads.
const (
	MediaImage MediaType = "image" // jpg/png，≤ MaxImageBytes
	MediaFile  MediaType = "file"  // 任意文件，≤ MaxFileBytes
)

// Documented limits of media/upload (临时素材，3 天内有效).
const (
	MaxImageBytes = 10 << 20
	MaxFileBytes  = 20 << 20
	minMediaBytes = 5
)

const pathMediaUpload = "media/upload"

// ErrMediaTooLarge means the bytes exceed the limit of their media type
// (checked before any call).
var ErrMediaTooLarge = errors.New("wecom media/upload: too large")

// UploadMedia 上传临时素材（media/upload，multipart 字段 media），返回 3 天内有效
// 的 media_id。image 须为 jpg/png 且 ≤ 10 MB，file ≤ 20 MB。
//
// The SDK's material.Client.UploadTempFile and util.PostFileByStream take
// neither a context nor our limiter and token retry, so the multipart body
// is built here and posted with util.HTTPPostContext through invoke; the
// response is decoded into the SDK's material.UploadTempFileResponse.
func (c *Client) UploadMedia(ctx context.Context, typ MediaType, name string, data []byte) (string, error) {
	if err := checkMedia(typ, name, data); err != nil {
		return "", err
	}
	body, contentType, err := multipartBody(name, data)
	if err != nil {
		return "", fmt.Errorf("wecom %s: %w", pathMediaUpload, err)
	}
	var resp material.UploadTempFileResponse
	err = c.invoke(ctx, pathMediaUpload, func(ctx context.Context, token string) error {
		raw, err := util.HTTPPostContext(ctx, c.endpoint(pathMediaUpload, token, url.Values{"type": {string(typ)}}),
			body, map[string]string{"Content-Type": contentType})
		if err != nil {
			return convertErr(pathMediaUpload, err)
		}
		return decode(pathMediaUpload, raw, &resp)
	})
	if err != nil {
		return "", err
	}
	if resp.MediaID == "" {
		return "", fmt.Errorf("wecom %s: no media_id in the answer", pathMediaUpload)
	}
	return resp.MediaID, nil
}

// checkMedia applies WeCom's type and size rules before uploading.
func checkMedia(typ MediaType, name string, data []byte) error {
	limit := 0
	switch typ {
	case MediaImage:
		limit = MaxImageBytes
		ext := strings.ToLower(name[strings.LastIndexByte(name, '.')+1:])
		if ext != "png" && ext != "jpg" && ext != "jpeg" {
			return fmt.Errorf("wecom %s: image %q must be .png or .jpg", pathMediaUpload, name)
		}
	case MediaFile:
		limit = MaxFileBytes
	default:
		return fmt.Errorf("wecom %s: unsupported type %q", pathMediaUpload, typ)
	}
	if name == "" || strings.ContainsAny(name, "\"\r\n") {
		return fmt.Errorf("wecom %s: bad file name %q", pathMediaUpload, name)
	}
	if len(data) < minMediaBytes {
		return fmt.Errorf("wecom %s: %d bytes, at least %d", pathMediaUpload, len(data), minMediaBytes)
	}
	if len(data) > limit {
		return fmt.Errorf("%w: %d bytes, at most %d for %s", ErrMediaTooLarge, len(data), limit, typ)
	}
	return nil
}

// multipartBody is the form WeCom expects: one part "media" with filename
// and filelength.
func multipartBody(name string, data []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename="%s"; filelength=%d`, name, len(data)))
	h.Set("Content-Type", "application/octet-stream")
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(data); err != nil {
		return nil, "", err
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

type mediaContent struct {
	MediaID string `json:"media_id"`
}

// SendImage 以应用身份给成员发图片消息（msgtype image，media_id 来自 UploadMedia）。
func (c *Client) SendImage(ctx context.Context, toUser, mediaID string) error {
	_, err := c.send(ctx, sendBody{ToUser: toUser, MsgType: "image", Image: &mediaContent{mediaID}})
	return err
}

// SendFile 以应用身份给成员发文件消息（msgtype file）。
func (c *Client) SendFile(ctx context.Context, toUser, mediaID string) error {
	_, err := c.send(ctx, sendBody{ToUser: toUser, MsgType: "file", File: &mediaContent{mediaID}})
	return err
}
