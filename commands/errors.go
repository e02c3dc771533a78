package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/internal/ierr"
)

// Error codes of UserError. 用户错误代码。
const (
	CodeUsage       = "usage"       // wrong arguments 参数不对
	CodeNotFound    = "not_found"   // customer, tag or change-set missing 找不到
	CodeAmbiguous   = "ambiguous"   // several customers or tags match 有多个匹配
	CodeUnknownTag  = "unknown_tag" // no such tag 没有这个标签
	CodeDenied      = "denied"      // not allowed 无权限
	CodeConflict    = "conflict"    // later changes by others 与后续变更冲突
	CodeExpired     = "expired"     // a proposal or list expired 已过期
	CodeNoChange    = "no_change"   // nothing to change 没有变化
	CodeBadTime     = "bad_time"    // unreadable time 时间看不懂
	CodeFutureTime  = "future_time" // a time still ahead 时间还没到
	CodeUnavailable = "unavailable" // a needed service is not configured 功能未启用
)

// UserError is an error whose message is safe and useful to show the user
// as is: what went wrong and what to do next. 可直接展示给用户的错误。
type UserError struct {
	Code    string
	Message string
}

// Error returns the message shown to the user.
func (e *UserError) Error() string { return e.Message }

// userErr builds a *UserError with a formatted message.
func userErr(code, format string, args ...any) error {
	return &UserError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// errorReplies turns an error from a command into what the user sees:
// a *UserError's message as is; anything else is logged under a new
// internal-error number (ierr, one number space with the bot loop, unique
// across restarts) and the user is told only that number.
func (r *Router) errorReplies(ctx context.Context, userID, cmd string, err error) []Reply {
	var ue *UserError
	if errors.As(err, &ue) {
		return []Reply{{Text: ue.Message}}
	}
	text := ierr.Report(ctx, r.log, "command failed", err,
		slog.String("user", userID), slog.String("command", cmd))
	return []Reply{{Text: text}}
}

// Input limits. 输入长度限制。
const (
	// MaxInputRunes is the longest message the router reads; longer ones
	// get a short refusal (a command is never that long, and echoing it
	// would take several WeCom messages).
	MaxInputRunes = 500
	// echoRunes is how much of a user's text a reply quotes back.
	echoRunes = display.EchoRunes
)

// clip shows user text quoted back in a reply: one line, invisible
// characters shown as their code, longer text cut in the middle to
// echoRunes runes and "…" (display.Line).
func clip(s string) string { return display.Line(s, echoRunes+1) }

// dn shows a name that comes from WeCom, the config or a user (customer,
// remark, tag, group, user id) inside a reply: display.Name.
func dn(s string) string { return display.Name(s) }
