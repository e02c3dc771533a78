// Package channel runs channel QR codes (渠道活码): `/qr` creates a WeCom
// 「联系我」 QR code (externalcontact/add_contact_way, scene 2) whose state
// names the channel; a customer who scans it arrives in an
// add_external_contact callback with that State and a WelcomeCode, and
// gets the channel's tags (a change-set of source channel) and, when the
// channel has one, its welcome text (externalcontact/send_welcome_msg).
package channel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tagbot/tagbot/bot"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// welcomeMemory is how long a WelcomeCode is remembered as used.
const welcomeMemory = 24 * time.Hour

// Options build a Service.
type Options struct {
	Store *store.Store
	API   wecom.ContactWays
	// Exclusive reports whether a tag group is exclusive: a channel tag of
	// it replaces the group's other tags on the new customer.
	Exclusive func(group string) bool
	Kick      func()           // wakes the outbox worker after a write
	Now       func() time.Time // time.Now when nil
	Logger    *slog.Logger
}

// Service is the channel QR codes: the /qr command (commands.Extension)
// and what the message loop calls on a new customer (bot.Channels).
type Service struct {
	opts Options
	log  *slog.Logger
}

var (
	_ commands.Extension = (*Service)(nil)
	_ bot.Channels       = (*Service)(nil)
)

// New returns the service.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Exclusive == nil {
		opts.Exclusive = func(string) bool { return false }
	}
	if opts.Kick == nil {
		opts.Kick = func() {}
	}
	return &Service{opts: opts, log: opts.Logger.With("pkg", "channel")}
}

// Welcome sends the welcome text of the channel named by state with
// welcomeCode, at most once per code (WeCom retries callbacks; the code
// is marked used before it is sent). Failures are logged: the customer
// simply gets no welcome.
func (s *Service) Welcome(ctx context.Context, userID, externalUserID, state, welcomeCode string) {
	ch, err := s.opts.Store.ChannelByState(state)
	if err != nil || ch.Welcome == "" {
		return
	}
	key := "chw:" + welcomeCode
	if seen, err := s.opts.Store.Meta(key); err != nil || seen != "" {
		return
	}
	if err := s.opts.Store.SetMeta(key, externalUserID, welcomeMemory); err != nil {
		s.log.Warn("welcome not sent: cannot mark the code used", "channel", ch.Name, "err", err)
		return
	}
	if err := s.opts.API.SendWelcomeMsg(ctx, welcomeCode, ch.Welcome); err != nil {
		s.log.Warn("welcome not sent", "channel", ch.Name, "customer", externalUserID, "follower", userID, "err", err)
		return
	}
	s.log.Info("channel welcome sent", "channel", ch.Name, "customer", externalUserID, "follower", userID)
}

// Arrived applies the tags of the channel named by state to the new
// relationship (source channel, the reason naming the channel). A state
// of no channel, or tags already there, change nothing.
func (s *Service) Arrived(_ context.Context, userID, externalUserID, state string) error {
	ch, err := s.opts.Store.ChannelByState(state)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	rel, err := s.opts.Store.Relationship(externalUserID, userID)
	if errors.Is(err, store.ErrNoRelationship) {
		s.log.Info("channel customer not followed (yet)", "channel", ch.Name, "customer", externalUserID)
		return nil
	}
	if err != nil {
		return err
	}
	add, remove, err := s.plan(ch, rel)
	if err != nil || len(add) == 0 {
		return err
	}
	_, err = s.opts.Store.Apply(store.ChangeSet{
		Actor: "system", Source: store.SourceChannel, Customer: externalUserID, Follower: userID,
		Add: add, Remove: remove, Reason: fmt.Sprintf("渠道「%s」扫码添加", ch.Name),
	})
	if errors.Is(err, store.ErrNoChange) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("apply channel %s: %w", ch.Name, err)
	}
	s.opts.Kick()
	return nil
}

// plan is what the channel's tags change on rel: the live ones it lacks,
// and for an exclusive group the group's other tags it has.
func (s *Service) plan(ch store.Channel, rel store.Relationship) (add, remove []store.TagRef, err error) {
	groups := map[string]bool{}
	for _, ref := range ch.Tags {
		t, err := s.opts.Store.Tag(ref.ID)
		if errors.Is(err, store.ErrUnknownTag) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if t.Deleted {
			s.log.Warn("channel tag deleted from the library; skipped", "channel", ch.Name, "tag", t.Name)
			continue
		}
		if s.opts.Exclusive(t.GroupName) {
			groups[t.GroupID] = true
		}
		add = append(add, t.Ref())
	}
	for _, id := range rel.TagIDs() {
		t, err := s.opts.Store.Tag(id)
		if err != nil || !groups[t.GroupID] || hasRef(add, id) {
			continue
		}
		remove = append(remove, t.Ref())
	}
	return add, remove, nil
}

func hasRef(refs []store.TagRef, id string) bool {
	for _, r := range refs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// zone is the time zone of times shown to users.
var zone = config.ChinaZone
