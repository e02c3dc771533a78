package todo

import (
	"context"
	"fmt"
	"time"

	"github.com/tagbot/tagbot/commands"
)

// Notifier sends a text to a member; bot.Sender.Notify implements it.
type Notifier func(ctx context.Context, userID, text string)

// digestMeta names the store value (store.Meta) holding the day, in
// todo.digest_at's zone, of the last digest sent to a member: at most one
// a day, also across restarts.
func digestMeta(userID string) string { return "todo.digest:" + userID }

// digestKeep is how long the last-sent day is kept: past the next day it
// no longer matters.
const digestKeep = 72 * time.Hour

// Run sends the daily digest when it is due, checking every minute until
// ctx ends. It does nothing while todo.digest is off.
func (s *Service) Run(ctx context.Context) error {
	if !s.opts.Config.Todo.Digest {
		return nil
	}
	for {
		if _, err := s.Digest(ctx); err != nil {
			s.log.Warn("daily digest", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Minute):
		}
	}
}

// Digest sends, once todo.digest_at has passed today, each follower still
// missing required tags who has had no digest today one message saying
// how many customers miss which group. It returns how many it sent. The
// day is recorded before the message is queued: a crash in between loses
// that day's digest rather than sending it twice.
func (s *Service) Digest(ctx context.Context) (int, error) {
	if s.opts.Notify == nil || !anyRequired(s.opts.Config) {
		return 0, nil
	}
	now := s.opts.Now().In(s.opts.Location)
	h, m, err := s.opts.Config.Todo.DigestClock()
	if err != nil {
		return 0, err
	}
	if now.Before(time.Date(now.Year(), now.Month(), now.Day(), h, m, 0, 0, now.Location())) {
		return 0, nil
	}
	day := now.Format(time.DateOnly)
	if s.doneDay.Load() == day {
		return 0, nil // every follower was seen to today: no need to read them again
	}
	users, err := s.Followers()
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, u := range users {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		ok, err := s.digestOne(ctx, u, day)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	s.doneDay.Store(day)
	return sent, nil
}

// digestOne sends u today's digest unless already sent or nothing is missing.
func (s *Service) digestOne(ctx context.Context, u, day string) (bool, error) {
	last, err := s.opts.Store.Meta(digestMeta(u))
	if err != nil {
		return false, fmt.Errorf("todo: last digest of %s: %w", u, err)
	}
	if last == day {
		return false, nil
	}
	v, err := commands.ViewerFor(s.opts.Config, s.opts.Store, u)
	if err != nil {
		return false, err
	}
	list, err := s.Of(u, v)
	if err != nil {
		return false, err
	}
	if err := s.opts.Store.SetMeta(digestMeta(u), day, digestKeep); err != nil {
		return false, fmt.Errorf("todo: record digest of %s: %w", u, err)
	}
	if len(list) == 0 {
		return false, nil
	}
	s.opts.Notify(ctx, u, digestText(list))
	s.log.Info("daily digest sent", "user", u, "customers", len(list))
	return true, nil
}

// digestText is the gentle reminder: how many, which groups, what to send.
func digestText(list []Missing) string {
	return fmt.Sprintf("今日提醒：你跟进的客户中有 %d 位还缺必选标签（%s）。发送 /todo 查看名单，补上后就不再提醒。",
		len(list), groupCounts(countByGroup(list)))
}
