package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/store"
)

// Event names (Event element of MsgType event) the loop acts on.
const (
	// EventEnterAgent is sent when a member opens the app (进入应用).
	EventEnterAgent = "enter_agent"
	// EventTemplateCard is a click on a template card button (模板卡片事件).
	EventTemplateCard = "template_card_event"
	// EventExternalContact is a change of a customer relationship (企业客户变更).
	EventExternalContact = "change_external_contact"
	// EventExternalTag is a change of the corp tag library (企业客户标签变更).
	EventExternalTag = "change_external_tag"
	// EventKF says a 微信客服 account has new messages (kf_msg_or_event).
	EventKF = "kf_msg_or_event"
)

// WelcomeText is sent on enter_agent, at most once per member per day.
const WelcomeText = "你好！我是客户标签助手，可以帮你查看和修改客户标签。发送 /help 查看用法。"

// unsupportedText answers non-text messages (images, voice, …).
const unsupportedText = "目前只支持文字消息。发送 /help 查看用法。"

// Handler runs members' requests; commands.Router implements it.
type Handler interface {
	HandleText(ctx context.Context, userID, text string) []commands.Reply
	HandleCard(ctx context.Context, userID string, ev commands.CardEvent) []commands.Reply
}

// Refresher re-reads customers and the tag library from WeCom after a
// change made outside tagbot; mirror.Syncer implements it.
type Refresher interface {
	RefreshCustomer(ctx context.Context, externalUserID, follower, changeType string) ([]store.ChangeSet, error)
	RefreshLibrary(ctx context.Context) ([]store.Tag, error)
}

// KFSyncer fetches the new messages of a 微信客服 account after a
// kf_msg_or_event callback; intake.KFSyncer implements it.
type KFSyncer interface {
	SyncKF(ctx context.Context, token, openKfID string) error
}

// Channels acts on a customer who came through a channel QR code (an
// add_external_contact callback with a State); channel.Service
// implements it.
type Channels interface {
	// Welcome sends the channel's welcome text with the callback's
	// WelcomeCode, which WeCom honours for 20 seconds: the loop calls it
	// before anything slow, and it must send at most once per code.
	Welcome(ctx context.Context, userID, externalUserID, state, welcomeCode string)
	// Arrived applies the channel's tags to the new relationship, after
	// the Refresher has stored it.
	Arrived(ctx context.Context, userID, externalUserID, state string) error
}

// Replier delivers replies to a member; *Sender implements it.
type Replier interface {
	Send(ctx context.Context, userID string, replies []commands.Reply)
}

// CardUpdater changes the button of a card a member clicked
// (message/update_template_card); *Sender implements it.
type CardUpdater interface {
	UpdateCard(ctx context.Context, userID, responseCode, buttonText string)
}

// updateCard turns the clicked card's button into the handler's
// ButtonDone text, when the Replier can and WeCom gave a response code.
func (l *Loop) updateCard(ctx context.Context, m Message, replies []commands.Reply) {
	u, ok := l.opts.Sender.(CardUpdater)
	if !ok || m.ResponseCode == "" {
		return
	}
	for _, r := range replies {
		if r.ButtonDone != "" {
			u.UpdateCard(ctx, m.FromUserName, m.ResponseCode, r.ButtonDone)
			return
		}
	}
}

// contactChanges are the change_external_contact ChangeTypes that touch a
// relationship's tags or existence.
var contactChanges = map[string]bool{
	"add_external_contact":      true,
	"edit_external_contact":     true,
	"del_external_contact":      true,
	"del_follow_user":           true,
	"add_half_external_contact": true,
}

// tagChanges are the change_external_tag ChangeTypes.
var tagChanges = map[string]bool{"create": true, "update": true, "delete": true, "shuffle": true}

// dispatch acts on one parsed message. An error is returned for failures
// worth reporting (Refresher errors); replies are queued on the Replier.
func (l *Loop) dispatch(ctx context.Context, id store.ID, m Message) error {
	switch {
	case m.MsgType == "text":
		l.reply(ctx, m.FromUserName, l.opts.Handler.HandleText(ctx, m.FromUserName, m.Content))
	case m.MsgType != "event":
		l.log.Debug("unsupported message type", "inbox", id, "msgtype", m.MsgType)
		l.reply(ctx, m.FromUserName, []commands.Reply{{Text: unsupportedText}})
	case m.Event == EventTemplateCard:
		ev := commands.CardEvent{TaskID: m.TaskID, EventKey: m.EventKey, ResponseCode: m.ResponseCode, Selected: m.Selected}
		replies := l.opts.Handler.HandleCard(ctx, m.FromUserName, ev)
		l.reply(ctx, m.FromUserName, replies)
		l.updateCard(ctx, m, replies)
	case m.Event == EventEnterAgent:
		return l.welcome(ctx, m.FromUserName)
	case m.Event == EventExternalContact && contactChanges[m.ChangeType]:
		channel := l.opts.Channels != nil && m.ChangeType == "add_external_contact" && m.State != "" && m.ExternalUser != ""
		if channel && m.WelcomeCode != "" {
			l.opts.Channels.Welcome(ctx, m.UserID, m.ExternalUser, m.State, m.WelcomeCode) // first: the code lasts 20 s
		}
		if l.opts.Refresher == nil || m.ExternalUser == "" {
			break
		}
		css, err := l.opts.Refresher.RefreshCustomer(ctx, m.ExternalUser, m.UserID, m.ChangeType)
		if err != nil {
			return fmt.Errorf("refresh customer: %w", err)
		}
		l.log.Info("customer refreshed", "inbox", id, "change", m.ChangeType, "changesets", len(css))
		if channel {
			if err := l.opts.Channels.Arrived(ctx, m.UserID, m.ExternalUser, m.State); err != nil {
				return fmt.Errorf("channel: %w", err)
			}
		}
	case m.Event == EventExternalTag && tagChanges[m.ChangeType]:
		if l.opts.Refresher == nil {
			break
		}
		deleted, err := l.opts.Refresher.RefreshLibrary(ctx)
		if err != nil {
			return fmt.Errorf("refresh library: %w", err)
		}
		l.log.Info("tag library refreshed", "inbox", id, "change", m.ChangeType, "deleted", len(deleted))
	case m.Event == EventKF && l.opts.KF != nil:
		if err := l.opts.KF.SyncKF(ctx, m.KFToken, m.OpenKfID); err != nil {
			return fmt.Errorf("kf sync: %w", err)
		}
	default:
		l.log.LogAttrs(ctx, slog.LevelDebug, "event ignored", slog.Any("inbox", id),
			slog.String("event", m.Event), slog.String("change", m.ChangeType))
	}
	return nil
}

// reply hands replies to the Replier (nothing for an empty list).
func (l *Loop) reply(ctx context.Context, userID string, replies []commands.Reply) {
	if len(replies) > 0 {
		l.opts.Sender.Send(ctx, userID, replies)
	}
}

// welcome greets a member entering the app, once per local day.
func (l *Loop) welcome(ctx context.Context, userID string) error {
	now := l.opts.Now().In(l.opts.Location)
	key := "welcome:" + userID + ":" + now.Format("2006-01-02")
	seen, err := l.opts.Store.Meta(key)
	if err != nil {
		return fmt.Errorf("welcome: %w", err)
	}
	if seen != "" {
		return nil
	}
	if err := l.opts.Store.SetMeta(key, now.Format(time.RFC3339), 48*time.Hour); err != nil {
		return fmt.Errorf("welcome: %w", err)
	}
	l.reply(ctx, userID, []commands.Reply{{Text: WelcomeText}})
	return nil
}
