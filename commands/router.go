package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/internal/suggest"

	"github.com/tagbot/tagbot/store"
)

// HandleText runs one text message from userID and returns the replies.
// It never fails: problems become replies. 处理一条文本消息。
func (r *Router) HandleText(ctx context.Context, userID, text string) []Reply {
	return clean(r.handleText(ctx, userID, text))
}

// clean passes every reply text and card field through display.Reply: a
// name that reached a reply without dn still cannot hide or reorder text.
func clean(replies []Reply) []Reply {
	for i, rp := range replies {
		replies[i].Text = display.Reply(rp.Text)
		if c := rp.Card; c != nil {
			cc := *c
			cc.Title, cc.Desc = display.Reply(c.Title), display.Reply(c.Desc)
			cc.Lines = make([]string, len(c.Lines))
			for j, l := range c.Lines {
				cc.Lines[j] = display.Line(l, 0x7fffffff)
			}
			replies[i].Card = &cc
		}
	}
	return replies
}

func (r *Router) handleText(ctx context.Context, userID, text string) []Reply {
	now := r.now()
	seq := r.sess.begin(userID, now)
	if n := utf8.RuneCountInString(text); n > MaxInputRunes {
		return []Reply{{Text: fmt.Sprintf("消息太长（%d 字），我只处理 %d 字以内的命令，什么都没有改。请只发送命令本身，例如 /tag 王小明 +高意向",
			n, MaxInputRunes)}}
	}
	cmd, err := Parse(text)
	if err != nil {
		return r.errorReplies(ctx, userID, "", err)
	}
	if !cmd.Slash {
		if len(cmd.Args) == 1 && cmd.Args[0].Kind == Pick {
			return r.handleBarePick(ctx, userID, cmd.Args[0], now, seq)
		}
		return r.handlePlain(ctx, userID, text, now, seq)
	}
	return r.dispatch(ctx, userID, cmd, now, seq)
}

// dispatch finds the command's spec, checks the role and runs it; seq is
// the user's message number. A reply naming customers without picking from
// or showing a numbered list clears the user's list (Spec.ShowsCustomers).
func (r *Router) dispatch(ctx context.Context, userID string, cmd Command, now time.Time, seq uint64) []Reply {
	replies, _ := r.dispatchDone(ctx, userID, cmd, now, seq)
	return replies
}

// dispatchDone is dispatch that also says whether cmd was done: false
// when it was refused (role, permission, a group's limit) or failed (a
// customer not found or ambiguous, an internal error); an error saying
// there is nothing to change counts as done.
func (r *Router) dispatchDone(ctx context.Context, userID string, cmd Command, now time.Time, seq uint64) ([]Reply, bool) {
	spec, ok := r.byName[foldName(cmd.Name)]
	if !ok {
		return []Reply{{Text: r.unknownCommand(cmd.Name)}}, false
	}
	role := r.perms.role(userID)
	// A role refusal (/rollback by an employee, /restore by a manager) is
	// not recorded in the ledger: it is refused before the arguments are
	// read, so there is no relationship to record it on. Refused tag
	// changes and undos are recorded by the commands themselves.
	if !role.AtLeast(spec.MinRole) {
		return []Reply{{Text: fmt.Sprintf("/%s 只有%s可以使用。你的角色是%s，请联系%s。",
			spec.Name, spec.MinRole.whoCan(), role.Label(), spec.MinRole.Label())}}, false
	}
	req := &Request{UserID: userID, Role: role, Spec: spec, Cmd: cmd, Name: cmd.Name, Now: now, Inbox: store.InboxOf(ctx), seq: seq, perms: r.perms}
	replies, err := spec.Run(ctx, req)
	if err != nil {
		var ue *UserError // nothing to change is no refusal
		return r.errorReplies(ctx, userID, spec.Name, err), errors.As(err, &ue) && ue.Code == CodeNoChange
	}
	if spec.ShowsCustomers && !req.picked && !req.listed {
		r.sess.forget(req)
	}
	return withNote(replies, req.note), !req.denied
}

// withNote adds note, on a line of its own, to the first text reply.
func withNote(replies []Reply, note string) []Reply {
	if note == "" {
		return replies
	}
	for i := range replies {
		if replies[i].Text != "" {
			replies[i].Text += "\n（" + note + "）"
			return replies
		}
	}
	return append(replies, Reply{Text: "（" + note + "）"})
}

