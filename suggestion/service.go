// Package suggestion turns classification matches into suggestions the
// follower decides: it stores them (store.AddSuggestion), sends the follower
// a card with 确认 / 忽略, applies the chosen tags when the card is clicked
// or /confirm N is sent (store.ConfirmSuggestion: exactly once), expires
// what nobody answered, and runs /suggestions, /rules, /classify and
// /reload. Admins' `mode: auto` rules are applied at once and the follower
// is told how to undo them. 建议：把分类结果变成跟进人一键确认的标签建议。
//
// Service implements classify.Offerer (for the classification worker) and
// commands.SuggestionHandler (for the command router).
package suggestion

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Defaults of Options.
const (
	// DefaultExpireAfter is how long a suggestion waits for its follower.
	DefaultExpireAfter = 3 * 24 * time.Hour
	// DefaultRejectMemory is how long a rejected rule stays quiet for a relationship.
	DefaultRejectMemory = 30 * 24 * time.Hour
	// StatsWindow is the window of /rules.
	StatsWindow = 30 * 24 * time.Hour
)

// Replier delivers replies to a member, within the per-member message
// limits; bot.Sender implements it. 发消息给成员。
type Replier interface {
	Send(ctx context.Context, userID string, replies []commands.Reply)
}

// CardUpdater changes a sent card's button into text
// (message/update_template_card); bot.Sender implements it.
type CardUpdater interface {
	UpdateCard(ctx context.Context, userID, responseCode, buttonText string)
}

// RuleLister lists the rules in force; classify.Engine implements it.
type RuleLister interface {
	Rules() []classify.RuleInfo
}

// RuleReloader reloads the rule set (config and packs), keeping the old one
// when the new one is bad; app.Main implements it. 重新加载规则。
type RuleReloader interface {
	ReloadRules() error
}

// ReloadSummarizer is a RuleReloader that also says what else its last
// reload loaded (triggers, lifecycle rules) and what waits for a restart;
// /reload adds it to its reply.
type ReloadSummarizer interface {
	ReloadSummary() string
}

// Submitter hands messages an employee pasted (/classify) to the
// classification intake; they are classified asynchronously and matches
// come back through Offer. intake.Queue implements it.
type Submitter interface {
	Submit(ctx context.Context, msgs []classify.Message, events []classify.Event) (accepted, dups int, err error)
}

// Options configure New. Store and Replier are required.
type Options struct {
	Store   *store.Store
	Replier Replier
	// Updater, when set, updates a card decided by /confirm N, /reject N
	// or expiry (clicks update their own card through the bot loop).
	Updater CardUpdater
	// Kick wakes the outbox worker after tags were applied; may be nil.
	Kick func()
	// Rules, Reloader and Submitter back /rules, /reload and /classify;
	// each command says it is unavailable when its one is nil.
	Rules     RuleLister
	Reloader  RuleReloader
	Submitter Submitter
	// Policy, when set, checks the tags a follower confirms against the tag
	// group policies (commands.Router.SuggestionPolicy): an error refuses
	// the confirm; the tags returned are taken off with it (exclusive groups).
	Policy func(userID string, rel store.Relationship, add []store.TagRef) ([]store.TagRef, error)
	// Visible, when set, keeps the tags userID may see (groups.*.visible_to):
	// the note of an auto rule's change names only those.
	Visible func(userID string, refs []store.TagRef) []store.TagRef
	// ExpireAfter is how long a suggestion stays open (DefaultExpireAfter when 0).
	ExpireAfter time.Duration
	// RejectMemory is how long a rejection keeps a rule quiet (DefaultRejectMemory when 0).
	RejectMemory time.Duration
	// Now is the clock (time.Now when nil); Location the users' zone (UTC+8 when nil).
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
}

// Service offers, decides and expires suggestions. It is safe for
// concurrent use.
type Service struct {
	opts Options
	st   *store.Store
	log  *slog.Logger
	lock func() (unlock func()) // SetWriteLock
}

var (
	_ classify.Offerer           = (*Service)(nil)
	_ commands.SuggestionHandler = (*Service)(nil)
)

// New checks the options and returns a Service.
func New(opts Options) (*Service, error) {
	if opts.Store == nil || opts.Replier == nil {
		return nil, errors.New("suggestion: Options.Store and Options.Replier are required")
	}
	if opts.Kick == nil {
		opts.Kick = func() {}
	}
	if opts.ExpireAfter <= 0 {
		opts.ExpireAfter = DefaultExpireAfter
	}
	if opts.RejectMemory <= 0 {
		opts.RejectMemory = DefaultRejectMemory
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = config.ChinaZone
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{opts: opts, st: opts.Store, log: opts.Logger.With("pkg", "suggestion")}, nil
}

// SetRules sets the rule lister and reloader after New (the engine may be
// built after the router that needs the Service); call it before the bot
// starts.
func (s *Service) SetRules(rules RuleLister, reloader RuleReloader) {
	s.opts.Rules, s.opts.Reloader = rules, reloader
}

// SetPolicy sets Options.Policy (before the bot starts: the router that
// implements it is built after the Service).
func (s *Service) SetPolicy(p func(userID string, rel store.Relationship, add []store.TagRef) ([]store.TagRef, error)) {
	s.opts.Policy = p
}

// SetWriteLock sets the lock taken around a policy check and the write it
// allows (commands.Router.LockWrites), before the bot starts.
func (s *Service) SetWriteLock(lock func() (unlock func())) { s.lock = lock }

// writeLock takes the write lock when one is set.
func (s *Service) writeLock() (unlock func()) {
	if s.lock == nil {
		return func() {}
	}
	return s.lock()
}

// SetSubmitter sets the intake /classify submits to (before the bot starts).
func (s *Service) SetSubmitter(sub Submitter) { s.opts.Submitter = sub }

// CardSent records the response code of a sent suggestion card, for one
// update when it is decided by command or expires; it has the shape of
// bot.SenderOptions.CardSent.
func (s *Service) CardSent(ctx context.Context, userID, taskID, responseCode string) {
	if !IsCard(taskID) {
		return
	}
	if err := s.st.SuggestionCardSent(taskID, responseCode); err != nil {
		s.log.WarnContext(ctx, "suggestion card code not kept", "task", taskID, "err", err)
	}
}

// updateCard shows on a suggestion's card how it ended, when it was
// decided other than by a click on it.
func (s *Service) updateCard(ctx context.Context, sg store.Suggestion) {
	if s.opts.Updater != nil && sg.ResponseCode != "" {
		s.opts.Updater.UpdateCard(ctx, sg.Follower, sg.ResponseCode, statusLabel(sg))
	}
}
