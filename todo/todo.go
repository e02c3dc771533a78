// Package todo finds the customers who miss a tag of a required group
// (groups.<组名>.required: true): the /todo command lists them, per
// employee for managers, and a gentle daily digest tells each follower how
// many of theirs miss one (at most one message a day, sent through the
// bot's rate-limited sender, remembered in the store across restarts).
// 必选标签组：/todo 与每日提醒。
package todo

import (
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Options configure a Service.
type Options struct {
	Store  *store.Store
	Config *config.Config
	// Notify sends a text to a member (bot.Sender.Notify: queued in the
	// store, within WeCom's per-member message limits).
	Notify Notifier
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Location is the zone of todo.digest_at; China Standard Time when nil.
	Location *time.Location
	Logger   *slog.Logger
}

// Service answers /todo and sends the daily digest. 待补标签。
type Service struct {
	opts Options
	log  *slog.Logger
	// doneDay is the day (todo.digest_at's zone) every follower had their
	// digest considered, so Run's minutely check costs nothing after it.
	doneDay atomicString
}

// atomicString is a string safe for concurrent use.
type atomicString struct{ v atomic.Value }

// Load returns the string stored, "" before any.
func (a *atomicString) Load() string {
	s, _ := a.v.Load().(string)
	return s
}

// Store sets the string.
func (a *atomicString) Store(s string) { a.v.Store(s) }

// New returns a Service.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = config.ChinaZone
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{opts: opts, log: opts.Logger.With("pkg", "todo")}
}

// Missing is one relationship lacking a tag of some required groups.
type Missing struct {
	Customer string   // external_userid
	Follower string   // userid
	Groups   []string // the required groups it has no tag of, sorted
}

// required lists the required groups v sees that have live tags (a group
// with no tag in the library cannot be filled), and each live tag's group.
func (s *Service) required(v commands.Viewer) (groups []string, groupOf map[string]string, err error) {
	tags, err := s.opts.Store.Tags(false)
	if err != nil {
		return nil, nil, fmt.Errorf("todo: read tags: %w", err)
	}
	groupOf = map[string]string{}
	inLib := map[string]bool{}
	for _, t := range tags {
		groupOf[t.ID] = t.GroupName
		inLib[t.GroupName] = true
	}
	for name, g := range s.opts.Config.Groups {
		if g.Required && inLib[name] && v.SeesGroup(name) {
			groups = append(groups, name)
		}
	}
	slices.Sort(groups)
	return groups, groupOf, nil
}

// missingOf lists follower's relationships missing a tag of groups, in
// customer id order.
func (s *Service) missingOf(follower string, groups []string, groupOf map[string]string) ([]Missing, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	var out []Missing
	err := s.opts.Store.Followed(follower, func(rel store.Relationship) bool {
		has := map[string]bool{}
		for id := range rel.Tags {
			has[groupOf[id]] = true
		}
		var lack []string
		for _, g := range groups {
			if !has[g] {
				lack = append(lack, g)
			}
		}
		if len(lack) > 0 {
			out = append(out, Missing{Customer: rel.Customer, Follower: follower, Groups: lack})
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("todo: relationships of %s: %w", follower, err)
	}
	return out, nil
}

// Of returns what follower is missing, counting the required groups both
// the follower and asker see (asker may be the follower).
func (s *Service) Of(follower string, asker commands.Viewer) ([]Missing, error) {
	fv, err := commands.ViewerFor(s.opts.Config, s.opts.Store, follower)
	if err != nil {
		return nil, err
	}
	groups, groupOf, err := s.required(asker)
	if err != nil {
		return nil, err
	}
	groups = slices.DeleteFunc(groups, func(g string) bool { return !fv.SeesGroup(g) })
	return s.missingOf(follower, groups, groupOf)
}

// Followers lists, sorted, the members who follow at least one customer.
func (s *Service) Followers() ([]string, error) {
	all, err := s.opts.Store.Employees()
	if err != nil {
		return nil, fmt.Errorf("todo: employees: %w", err)
	}
	var out []string
	for _, u := range all {
		if n, err := s.opts.Store.FollowedCount(u); err == nil && n > 0 {
			out = append(out, u)
		}
	}
	return out, nil
}

// countByGroup counts the missing relationships per group.
func countByGroup(list []Missing) map[string]int {
	out := map[string]int{}
	for _, m := range list {
		for _, g := range m.Groups {
			out[g]++
		}
	}
	return out
}

// anyRequired reports whether some group is required.
func anyRequired(cfg *config.Config) bool {
	for _, g := range cfg.Groups {
		if g.Required {
			return true
		}
	}
	return false
}
