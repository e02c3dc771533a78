package intake

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/store"
)

// normalize folds text for Count the way rules match it (full-width,
// letter case, traditional → simplified): classify.Normalize.
var normalize = classify.Normalize

// facts answers a rule's questions about one activity for one follower
// from the store. Count and Events read the customer's history within the
// window once per window and cache it: one classification asks many.
type facts struct {
	store    *store.Store
	act      store.Activity
	follower string

	custOnce sync.Once
	cust     classify.CustomerFacts

	mu     sync.Mutex
	window map[time.Duration][]windowed
}

// windowed is an activity of a window with its normalised text.
type windowed struct {
	*store.Activity
	norm string
}

var _ classify.Facts = (*facts)(nil)

// newFacts returns the Facts of activity a for follower.
func newFacts(s *store.Store, a store.Activity, follower string) *facts {
	return &facts{store: s, act: a, follower: follower, window: map[time.Duration][]windowed{}}
}

// Customer is the customer and the relationship with the follower; what the
// store cannot read is left empty (a rule then sees no tags, no add time).
func (f *facts) Customer() classify.CustomerFacts {
	f.custOnce.Do(func() {
		f.cust = classify.CustomerFacts{ID: f.act.Customer}
		if c, err := f.store.Customer(f.act.Customer); err == nil {
			f.cust.Name = c.Name
		}
		rel, err := f.store.Relationship(f.act.Customer, f.follower)
		if err != nil {
			return
		}
		f.cust.Added, f.cust.State = rel.CreateTime, rel.State
		for _, id := range rel.TagIDs() {
			if t, err := f.store.Tag(id); err == nil && !t.Deleted {
				f.cust.Tags = append(f.cust.Tags, t.Name)
			}
		}
		slices.Sort(f.cust.Tags)
	})
	return f.cust
}

// Count is how many messages the customer wrote within window up to the
// activity's time whose normalised text contains the normalised word, the
// activity itself included.
func (f *facts) Count(word string, window time.Duration) (int, error) {
	acts, err := f.within(window)
	if err != nil {
		return 0, err
	}
	w := normalize(word)
	n := 0
	for _, a := range acts {
		if a.Kind == store.ActivityMessage && a.From == classify.FromCustomer && strings.Contains(a.norm, w) {
			n++
		}
	}
	return n, nil
}

// Events is how many events of eventType the customer had within window up
// to the activity's time, the activity itself included.
func (f *facts) Events(eventType string, window time.Duration) (int, error) {
	acts, err := f.within(window)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range acts {
		if a.Kind == store.ActivityEvent && a.Type == eventType {
			n++
		}
	}
	return n, nil
}

// within lists the customer's activities in [time-window, time].
func (f *facts) within(window time.Duration) ([]windowed, error) {
	if window <= 0 {
		return nil, errors.New("intake: window must be positive")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if acts, ok := f.window[window]; ok {
		return acts, nil
	}
	var acts []windowed
	err := f.store.CustomerActivities(f.act.Customer, f.act.Time.Add(-window), f.act.Time, false, func(a *store.Activity) bool {
		w := windowed{Activity: a}
		if a.Kind == store.ActivityMessage {
			w.norm = normalize(a.Text)
		}
		acts = append(acts, w)
		return true
	})
	if err == nil {
		f.window[window] = acts
	}
	return acts, err
}

// Recent is the conversation of the customer with the follower (and the
// customer's messages to no one in particular, e.g. 微信客服) up to and
// including the activity, oldest first, at most limit messages.
func (f *facts) Recent(limit int) ([]classify.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []classify.Message
	err := f.store.CustomerActivities(f.act.Customer, time.Time{}, f.act.Time, true, func(a *store.Activity) bool {
		if a.Kind == store.ActivityMessage && (a.Employee == "" || a.Employee == f.follower) {
			out = append(out, toMessage(a))
		}
		return len(out) < limit
	})
	slices.Reverse(out)
	return out, err
}

// toMessage is a message activity as classify sees it.
func toMessage(a *store.Activity) classify.Message {
	return classify.Message{ID: Ref(a.ID), Customer: a.Customer, Employee: a.Employee, From: a.From, Text: a.Text, Time: a.Time}
}

// toInput is an activity as the classifier sees it.
func toInput(a *store.Activity) (classify.Input, error) {
	if a.Kind == store.ActivityMessage {
		m := toMessage(a)
		return classify.Input{Message: &m}, nil
	}
	attrs, err := unmarshalAttrs(a.Attrs)
	if err != nil {
		return classify.Input{}, err
	}
	return classify.Input{Event: &classify.Event{ID: Ref(a.ID), Customer: a.Customer, Employee: a.Employee, Type: a.Type, Time: a.Time, Attrs: attrs}}, nil
}

// unmarshalAttrs decodes stored attributes; numbers become float64, as
// encoding/json gives them (expr compares them with ints fine).
func unmarshalAttrs(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}
