// Package stats answers the questions managers ask of the tag data: how
// many customers carry each tag and how that moved, which tags overlap,
// how a tag trends, who on the team changes what, how the rules' suggestions
// fare. It reads the store only (never WeCom) and returns plain result
// structs, so the /stats command, natural language (issue 7) and charts
// all call the same code; Render turns a result into a short Chinese text.
// 统计：标签客户数、交叉分析、趋势、团队与规则。
//
// Counts are of customers: a customer with a tag on any relationship in
// scope counts once. Changes over time are derived from the ledger (every
// effective change-set, undo and rollback included), never from a second
// counter that could drift. History starts after the first full sync (its
// change-sets are the starting state, not growth; a window reaching back
// before it is moved and the reply says so), and a deleted tag restored
// under a new id is one tag with its older ids (Tag.RestoredAs).
//
// Per-employee statistics count changes as the user sees them: the
// change-sets of one batch on one customer are one change (a /rollback of
// a customer with two followers writes two change-sets, one per
// relationship, and counts once); a change-set outside a batch is one.
// A person's changes are their own (every source but undo), listed by
// source with the same counts; undos and redos are counted apart.
package stats

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Kind is which statistic a Query asks for. 统计类型。
type Kind string

// Kinds of statistics.
const (
	KindOverview Kind = "overview" // customers per tag, with the 7- and 30-day change
	KindCross    Kind = "cross"    // overlap of 2–6 tags
	KindTrend    Kind = "trend"    // adds and removes of one tag per day or week
	KindPerson   Kind = "person"   // one employee's changes
	KindTeam     Kind = "team"     // every employee's changes
	KindRules    Kind = "rules"    // suggestions per rule
	KindChannels Kind = "channels" // customers per channel QR code (channels.go)
)

// Limits of a cross analysis.
const (
	MinCrossTags = 2
	MaxCrossTags = 6
	// PageSize is how many customers having all tags a cross analysis lists per page.
	PageSize = 10
)

// Query is a parsed statistics request. Tags are resolved library tags;
// zero times mean the kind's default window (30 days back to now).
type Query struct {
	Kind   Kind
	Tags   []store.Tag
	UserID string // KindPerson: the employee
	// Asker is who asks: /stats @Asker (oneself) is never an unknown
	// employee, even before one's first customer or change.
	Asker string
	Since time.Time
	Until time.Time
	Page  int // KindCross: page of the customers having all tags, from 1
}

// Scope is what the asker may count: Follower "" is every relationship
// (managers and admins); otherwise only that employee's relationships.
// commands builds it from its Viewer policy.
type Scope struct {
	Follower string
	// HideChange, when set, reports a change-set the asker may not see
	// (it touches only tag groups hidden from them, commands' visible_to):
	// per-employee counts leave it out.
	HideChange func(cs *store.ChangeSet) bool
}

// ErrQuery is wrapped by errors about the query itself (wrong number of
// tags, window backwards); their text is safe to show.
var ErrQuery = errors.New("stats: bad query")

// HistoryError is the answer to a window that ends at or before the first
// full sync: the ledger records no change there (the sync's change-sets
// are the starting state). From is the first sync; it wraps ErrQuery.
type HistoryError struct{ From time.Time }

// Error implements error.
func (e *HistoryError) Error() string {
	return fmt.Sprintf("%v: the window ends before the first full sync at %s", ErrQuery, e.From.Format(time.RFC3339))
}

// Unwrap returns ErrQuery.
func (e *HistoryError) Unwrap() error { return ErrQuery }

// Stats computes statistics from a store. 统计服务。
type Stats struct {
	Store *store.Store
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Location is the time zone of days and weeks; China Standard Time when nil.
	Location *time.Location

	cache eventCache // the managers' 30-day events (events.go)
}

// Result is the answer to a Query: exactly the field of its Kind is set.
type Result struct {
	Kind     Kind
	Overview *Overview
	Cross    *Cross
	Trend    *Trend
	Team     *Team // KindPerson and KindTeam
	Rules    *Rules
	Channels *Channels
	// Mine says the counts are the asker's own customers (Scope.Follower
	// was set): chart titles say 你跟进的, as Render's mine does.
	Mine bool
	// At is when Run answered (the Stats clock): a trend chart shows the
	// year on dates outside At's year.
	At time.Time
}

