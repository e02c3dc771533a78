package stats

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/tagbot/tagbot/store"
)

// RuleCount is how a rule's suggestions ended: confirmed (wholly or in
// part), rejected by the employee, expired unanswered, and still pending.
type RuleCount struct {
	Rule      string
	Confirmed int
	Rejected  int
	Expired   int
	Pending   int
	Other     int // dropped: the relationship or its tags went away
}

// Total is every suggestion of the rule.
func (r RuleCount) Total() int { return r.Confirmed + r.Rejected + r.Expired + r.Pending + r.Other }

// Decided is the suggestions confirmed, rejected or expired.
func (r RuleCount) Decided() int { return r.Confirmed + r.Rejected + r.Expired }

// ConfirmRate is the share of decided suggestions that were confirmed (0
// when none is decided: Render shows "—" then, not 0%).
func (r RuleCount) ConfirmRate() float64 {
	if r.Decided() == 0 {
		return 0
	}
	return float64(r.Confirmed) / float64(r.Decided())
}

// Rules is /stats rules: suggestions created since Since, per rule, most first.
type Rules struct {
	Since time.Time
	Rules []RuleCount
	// HistoryFrom is the first full sync when the since asked for was
	// before it (Since was moved after it); zero otherwise.
	HistoryFrom time.Time
}

// Rules counts the suggestions created since (30 days back when zero)
// per rule and outcome; within sc, only the follower's suggestions.
func (s *Stats) Rules(since time.Time, sc Scope) (*Rules, error) {
	since, _, from, err := s.window(since, time.Time{})
	if err != nil {
		return nil, err
	}
	raw, err := s.Store.SuggestionCounts(since, sc.Follower)
	if err != nil {
		return nil, fmt.Errorf("read suggestions: %w", err)
	}
	out := &Rules{Since: since, HistoryFrom: from}
	for rule, by := range raw {
		rc := RuleCount{Rule: rule}
		for status, n := range by {
			switch status {
			case store.SuggestionConfirmed, store.SuggestionPartial:
				rc.Confirmed += n
			case store.SuggestionRejected:
				rc.Rejected += n
			case store.SuggestionExpired:
				rc.Expired += n
			case store.SuggestionPending:
				rc.Pending += n
			default:
				rc.Other += n
			}
		}
		out.Rules = append(out.Rules, rc)
	}
	slices.SortFunc(out.Rules, func(a, b RuleCount) int {
		return cmp.Or(cmp.Compare(b.Total(), a.Total()), cmp.Compare(a.Rule, b.Rule))
	})
	return out, nil
}
