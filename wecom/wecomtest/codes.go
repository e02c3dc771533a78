package wecomtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// CodeNameTooLong is what add_corp_tag / edit_corp_tag answer for a tag or
// group name over 30 characters. The official docs state the 30-character
// limit but not the error code; 40058 (不合法的参数) is used. (40072
// 不合法的标签名字长度 belongs to the address-book tag API's 32-character limit.)
const CodeNameTooLong = errcode.InvalidParam

// maxNameRunes is the documented limit for tag and tag-group names.
const maxNameRunes = 30

// defaultErrMsg gives an errmsg for codes raised without a specific message;
// the codes themselves are named in wecom/errcode, the one table of them.
var defaultErrMsg = map[int]string{
	errcode.SystemBusy:        "system busy",
	errcode.OK:                "ok",
	errcode.InvalidSecret:     "invalid credential",
	errcode.InvalidCorpID:     "invalid corpid",
	errcode.InvalidToken:      "invalid access_token",
	errcode.InvalidAgentID:    "invalid agentid",
	errcode.InvalidParam:      "invalid parameter",
	errcode.InvalidTagID:      "invalid tag id",
	errcode.InvalidTagName:    "invalid tag name",
	errcode.InvalidMsgType:    "invalid msgtype",
	errcode.InvalidMediaType:  "invalid media type",
	errcode.InvalidFileType:   "invalid file type",
	errcode.InvalidFileSize:   "invalid file size",
	errcode.InvalidMediaID:    "invalid media_id",
	errcode.InvalidImageSize:  "invalid image size",
	errcode.EmptyMedia:        "empty media data",
	errcode.InvalidExternalID: "invalid external userid",
	errcode.MissingToken:      "access_token missing",
	errcode.MissingCorpID:     "corpid missing",
	errcode.MissingSecret:     "secret missing",
	errcode.MissingUserID:     "userid missing",
	errcode.MissingAgentID:    "agentid missing",
	errcode.MissingExternalID: "external userid missing",
	errcode.TokenExpired:      "access_token expired",
	errcode.EmptyContent:      "content empty",
	errcode.RateLimited:       "api freq out of limit",
	errcode.InvalidCursor:     "invalid cursor",
	errcode.UnknownUserID:     "userid not found",
	errcode.AllInvalid:        "all touser invalid",
	errcode.NoRecipient:       "touser & toparty & totag invalid",
	errcode.NoRelation:        "external contact relation not exist",
}

// apiError is a WeCom error answer: HTTP 200 with a non-zero errcode.
type apiError struct {
	code int
	msg  string
}

// apiErr builds an apiError; the message is optional detail after the
// default errmsg of code.
func apiErr(code int, format string, args ...any) *apiError {
	msg := defaultErrMsg[code]
	if msg == "" {
		msg = "error " + strconv.Itoa(code)
	}
	if format != "" {
		msg += ": " + fmt.Sprintf(format, args...)
	}
	return &apiError{code: code, msg: msg + ", hint: [wecomtest]"}
}

// status is the errcode/errmsg pair every WeCom answer carries.
type status struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// ok is the status of a successful answer.
func ok() status { return status{ErrCode: errcode.OK, ErrMsg: "ok"} }

// flexInt decodes a JSON number or a numeric string ("agentid" is sent as a
// string by some SDKs and as a number by others; WeCom accepts both).
type flexInt int64

// UnmarshalJSON accepts 12, "12", "" and null.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = strings.TrimSpace(str)
		if s == "" {
			*f = 0
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("wecomtest: not an integer: %s", b)
	}
	*f = flexInt(n)
	return nil
}

// decodeBody unmarshals a JSON request body; an empty body decodes as {}.
func decodeBody(body []byte, v any) *apiError {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return apiErr(errcode.InvalidParam, "invalid json body: %v", err)
	}
	return nil
}
