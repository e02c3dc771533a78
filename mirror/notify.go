package mirror

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// Notifier tells a user something (e.g. an outbox failure or delay).
type Notifier func(ctx context.Context, userID, text string)

// SendTextNotifier returns a Notifier that sends the text as an app message
// through api, logging (without the text) when that fails.
func SendTextNotifier(api wecom.API, logger *slog.Logger) Notifier {
	if logger == nil {
		logger = slog.Default()
	}
	return func(ctx context.Context, userID, text string) {
		if err := api.SendText(ctx, userID, text); err != nil {
			logger.Warn("notify user failed", "pkg", "mirror", "user", userID, "err", err)
		}
	}
}

// quietActors are actors that are not people and are never notified.
var quietActors = map[string]bool{"": true, "system": true, "sync": true}

// codeAdvice says, per WeCom errcode, why a change did not take effect and
// what the user can do.
var codeAdvice = map[int][2]string{
	errcode.NoRelation:        {"客户已不是你的客户，标签未生效", "如客户已重新添加你，请重新操作"},
	errcode.InvalidExternalID: {"企业微信找不到这位客户，标签未生效", "请确认客户仍在通讯录中"},
	errcode.InvalidTagID:      {"标签已在企业微信中被删除，标签未生效", "可请管理员恢复标签后重新操作"},
	errcode.UnknownUserID:     {"成员账号在企业微信中不存在，标签未生效", "请联系管理员"},
	errcode.InvalidUserID:     {"成员账号在企业微信中不存在，标签未生效", "请联系管理员"},
	errcode.AllInvalid:        {"应用没有该成员或客户的权限，标签未生效", "请管理员检查应用的客户联系权限"},
	errcode.NoAPIPermission:   {"应用没有调用该接口的权限，标签未生效", "请管理员检查应用的客户联系权限"},
}

// failureText is the message sent to the actor of a change-set WeCom did
// not apply: which change-set, which customer, what happened, what next.
func failureText(e store.OutboxEntry, cs *store.ChangeSet, customerName string, code int) string {
	who := customerName
	if who == "" {
		who = e.Customer
	}
	var b strings.Builder
	fmt.Fprintf(&b, "变更 #%s（客户「%s」", e.CS, who)
	if cs != nil {
		if s := refNames(cs.Add); s != "" {
			fmt.Fprintf(&b, "，加上%s", s)
		}
		if s := refNames(cs.Remove); s != "" {
			fmt.Fprintf(&b, "，去掉%s", s)
		}
	}
	b.WriteString("）没能同步到企业微信：")
	advice, known := codeAdvice[code]
	if known {
		fmt.Fprintf(&b, "%s。%s。", advice[0], advice[1])
	} else {
		fmt.Fprintf(&b, "企业微信拒绝了这次变更（错误码 %d），标签未生效。请稍后重试或联系管理员。", code)
	}
	if e.Compensated != 0 {
		fmt.Fprintf(&b, "记录已按企业微信的实际情况更正（#%s）。", e.Compensated)
	}
	return b.String()
}

// refNames lists tag names as 「a」「b」, falling back to ids.
func refNames(refs []store.TagRef) string {
	var b strings.Builder
	for _, r := range refs {
		name := r.Name
		if name == "" {
			name = r.ID
		}
		b.WriteString("「" + name + "」")
	}
	return b.String()
}

// delayText is the message sent to the actor of a change-set whose call
// keeps failing transiently: it is not lost and needs nothing from them.
func delayText(e store.OutboxEntry) string {
	return fmt.Sprintf("企业微信暂时不可用，变更 #%s 还没同步上，会自动重试，不需要重做。", e.CS)
}

// notifyDelay tells the actor of an entry that it is delayed, unless the
// actor is not a person or no Notifier is set.
func (w *Worker) notifyDelay(ctx context.Context, e store.OutboxEntry) {
	if w.opts.Notify == nil || quietActors[e.Actor] {
		return
	}
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.opts.CallTimeout)
	defer cancel()
	w.opts.Notify(nctx, e.Actor, delayText(e))
}

// failureNotice makes what the actor of an entry WeCom refused is told,
// for Store.OutboxFailed to queue with the failure (so a crash cannot record
// one without the other); nil when the actor is not a person or no Notifier
// is set. The change-set and customer name are read now: the notice runs
// inside the store's transaction.
func (w *Worker) failureNotice(e store.OutboxEntry, code int) func(store.OutboxEntry) string {
	if w.opts.Notify == nil || quietActors[e.Actor] {
		return nil
	}
	var csp *store.ChangeSet
	if cs, err := w.st.Get(e.CS); err == nil {
		csp = &cs
	} else {
		w.log.Warn("read failed change-set", "cs", uint64(e.CS), "err", err)
	}
	name := ""
	if c, err := w.st.Customer(e.Customer); err == nil {
		name = c.Name
	}
	return func(fin store.OutboxEntry) string { return failureText(fin, csp, name, code) }
}
