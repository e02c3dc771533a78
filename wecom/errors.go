package wecom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"syscall"

	"github.com/silenceper/wechat/v2/util"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// ErrRateLimited 表示本地限流器拒绝了调用（等待时间会超过 ctx 的截止时间）；属于暂时性错误。
var ErrRateLimited = errors.New("wecom: local rate limit")

// APIError 是企业微信返回的非零 errcode。
type APIError struct {
	API  string // API 路径，如 "externalcontact/mark_tag"
	Code int    // errcode
	Msg  string // errmsg
}

// Error formats the API error without any credential.
func (e *APIError) Error() string {
	return fmt.Sprintf("wecom %s: errcode=%d errmsg=%s", e.API, e.Code, e.Msg)
}

// HTTPError 表示企业微信（或其前置代理）返回了非 200 的 HTTP 状态码。
type HTTPError struct {
	API    string
	Status int
}

// Error formats the HTTP status error (the SDK's original message, which
// embeds the URL and so the token or secret, is discarded).
func (e *HTTPError) Error() string {
	return fmt.Sprintf("wecom %s: http status %d", e.API, e.Status)
}

// Code 返回 err 链中 APIError 的 errcode；不是 APIError 时返回 0。
func Code(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// IsCredential reports whether err is WeCom refusing the app's credentials
// or the caller's IP (40001 invalid secret, 41001 no token, 60020 IP not in
// the corp's trusted IPs): the operator's to fix, not a refusal of the call
// itself. The outbox waits on these instead of failing its entries.
// 凭据或可信 IP 配置错误。
func IsCredential(err error) bool {
	switch Code(err) {
	case errcode.InvalidSecret, errcode.MissingToken, errcode.IPNotAllowed:
		return true
	}
	return false
}

// IsTransient 报告 err 是否值得稍后重试：errcode -1/45009/45033、token 失效
// (40014/42001，下次调用会换新 token)、HTTP 5xx/429、超时、连接被重置/提前关闭、
// 本地限流。调用方主动取消 (context.Canceled) 与其他 errcode 都不是暂时性的。
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var pe *PausedError
	if errors.As(err, &pe) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Code {
		case errcode.SystemBusy, errcode.RateLimited, errcode.ConcurrencyLimited, errcode.InvalidToken, errcode.TokenExpired:
			return true
		}
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == 429
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, ErrRateLimited) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// sdkHTTPStatus matches util's "http get|post error : uri=..., statusCode=N".
var sdkHTTPStatus = regexp.MustCompile(`^http (?:get|post) error : uri=.* , statusCode=(-?\d+)$`)

// secretParam matches credentials inside any URL quoted in an error message.
var secretParam = regexp.MustCompile(`(?i)(access_token|corpsecret)=[^&\s]*`)

// sdkTokenErr matches credential's "get access_token error : errcode=N , errormsg=M".
var sdkTokenErr = regexp.MustCompile(`^get access_token error : errcode=(-?\d+) , errormsg=(.*)$`)

// convertErr turns the SDK's error shapes into APIError/HTTPError and strips
// URLs (which carry access_token or corpsecret) from transport errors.
// It returns nil for nil.
func convertErr(api string, err error) error {
	if err == nil {
		return nil
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return &APIError{API: api, Code: int(ce.ErrCode), Msg: ce.ErrMsg}
	}
	var ae *APIError
	var he *HTTPError
	if errors.As(err, &ae) || errors.As(err, &he) {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("wecom %s: %w", api, &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err})
	}
	msg := err.Error()
	if m := sdkHTTPStatus.FindStringSubmatch(msg); m != nil {
		status, _ := strconv.Atoi(m[1])
		return &HTTPError{API: api, Status: status}
	}
	if m := sdkTokenErr.FindStringSubmatch(msg); m != nil {
		code, _ := strconv.Atoi(m[1])
		return &APIError{API: api, Code: code, Msg: m[2]}
	}
	if secretParam.MatchString(msg) {
		// The SDK's string errors wrap nothing, so dropping the chain loses nothing.
		return fmt.Errorf("wecom %s: %s", api, secretParam.ReplaceAllString(msg, "$1=REDACTED"))
	}
	return fmt.Errorf("wecom %s: %w", api, err)
}

// redactURL drops the query string (access_token, corpsecret) from raw.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparseable url>"
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.User = nil
	return u.String()
}

// isTokenError reports whether err says the access token is invalid or expired.
func isTokenError(err error) bool {
	c := Code(err)
	return c == errcode.InvalidToken || c == errcode.TokenExpired
}
