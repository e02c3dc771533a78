package commands

import (
	"context"
	"fmt"

	"github.com/tagbot/tagbot/store"
)

// HandleCard runs a click on a card button: a suggestion card's
// (store.TaskIDPrefix) goes to the SuggestionHandler; KeyConfirm runs the user's
// pending proposal with that task id (a /rollback or a forced /undo),
// KeyCancel drops it. A click on an expired, already handled or someone
// else's card changes nothing and says so. 处理卡片按钮点击。
func (r *Router) HandleCard(ctx context.Context, userID string, ev CardEvent) []Reply {
	if isSuggestionCard(ev) && r.sugg != nil {
		r.sess.begin(userID, r.now()) // a click is a message: a later #N is not "right after" the list
		return clean(r.sugg.HandleSuggestionCard(ctx, userID, ev))
	}
	return clean(r.handleCard(ctx, userID, ev))
}

func (r *Router) handleCard(ctx context.Context, userID string, ev CardEvent) []Reply {
	now := r.now()
	var name string
	switch ev.EventKey {
	case KeyConfirm:
		name = "confirm"
	case KeyCancel:
		name = "cancel"
	default:
		r.log.WarnContext(ctx, "unknown card button", "user", userID, "key", ev.EventKey)
		return []Reply{{Text: "这个按钮已失效。发送 /help 查看命令。"}}
	}
	if ev.TaskID == "" {
		return []Reply{{Text: "这个按钮已失效。"}}
	}
	spec := r.byName[name]
	req := &Request{UserID: userID, Role: r.perms.role(userID), Spec: spec, Inbox: store.InboxOf(ctx),
		Cmd: Command{Slash: true, Name: name}, Name: name, Now: now, perms: r.perms}
	req.seq = r.sess.begin(userID, now) // a click is a message: a later #N is not "right after" the list
	p, err := r.sess.take(userID, ev.TaskID, now)
	r.sess.forget(req) // every answer below names the proposal's customer, without numbers
	if err != nil {
		return append(r.errorReplies(ctx, userID, "card", err), Reply{ButtonDone: "已失效"})
	}
	if ev.EventKey == KeyCancel {
		return []Reply{{Text: fmt.Sprintf("已取消「%s」，没有做任何修改。", p.what)}, {ButtonDone: "已取消"}}
	}
	replies, err := p.confirm(ctx, req)
	if err != nil {
		return append(r.errorReplies(ctx, userID, "card", err), Reply{ButtonDone: "未执行"})
	}
	return append(replies, Reply{ButtonDone: "已确认"})
}

// confirmCard is the card offering to confirm or cancel a proposal.
func confirmCard(taskID, title, desc string, lines []string) Reply {
	if len(lines) > 6 {
		lines = append(lines[:5:5], fmt.Sprintf("…另有 %d 项，见上一条消息", len(lines)-5))
	}
	return Reply{Card: &Card{
		TaskID: taskID, Title: title, Desc: desc, Lines: lines,
		Buttons: []Button{{Key: KeyConfirm, Text: "确认"}, {Key: KeyCancel, Text: "取消"}},
	}}
}
