package wecomtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// WeCom global error codes (全局错误码) the fake answers with. Meanings are
// quoted from the official global error code table.
const (
	// CodeSystemBusy is -1: 系统繁忙 (retry later); the fake only answers it as an injected Fault.
	CodeSystemBusy = -1
	// CodeOK is 0: 请求成功.
	CodeOK = 0
	// CodeInvalidSecret is 40001: 不合法的secret参数.
	CodeInvalidSecret = 40001
	// CodeInvalidCorpID is 40013: 不合法的CorpID.
	CodeInvalidCorpID = 40013
	// CodeInvalidToken is 40014: 不合法的access_token.
	CodeInvalidToken = 40014
	// CodeInvalidAgentID is 40056: 不合法的agentid.
	CodeInvalidAgentID = 40056
	// CodeInvalidParam is 40058: 不合法的参数.
	CodeInvalidParam = 40058
	// CodeInvalidTagID is 40068: 不合法的标签ID（标签ID未指定，或者指定的标签ID不存在）.
	CodeInvalidTagID = 40068
	// CodeInvalidTagName is 40071: 不合法的标签名字（标签名字已经存在）.
	CodeInvalidTagName = 40071
	// CodeInvalidMsgType is 40008: 不合法的msgtype参数.
	CodeInvalidMsgType = 40008
	// CodeInvalidExternalID is 40096: 不合法的外部联系人userid.
	CodeInvalidExternalID = 40096
	// CodeMissingToken is 41001: 缺少access_token参数.
	CodeMissingToken = 41001
	// CodeMissingCorpID is 41002: 缺少corpid参数.
	CodeMissingCorpID = 41002
	// CodeMissingSecret is 41004: 缺少secret参数.
	CodeMissingSecret = 41004
	// CodeMissingUserID is 41009: 缺少userid参数.
	CodeMissingUserID = 41009
	// CodeMissingAgentID is 41011: 缺少agentid参数.
	CodeMissingAgentID = 41011
	// CodeMissingExternalID is 41035: 缺少外部联系人userid参数.
	CodeMissingExternalID = 41035
	// CodeTokenExpired is 42001: access_token已过期.
	CodeTokenExpired = 42001
	// CodeEmptyContent is 44004: 文本消息content参数为空.
	CodeEmptyContent = 44004
	// CodeRateLimited is 45009: 接口调用超过限制.
	CodeRateLimited = 45009
	// CodeInvalidCursor is 50100: 分页查询的游标无效.
	CodeInvalidCursor = 50100
	// CodeUnknownUserID is 60111: UserID不存在.
	CodeUnknownUserID = 60111
	// CodeAllInvalid is 81013: UserID、部门ID、标签ID全部非法或无权限.
	CodeAllInvalid = 81013
	// CodeNoRecipient is 82001: 指定的成员/部门/标签全部为空.
	CodeNoRecipient = 82001
	// CodeNoRelation is 84061: 不存在外部联系人的关系.
	CodeNoRelation = 84061
)

// CodeNameTooLong is what add_corp_tag / edit_corp_tag answer for a tag or
// group name over 30 characters. The official docs state the 30-character
// limit but not the error code; 40058 (不合法的参数) is used. (40072
// 不合法的标签名字长度 belongs to the address-book tag API's 32-character limit.)
const CodeNameTooLong = CodeInvalidParam

// maxNameRunes is the documented limit for tag and tag-group names.
const maxNameRunes = 30

// defaultErrMsg gives an errmsg for codes raised without a specific message.
var defaultErrMsg = map[int]string{
	CodeSystemBusy:        "system busy",
	CodeOK:                "ok",
	CodeInvalidSecret:     "invalid credential",
	CodeInvalidCorpID:     "invalid corpid",
	CodeInvalidToken:      "invalid access_token",
	CodeInvalidAgentID:    "invalid agentid",
	CodeInvalidParam:      "invalid parameter",
	CodeInvalidTagID:      "invalid tag id",
	CodeInvalidTagName:    "invalid tag name",
	CodeInvalidMsgType:    "invalid msgtype",
	CodeInvalidExternalID: "invalid external userid",
	CodeMissingToken:      "access_token missing",
	CodeMissingCorpID:     "corpid missing",
	CodeMissingSecret:     "secret missing",
	CodeMissingUserID:     "userid missing",
	CodeMissingAgentID:    "agentid missing",
	CodeMissingExternalID: "external userid missing",
	CodeTokenExpired:      "access_token expired",
	CodeEmptyContent:      "content empty",
	CodeRateLimited:       "api freq out of limit",
	CodeInvalidCursor:     "invalid cursor",
	CodeUnknownUserID:     "userid not found",
	CodeAllInvalid:        "all touser invalid",
	CodeNoRecipient:       "touser & toparty & totag invalid",
	CodeNoRelation:        "external contact relation not exist",
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
func ok() status { return status{ErrCode: CodeOK, ErrMsg: "ok"} }

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
		return apiErr(CodeInvalidParam, "invalid json body: %v", err)
	}
	return nil
}
