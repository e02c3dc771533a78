package suggestion

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/ierr"
	"github.com/tagbot/tagbot/store"
)

// HandleSuggestionCard runs a click on a suggestion card (task id with
// store.TaskIDPrefix): 确认 applies the tag, 忽略 rejects, and 确认所选 on
// a checkbox card applies the ticked tags (none ticked rejects). Only the follower may decide. The last reply's
// ButtonDone says who decided ("已确认 · zhangsan"), so the card is updated;
// a second click, or one after expiry, changes nothing and says so.
// 处理建议卡片的点击。
func (s *Service) HandleSuggestionCard(ctx context.Context, userID string, ev commands.CardEvent) []commands.Reply {
	a, err := ParseCardEvent(ev.TaskID, ev.EventKey)
	if err != nil {
		s.log.WarnContext(ctx, "unknown suggestion button", "user", userID, "err", err)
		return []commands.Reply{{Text: "这个按钮已失效。发送 /suggestions 查看待确认的建议。"}, {ButtonDone: "已失效"}}
	}
	var tags []string
	if a.Chosen {
		tags = append([]string{}, ev.Selected...) // non-nil: only these
		a.Reject = len(tags) == 0
	}
	replies, done, err := s.decide(ctx, userID, a.ID, a.Reject, tags, store.InboxOf(ctx))
	if err != nil {
		var ue *commands.UserError
		if errors.As(err, &ue) {
			replies = []commands.Reply{{Text: ue.Message}}
		} else {
			replies = []commands.Reply{{Text: ierr.Report(ctx, s.log, "suggestion click failed", err,
				slog.String("user", userID), slog.Any("suggestion", a.ID))}}
		}
	}
	if done != "" {
		replies = append(replies, commands.Reply{ButtonDone: done})
	}
	return replies
}

// decide confirms (tags: ids to apply, nil = all) or rejects suggestion
// id for userID. It returns the replies, what the card's button becomes
// ("" = leave the card), and an error (a *commands.UserError to show as is).
func (s *Service) decide(ctx context.Context, userID string, id store.ID, reject bool, tags []string, inbox store.ID) ([]commands.Reply, string, error) {
	sg, err := s.st.Suggestion(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", &commands.UserError{Code: commands.CodeNotFound, Message: fmt.Sprintf("没有建议 #%d。发送 /suggestions 查看你待确认的建议。", id)}
	}
	if err != nil {
		return nil, "", err
	}
	if !reject {
		unlock := s.writeLock() // the policy's answer must still hold at the write
		remove, err := s.policy(sg, userID, tags)
		if err != nil {
			unlock()
			return nil, "", err
		}
		done, cs, err := s.st.ConfirmSuggestion(store.SuggestionDecision{ID: id, Actor: userID, Tags: tags, Remove: remove, Reason: reasonOf(sg), Inbox: inbox})
		unlock()
		if err != nil {
			return s.refused(ctx, id, userID, err)
		}
		return s.confirmed(ctx, done, cs)
	}
	if _, err := s.st.RejectSuggestion(id, userID); err != nil {
		return s.refused(ctx, id, userID, err)
	}
	s.log.InfoContext(ctx, "suggestion rejected", "id", id, "rule", sg.Rule, "user", userID)
	return []commands.Reply{{Text: fmt.Sprintf("已忽略建议 #%d。%d 天内规则「%s」不会再为 %s 提这条建议。",
		id, int(s.opts.RejectMemory.Hours()/24), dn(sg.Rule), s.customerName(sg.Customer, sg.Follower))}}, "已忽略 · " + dn(userID), nil
}

// confirmed answers a successful confirm.
func (s *Service) confirmed(ctx context.Context, sg store.Suggestion, cs store.ChangeSet) ([]commands.Reply, string, error) {
	name := s.customerName(sg.Customer, sg.Follower)
	done := "已确认 · " + dn(sg.DecidedBy)
	if sg.Status == store.SuggestionPartial {
		done = "已部分确认 · " + dn(sg.DecidedBy)
	}
	if cs.ID == 0 {
		return []commands.Reply{{Text: fmt.Sprintf("%s 已经有这些标签，没有改动。", name)}}, done, nil
	}
	s.opts.Kick()
	s.log.InfoContext(ctx, "suggestion confirmed", "id", sg.ID, "cs", cs.ID, "rule", sg.Rule, "status", sg.Status)
	return []commands.Reply{{Text: fmt.Sprintf("已给 %s 加上：%s（变更 %d）。发送 /undo %d 可撤销。",
		name, tagList(cs.Add), cs.ID, cs.ID)}}, done, nil
}