// Run answers q within sc: the one entry point for commands and natural
// language.
func (s *Stats) Run(q Query, sc Scope) (Result, error) {
	res := Result{Kind: q.Kind, Mine: sc.Follower != "", At: s.now()}
	var err error
	switch q.Kind {
	case KindOverview:
		res.Overview, err = s.Overview(sc)
	case KindCross:
		res.Cross, err = s.Cross(q.Tags, q.Page, sc)
	case KindTrend:
		if len(q.Tags) != 1 {
			return res, fmt.Errorf("%w: trend needs one tag", ErrQuery)
		}
		res.Trend, err = s.Trend(q.Tags[0], q.Since, q.Until, sc)
	case KindPerson:
		res.Team, err = s.people(q.UserID, q.Since, q.Until, sc.HideChange)
		var unknown *UnknownEmployeeError
		if errors.As(err, &unknown) && q.UserID == q.Asker {
			since, until, from, _ := s.window(q.Since, q.Until) // People checked it
			res.Team, err = &Team{Since: since, Until: until, HistoryFrom: from, People: []Person{{UserID: q.UserID, BySource: map[store.Source]int{}}}}, nil
		}
	case KindTeam:
		res.Team, err = s.people("", q.Since, q.Until, sc.HideChange)
	case KindRules:
		res.Rules, err = s.Rules(q.Since, sc)
	case KindChannels:
		res.Channels, err = s.Channels(sc)
	default:
		return res, fmt.Errorf("%w: unknown kind %q", ErrQuery, q.Kind)
	}
	return res, err
}

// Warm reads what the managers' /stats and cross analyses need into the
// cache: the last 30 days of ledger events and the customers of every live
// tag. serve runs it in the background at start, so the first /stats does
// not pay for it (a few seconds on a million customers).
func (s *Stats) Warm(ctx context.Context) error {
	tags, err := s.Store.Tags(false)
	if err != nil {
		return fmt.Errorf("stats warm-up: %w", err)
	}
	ids := make([]string, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := s.withTagSets(ids, func([]*roaring.Bitmap, []string) {}); err != nil {
		return fmt.Errorf("stats warm-up: %w", err)
	}
	return nil
}

func (s *Stats) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Stats) loc() *time.Location {
	if s.Location == nil {
		return config.ChinaZone
	}
	return s.Location
}

// window fills a zero since with 30 days before now and a zero until
// with now (inclusive: a change-set stamped this instant counts). A since
// before the first full sync is moved to just after it: the first sync's
// change-sets are the starting state, not changes. from is then the first
// sync (zero when the window was not moved).
func (s *Stats) window(since, until time.Time) (_, _, from time.Time, err error) {
	now := s.now().Add(time.Nanosecond)
	if until.IsZero() || until.After(now) {
		until = now
	}
	if since.IsZero() {
		since = until.AddDate(0, 0, -30)
	}
	since, from, err = s.clampSince(since)
	if err != nil {
		return since, until, from, err
	}
	if !since.Before(until) && !from.IsZero() {
		return since, until, from, &HistoryError{From: from}
	}
	if !since.Before(until) {
		return since, until, from, fmt.Errorf("%w: since is not before until", ErrQuery)
	}
	return since, until, from, nil
}

// clampSince moves a since at or before the first full sync to just after
// it and returns the first sync as from; otherwise since and a zero from.
func (s *Stats) clampSince(since time.Time) (_, from time.Time, err error) {
	first, err := s.Store.FirstSyncedAt()
	if err != nil {
		return since, from, fmt.Errorf("read first sync: %w", err)
	}
	if first.IsZero() || since.After(first) {
		return since, from, nil
	}
	return first.Add(time.Nanosecond), first, nil
}

// customersInScope counts the customers the scope covers.
func (s *Stats) customersInScope(sc Scope) (int, error) {
	if sc.Follower == "" {
		return s.Store.CustomerTotal()
	}
	return s.Store.FollowedCount(sc.Follower)
}
