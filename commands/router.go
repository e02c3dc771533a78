package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tagbot/tagbot/internal/suggest"

	"github.com/tagbot/tagbot/store"
)

// HandleText runs one text message from userID and returns the replies.
// It never fails: problems become replies. 处理一条文本消息。
func (r *Router) HandleText(ctx context.Context, userID, text string) []Reply {
	now := r.now()
	cmd, err := Parse(text)
	if err != nil {
		return r.errorReplies(ctx, userID, "", err)
	}
	if !cmd.Slash {
		if len(cmd.Args) == 1 && cmd.Args[0].Kind == Pick {
			return r.handleBarePick(ctx, userID, cmd.Args[0], now)
		}
		return r.handlePlain(ctx, userID, text)
	}
	return r.dispatch(ctx, userID, cmd, now)
}

// dispatch finds the command's spec, checks the role and runs it.
func (r *Router) dispatch(ctx context.Context, userID string, cmd Command, now time.Time) []Reply {
	spec, ok := r.byName[foldName(cmd.Name)]
	if !ok {
		return []Reply{{Text: r.unknownCommand(cmd.Name)}}
	}
	role := r.perms.role(userID)
	if !role.AtLeast(spec.MinRole) {
		return []Reply{{Text: fmt.Sprintf("/%s 只有%s可以使用。你的角色是%s，请联系%s。",
			spec.Name, spec.MinRole.whoCan(), role.Label(), spec.MinRole.Label())}}
	}
	req := &Request{UserID: userID, Role: role, Spec: spec, Cmd: cmd, Name: cmd.Name, Now: now, Inbox: store.InboxOf(ctx)}
	replies, err := spec.Run(ctx, req)
	if err != nil {
		return r.errorReplies(ctx, userID, spec.Name, err)
	}
	return replies
}

// handlePlain answers text that is not a command. This is the seam for the
// natural-language parser: today it only points to /help.
func (r *Router) handlePlain(ctx context.Context, userID, text string) []Reply {
	r.log.DebugContext(ctx, "plain text is not a command yet", "user", userID)
	if strings.TrimSpace(text) == "" {
		return []Reply{{Text: "发送 /help 查看可以用的命令。"}}
	}
	return []Reply{{Text: "我现在只认识以 / 开头的命令，例如：/tag 王小明 +高意向\n发送 /help 查看全部命令。"}}
}

// handleBarePick runs a bare "#2": the command that produced the user's
// last numbered list, with the chosen customer.
func (r *Router) handleBarePick(ctx context.Context, userID string, pick Token, now time.Time) []Reply {
	pl, err := r.pickList(userID, now)
	if err != nil {
		return r.errorReplies(ctx, userID, "", err)
	}
	if pl.cmd == nil {
		return []Reply{{Text: fmt.Sprintf("请在命令里用 #%s 指定客户，例如 /tags #%s 或 /tag #%s +高意向", pick.Value, pick.Value, pick.Value)}}
	}
	cmd := pl.cmd.clone()
	cmd.Args[pl.argIdx] = pick
	return r.dispatch(ctx, userID, cmd, now)
}

// unknownCommand suggests the closest command name.
func (r *Router) unknownCommand(name string) string {
	best, bestD := "tag", -1
	for key, s := range r.byName {
		d := suggest.Distance(foldName(name), key)
		if bestD < 0 || d < bestD || (d == bestD && s.Name < best) {
			best, bestD = s.Name, d
		}
	}
	if n := len([]rune(name)); bestD > 2 && bestD > n/2 {
		best = "tag"
	}
	return fmt.Sprintf("没有这个命令 /%s，你是不是想用 /%s？发送 /help 查看全部命令", name, best)
}

// foldName lowercases ASCII letters of a command name.
func foldName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