// handlePlain answers text that is not a command: natural language
// (natural.go) when understood, else a pointer to /help.
func (r *Router) handlePlain(ctx context.Context, userID, text string, now time.Time, seq uint64) []Reply {
	if strings.TrimSpace(text) == "" {
		return []Reply{{Text: "发送 /help 查看可以用的命令。"}}
	}
	if replies, ok := r.natural(ctx, userID, text, now, seq); ok {
		return replies
	}
	r.log.DebugContext(ctx, "plain text not understood", "user", userID)
	if r.parsePlain != nil {
		return []Reply{{Text: "没看懂这句话，什么都没有改。可以这样说：给王小明打上高意向、王小明有哪些标签、高意向客户有多少、撤销；或用命令 /tag 王小明 +高意向\n发送 /help 查看全部命令。"}}
	}
	return []Reply{{Text: "我现在只认识以 / 开头的命令，例如：/tag 王小明 +高意向\n发送 /help 查看全部命令。"}}
}

// handleBarePick runs a bare "#2": the command that produced the user's
// last numbered list, with the chosen customer.
func (r *Router) handleBarePick(ctx context.Context, userID string, pick Token, now time.Time, seq uint64) []Reply {
	pl, err := r.sess.list(userID, now)
	if err != nil {
		return r.errorReplies(ctx, userID, "", err)
	}
	if pl.cmd == nil {
		return []Reply{{Text: fmt.Sprintf("请在命令里用 #%s 指定客户，例如 /tags #%s 或 /tag #%s +高意向", clip(pick.Value), clip(pick.Value), clip(pick.Value))}}
	}
	cmd := pl.cmd.clone()
	cmd.Args[pl.argIdx] = pick
	return r.dispatch(ctx, userID, cmd, now, seq)
}

// commandWords are Chinese words users try as commands, with the command
// they mean; an unknown name containing one is pointed there.
var commandWords = []struct{ word, cmd string }{
	{"分组", "groups"}, {"标签组", "groups"}, {"标签库", "groups"},
	{"删标签", "untag"}, {"去标签", "untag"}, {"删除", "untag"},
	{"打标签", "tag"}, {"加标签", "tag"}, {"查标签", "tags"},
	{"历史", "history"}, {"记录", "history"}, {"撤销", "undo"}, {"重做", "redo"},
	{"回滚", "rollback"}, {"恢复", "restore"}, {"确认", "confirm"}, {"取消", "cancel"},
	{"帮助", "help"}, {"查找", "find"}, {"搜索", "find"}, {"权限", "whoami"},
}

// unknownCommand answers an unknown command name, suggesting commands
// only when they are close: a known Chinese word in it, the start of a
// command name (/hist), or a small edit distance (at most 2 and less than
// half the name: /histroy, /tga).
func (r *Router) unknownCommand(name string) string {
	if s := r.suggestCommands(name); len(s) > 0 {
		return fmt.Sprintf("没有这个命令 /%s，你是不是想用 /%s？发送 /help 查看全部命令", clip(name), strings.Join(s, " 或 /"))
	}
	return fmt.Sprintf("没有这个命令 /%s。发送 /help 查看全部命令", clip(name))
}

// suggestCommands lists the command names close to name, best first.
func (r *Router) suggestCommands(name string) []string {
	key := foldName(name)
	for _, w := range commandWords {
		if strings.Contains(key, w.word) {
			return []string{w.cmd}
		}
	}
	var prefix []string
	if utf8.RuneCountInString(key) >= 2 {
		for _, s := range r.specs {
			if strings.HasPrefix(s.Name, key) {
				prefix = append(prefix, s.Name)
			}
		}
	}
	if len(prefix) > 0 {
		return prefix
	}
	best, bestD := "", -1
	for k, s := range r.byName {
		d := suggest.OSADistance(key, k)
		if bestD < 0 || d < bestD || (d == bestD && s.Name < best) {
			best, bestD = s.Name, d
		}
	}
	if n := utf8.RuneCountInString(key); bestD >= 0 && bestD <= 2 && 2*bestD < n {
		return []string{best}
	}
	return nil
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
