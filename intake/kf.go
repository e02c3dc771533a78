package intake

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/work/kf"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// maxKFPages bounds the pages one SyncKF reads; the rest waits for the next
// callback (the cursor is kept), so one busy account cannot hold the loop.
const maxKFPages = 50

// KFAPI is the WeCom call the kf sync needs; *wecom.Client implements it.
type KFAPI interface {
	KFSyncMsg(ctx context.Context, req kf.SyncMsgOptions) (wecom.KFSyncPage, error)
}

// KFOptions configure a KFSyncer.
type KFOptions struct {
	// OpenKfIDs, when not empty, are the only accounts synced (kf.open_kfids).
	OpenKfIDs []string
	Now       func() time.Time // clock; time.Now when nil
	Logger    *slog.Logger     // slog.Default when nil
}

// KFSyncer fetches 微信客服 messages after a kf_msg_or_event callback:
// kf/sync_msg with the callback's token and the account's cursor kept in
// the store, page after page while has_more, storing each page's text
// messages (customer's, origin 3, and servicers', origin 5) together with
// the next cursor in one transaction. It implements bot.KFSyncer.
// 微信客服消息同步。
type KFSyncer struct {
	api   KFAPI
	queue *Queue
	only  []string
	now   func() time.Time
	log   *slog.Logger
	mu    sync.Mutex // one sync at a time: they share cursors
}

// NewKFSyncer returns a KFSyncer storing through q.
func NewKFSyncer(api KFAPI, q *Queue, opts KFOptions) *KFSyncer {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &KFSyncer{api: api, queue: q, only: opts.OpenKfIDs, now: opts.Now, log: opts.Logger.With("pkg", "intake")}
}

// SyncKF reads the new messages of account openKfID. An error leaves the
// cursor at the last stored page, so a retry (or the next callback)
// continues there without losing or repeating a message.
func (k *KFSyncer) SyncKF(ctx context.Context, token, openKfID string) error {
	if len(k.only) > 0 && !slices.Contains(k.only, openKfID) {
		k.log.Debug("kf account not synced (kf.open_kfids)", "open_kfid", openKfID)
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	name := "kf:" + openKfID
	cursor, err := k.queue.store.ActivityCursor(name)
	if err != nil {
		return fmt.Errorf("kf cursor: %w", err)
	}
	total := 0
	for range maxKFPages {
		page, err := k.api.KFSyncMsg(ctx, kf.SyncMsgOptions{Cursor: cursor, Token: token, Limit: 1000, OpenKfID: openKfID})
		if err != nil {
			return fmt.Errorf("kf/sync_msg: %w", err)
		}
		acts := k.activities(page)
		cursorName := name
		if page.NextCursor == "" { // keep the saved cursor: "" would re-read the whole window next time
			cursorName = ""
		}
		accepted, _, err := k.queue.putRaw(acts, cursorName, page.NextCursor)
		if err != nil {
			return fmt.Errorf("kf store: %w", err)
		}
		total += accepted
		cursor = page.NextCursor
		if page.HasMore != 1 || page.NextCursor == "" {
			break
		}
	}
	k.log.Info("kf synced", "open_kfid", openKfID, "messages", total)
	return nil
}

// activities turns a page's text messages into activities; other message
// types, system events and messages that fail validation are skipped (a
// message that can never be stored must not stop the account's sync).
func (k *KFSyncer) activities(page wecom.KFSyncPage) []store.Activity {
	now := k.now()
	var out []store.Activity
	for _, m := range page.MsgList {
		if m.MsgType != "text" {
			continue
		}
		msg := classify.Message{ID: m.MsgID, Customer: m.ExternalUserID, Text: m.Text.Content, Time: time.Unix(int64(m.SendTime), 0)}
		switch m.Origin {
		case wecom.KFOriginCustomer:
			msg.From = classify.FromCustomer
		case wecom.KFOriginServicer:
			msg.From, msg.Employee = classify.FromEmployee, m.ReceptionistUserID
		default:
			continue
		}
		a, e := messageActivity(len(out), msg, store.ActivityKF, now)
		if e != nil {
			k.log.Warn("kf message skipped", "msgid", m.MsgID, "reason", e.Code)
			continue
		}
		out = append(out, a)
	}
	return out
}