// refused explains why a decision on suggestion id changed nothing; the
// relationship or tags having gone away drops the suggestion.
func (s *Service) refused(ctx context.Context, id store.ID, userID string, err error) ([]commands.Reply, string, error) {
	sg, rerr := s.st.Suggestion(id) // as it is now
	if rerr != nil {
		return nil, "", errors.Join(err, rerr)
	}
	ue := func(code, format string, args ...any) error {
		return &commands.UserError{Code: code, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case errors.Is(err, store.ErrSuggestionNotYours):
		return nil, "", ue(commands.CodeDenied, "建议 #%d 是发给客户跟进人的，只有跟进人可以确认或忽略。", sg.ID)
	case errors.Is(err, store.ErrSuggestionDecided):
		return nil, statusLabel(sg), ue(commands.CodeConflict, "建议 #%d 已经处理过（%s），这次没有改动。", sg.ID, statusLabel(sg))
	case errors.Is(err, store.ErrSuggestionExpired):
		return nil, "已过期", ue(commands.CodeExpired, "建议 #%d 已过期，没有改动。如仍需要，请发送 /tag %s +%s",
			sg.ID, quoteArg(s.customerName(sg.Customer, sg.Follower)), untagArgs(sg.Tags))
	case errors.Is(err, store.ErrUnknownTag) && sg.Status == store.SuggestionPending:
		return nil, "", ue(commands.CodeUnknownTag, "建议 #%d 里没有这个标签。发送 /confirm %d 确认全部。", sg.ID, sg.ID)
	case errors.Is(err, store.ErrNoRelationship), errors.Is(err, store.ErrTagDeleted):
		if _, derr := s.st.DropSuggestion(sg.ID, err.Error()); derr != nil && !errors.Is(derr, store.ErrSuggestionDecided) {
			return nil, "", derr
		}
		s.log.InfoContext(ctx, "suggestion dropped", "id", sg.ID, "user", userID, "why", err)
		why := "你已不再跟进这位客户"
		if errors.Is(err, store.ErrTagDeleted) {
			why = "建议的标签已被删除"
		}
		return nil, "已作废", ue(commands.CodeNoChange, "%s，建议 #%d 已作废，没有改动。", why, sg.ID)
	}
	return nil, "", err
}

// statusLabel says how a suggestion ended, and who decided it.
func statusLabel(sg store.Suggestion) string {
	label := map[store.SuggestionStatus]string{
		store.SuggestionPending: "待确认", store.SuggestionConfirmed: "已确认", store.SuggestionPartial: "已部分确认",
		store.SuggestionRejected: "已忽略", store.SuggestionExpired: "已过期", store.SuggestionDropped: "已作废",
	}[sg.Status]
	if sg.Status == store.SuggestionConfirmed || sg.Status == store.SuggestionPartial || sg.Status == store.SuggestionRejected {
		label += " · " + dn(sg.DecidedBy)
	}
	return label
}

// reasonOf is the change-set reason of a confirmed suggestion.
func reasonOf(sg store.Suggestion) string {
	if sg.Source == store.SourceLLM {
		return "AI 建议，跟进人确认 原话：" + sg.Evidence.Snippet
	}
	return reason(sg.Rule, sg.Evidence.Words, sg.Evidence.Snippet)
}

// policy runs Options.Policy on the tags userID confirms (ids; nil = all)
// and returns the tags to take off with them. Only the follower's own
// confirm is checked: anyone else is refused by the store.
func (s *Service) policy(sg store.Suggestion, userID string, ids []string) ([]store.TagRef, error) {
	if s.opts.Policy == nil || userID != sg.Follower || sg.Status != store.SuggestionPending {
		return nil, nil
	}
	rel, err := s.st.Relationship(sg.Customer, sg.Follower)
	if err != nil {
		return nil, nil // the store refuses the confirm and says why
	}
	add := sg.Tags
	if ids != nil {
		add = nil
		for _, t := range sg.Tags {
			if slices.Contains(ids, t.ID) {
				add = append(add, t)
			}
		}
	}
	return s.opts.Policy(userID, rel, add)
}
