package classify

import (
	"errors"
	"strings"
	"time"

	"github.com/expr-lang/expr"

	"github.com/tagbot/tagbot/classify/rules"
)

// errNoFacts is what count and events return when the caller gave no Facts.
var errNoFacts = errors.New("no facts for this input")

// env builds the condition environment for one input: the message or the
// event, the customer, and the helper functions bound to facts (nil facts:
// count and events fail, so a rule using them does not match).
func env(in Input, facts Facts, zone *time.Location) rules.Env {
	var cf CustomerFacts
	if facts != nil {
		cf = facts.Customer()
	}
	now := in.Time()
	e := rules.Env{
		Customer: rules.CustomerEnv{ID: cf.ID, Name: cf.Name, Added: cf.Added, State: cf.State, Tags: cf.Tags},
		Count: func(word, window string) (int, error) {
			d, err := rules.ParseWindow(window)
			if err != nil {
				return 0, err
			}
			if facts == nil {
				return 0, errNoFacts
			}
			return facts.Count(Normalize(word), d)
		},
		Events: func(eventType, window string) (int, error) {
			d, err := rules.ParseWindow(window)
			if err != nil {
				return 0, err
			}
			if facts == nil {
				return 0, errNoFacts
			}
			return facts.Events(eventType, d)
		},
		Hour:      func(t time.Time) int { return t.In(zone).Hour() },
		Weekday:   func(t time.Time) int { return int(t.In(zone).Weekday()) },
		DaysSince: func(t time.Time) int { return int(now.Sub(t) / (24 * time.Hour)) },
		HasTag: func(name string) bool {
			name = strings.TrimSpace(name)
			for _, t := range cf.Tags {
				if strings.TrimSpace(t) == name {
					return true
				}
			}
			return false
		},
		Contains: func(text, word string) bool { return strings.Contains(Normalize(text), Normalize(word)) },
	}
	if m := in.Message; m != nil {
		e.Message = rules.MessageEnv{Text: m.Text, From: m.From, Time: m.Time, Employee: m.Employee}
		if m.From != FromEmployee {
			e.Customer.LastMessage = m.Time
		}
	}
	if ev := in.Event; ev != nil {
		e.Event = rules.EventEnv{Type: ev.Type, Time: ev.Time, Attrs: ev.Attrs}
	}
	return e
}

// evalWhen runs a rule's compiled condition; a run-time error is false,
// returned so the engine counts and logs it.
func evalWhen(r *rules.Rule, e *rules.Env) (bool, error) {
	out, err := expr.Run(r.Program(), *e)
	if err != nil {
		return false, err
	}
	ok, _ := out.(bool)
	return ok, nil
}
