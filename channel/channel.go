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
	"strings"
	"time"

	"github.com/tagbot/tagbot/bot"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
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
	// Max is the most tags of a group per customer (0: no limit): /qr
	// refuses a channel whose tags alone pass it, and a channel tag that
	// would pass it on a new customer is skipped.
	Max    func(group string) int
	Kick   func()           // wakes the outbox worker after a write
	Now    func() time.Time // time.Now when nil
	Logger *slog.Logger
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
	if opts.Max == nil {
		opts.Max = func(string) int { return 0 }
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
	add, remove, skipped, err := s.plan(ch, rel)
	if err != nil || len(add) == 0 {
		return err
	}
	reason := fmt.Sprintf("渠道「%s」扫码添加", ch.Name)
	if len(skipped) > 0 {
		reason += "；" + strings.Join(skipped, "；")
	}
	_, err = s.opts.Store.Apply(store.ChangeSet{
		Actor: "system", Source: store.SourceChannel, Customer: externalUserID, Follower: userID,
		Add: add, Remove: remove, Reason: reason,
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
// and for an exclusive group the group's other tags it has. A tag that
// would give its group more tags than the group's max is skipped (logged,
// and named in skipped for the change-set's reason).
func (s *Service) plan(ch store.Channel, rel store.Relationship) (add, remove []store.TagRef, skipped []string, err error) {
	groups := map[string]bool{}
	var tags []store.Tag
	for _, ref := range ch.Tags {
		t, err := s.opts.Store.Tag(ref.ID)
		if errors.Is(err, store.ErrUnknownTag) {
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if t.Deleted {
			s.log.Warn("channel tag deleted from the library; skipped", "channel", ch.Name, "tag", t.Name)
			continue
		}
		if s.opts.Exclusive(t.GroupName) {
			groups[t.GroupID] = true
		}
		tags = append(tags, t)
	}
	count := map[string]int{} // group id → tags rel keeps
	for _, id := range rel.TagIDs() {
		t, err := s.opts.Store.Tag(id)
		if err != nil {
			continue
		}
		if groups[t.GroupID] && !hasTag(tags, id) {
			remove = append(remove, t.Ref())
			continue
		}
		count[t.GroupID]++
	}
	for _, t := range tags {
		if _, has := rel.Tags[t.ID]; has {
			add = append(add, t.Ref())
			continue
		}
		if max := s.opts.Max(t.GroupName); max > 0 && count[t.GroupID] >= max {
			s.log.Info("channel tag skipped: the group is at its max", "channel", ch.Name, "tag", t.Name, "group", t.GroupName, "max", max)
			skipped = append(skipped, fmt.Sprintf("未加「%s」：标签组「%s」最多 %d 个", display.Name(t.Name), display.Name(t.GroupName), max))
			continue
		}
		count[t.GroupID]++
		add = append(add, t.Ref())
	}
	return add, remove, skipped, nil
}

func hasTag(tags []store.Tag, id string) bool {
	for _, t := range tags {
		if t.ID == id {
			return true
		}
	}
	return false
}

// zone is the time zone of times shown to users.
var zone = config.ChinaZone
