// Package intake receives what customers say and do — /api/v1/messages,
// /api/v1/events, 微信客服 (kf) and in-process callers such as /classify and
// the demo — stores it durably as activities (store/activity.go) and
// classifies it in the background: the Worker builds the customer's Facts
// from the store, asks the classify.Classifier and hands non-empty matches
// to the classify.Offerer. 接收客户的消息与行为事件，持久化后异步归类。
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/store"
)

// Limits of one submission. 单次提交的上限。
const (
	MaxItems     = 1000      // items per request
	MaxTextBytes = 16 << 10  // bytes of one message's text
	MaxAttrBytes = 8 << 10   // bytes of one event's attrs
	maxIDBytes   = 128       // bytes of an id (idempotency key, customer, employee)
	maxTypeBytes = 64        // bytes of an event type
	farFuture    = time.Hour // how far ahead of the clock a time may be
)

// Queue validates and stores submissions and wakes the worker. It is safe
// for concurrent use. 提交队列。
type Queue struct {
	store     *store.Store
	retention time.Duration
	now       func() time.Time
	wake      func()
	counted   func(accepted, duplicates int)
}

// QueueOptions configure a Queue.
type QueueOptions struct {
	Retention time.Duration    // how long history is kept; 0 = store.DefaultHistory
	Now       func() time.Time // clock; time.Now when nil
	Wake      func()           // called after items were stored (Worker.Wake); may be nil
	// Counted, when set, is told how many items of each submission were
	// accepted and how many were duplicates. For metrics; must not block.
	Counted func(accepted, duplicates int)
}

// NewQueue returns a Queue over s.
func NewQueue(s *store.Store, opts QueueOptions) *Queue {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Wake == nil {
		opts.Wake = func() {}
	}
	return &Queue{store: s, retention: opts.Retention, now: opts.Now, wake: opts.Wake, counted: opts.Counted}
}

// Submit stores messages and events typed or pasted in chat (source
// "chat"); see SubmitFrom.
func (q *Queue) Submit(ctx context.Context, msgs []classify.Message, events []classify.Event) (accepted, dups int, err error) {
	return q.SubmitFrom(ctx, store.ActivityChat, msgs, events)
}

// SubmitFrom validates messages and events as the API does (a zero time
// means now), stores them durably in one transaction and wakes the worker.
// Nothing is stored when any item is refused; the error is then an *Error
// whose Index counts the messages first, then the events. An item with an
// ID seen before from the same source is a duplicate: counted, not stored.
func (q *Queue) SubmitFrom(ctx context.Context, src store.ActivitySource, msgs []classify.Message, events []classify.Event) (accepted, dups int, err error) {
	if len(msgs)+len(events) > MaxItems {
		return 0, 0, &Error{Code: CodeTooMany, Index: -1, Message: fmt.Sprintf("at most %d items per request", MaxItems)}
	}
	now := q.now()
	acts := make([]store.Activity, 0, len(msgs)+len(events))
	for i, m := range msgs {
		if m.Time.IsZero() {
			m.Time = now
		}
		a, e := messageActivity(i, m, src, now)
		if e != nil {
			return 0, 0, e
		}
		acts = append(acts, a)
	}
	for i, ev := range events {
		if ev.Time.IsZero() {
			ev.Time = now
		}
		a, e := eventActivity(len(msgs)+i, ev, src, now)
		if e != nil {
			return 0, 0, e
		}
		acts = append(acts, a)
	}
	return q.put(ctx, acts, "", "")
}

// put checks the customers and relationships of validated activities and
// stores them (with a cursor, if named) in one transaction.
func (q *Queue) put(_ context.Context, acts []store.Activity, cursorName, cursor string) (accepted, dups int, err error) {
	if err := q.checkKnown(acts); err != nil {
		return 0, 0, err
	}
	return q.putRaw(acts, cursorName, cursor)
}

// putRaw stores validated activities (with a cursor, if named) in one
// transaction without checking customers: 微信客服 customers need not be
// anyone's contact (the worker then finds no follower to suggest to).
func (q *Queue) putRaw(acts []store.Activity, cursorName, cursor string) (accepted, dups int, err error) {
	_, dupIdx, err := q.store.PutActivities(store.ActivityBatch{Items: acts, Retention: q.retention, CursorName: cursorName, Cursor: cursor})
	if err != nil {
		return 0, 0, fmt.Errorf("intake: store: %w", err)
	}
	if len(acts) > len(dupIdx) {
		q.wake()
	}
	if q.counted != nil {
		q.counted(len(acts)-len(dupIdx), len(dupIdx))
	}
	return len(acts) - len(dupIdx), len(dupIdx), nil
}

// checkKnown refuses an activity whose customer the store does not know, or
// whose employee does not follow the customer.
func (q *Queue) checkKnown(acts []store.Activity) error {
	seen := map[string]*store.Customer{}
	for i, a := range acts {
		c, ok := seen[a.Customer]
		if !ok {
			cust, err := q.store.Customer(a.Customer)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return fmt.Errorf("intake: read customer: %w", err)
			default:
				c = &cust
			}
			seen[a.Customer] = c
		}
		if c == nil {
			e := itemErr(i, CodeUnknownCustomer, "unknown customer %q", a.Customer)
			e.Customer = a.Customer
			return e
		}
		if a.Employee != "" && !slices.Contains(c.Followers, a.Employee) {
			e := itemErr(i, CodeNoRelationship, "employee %q does not follow customer %q", a.Employee, a.Customer)
			e.Customer, e.Employee = a.Customer, a.Employee
			return e
		}
	}
	return nil
}

// messageActivity validates message i and makes it an activity.
func messageActivity(i int, m classify.Message, src store.ActivitySource, now time.Time) (store.Activity, *Error) {
	if e := checkCommon(i, m.ID, m.Customer, m.Employee, m.Time, now); e != nil {
		return store.Activity{}, e
	}
	switch {
	case m.From == "":
		return store.Activity{}, itemErr(i, CodeMissingField, "from is missing")
	case m.From != classify.FromCustomer && m.From != classify.FromEmployee:
		return store.Activity{}, itemErr(i, CodeBadFrom, `from must be "customer" or "employee"`)
	case strings.TrimSpace(m.Text) == "":
		return store.Activity{}, itemErr(i, CodeMissingField, "text is missing or empty")
	case len(m.Text) > MaxTextBytes:
		return store.Activity{}, itemErr(i, CodeBadField, "text is longer than %d bytes", MaxTextBytes)
	case !utf8.ValidString(m.Text):
		return store.Activity{}, itemErr(i, CodeBadField, "text is not UTF-8")
	}
	return store.Activity{Key: dedupKey(src, "m", m.ID), Kind: store.ActivityMessage, Source: src,
		Customer: m.Customer, Employee: m.Employee, From: m.From, Text: m.Text, Time: m.Time}, nil
}

// eventActivity validates event i and makes it an activity.
func eventActivity(i int, ev classify.Event, src store.ActivitySource, now time.Time) (store.Activity, *Error) {
	if e := checkCommon(i, ev.ID, ev.Customer, ev.Employee, ev.Time, now); e != nil {
		return store.Activity{}, e
	}
	if e := checkID(i, "type", ev.Type, maxTypeBytes); e != nil {
		return store.Activity{}, e
	}
	attrs, err := marshalAttrs(ev.Attrs)
	if err != nil {
		return store.Activity{}, itemErr(i, CodeBadField, "attrs: %v", err)
	}
	if len(attrs) > MaxAttrBytes {
		return store.Activity{}, itemErr(i, CodeBadField, "attrs are longer than %d bytes", MaxAttrBytes)
	}
	return store.Activity{Key: dedupKey(src, "e", ev.ID), Kind: store.ActivityEvent, Source: src,
		Customer: ev.Customer, Employee: ev.Employee, Type: ev.Type, Attrs: attrs, Time: ev.Time}, nil
}

// checkCommon validates what messages and events share.
func checkCommon(i int, id, customer, employee string, t, now time.Time) *Error {
	if e := checkID(i, "customer", customer, maxIDBytes); e != nil {
		return e
	}
	if employee != "" {
		if e := checkID(i, "employee", employee, maxIDBytes); e != nil {
			return e
		}
	}
	if id != "" {
		if e := checkID(i, "id", id, maxIDBytes); e != nil {
			return e
		}
	}
	switch {
	case t.IsZero():
		return itemErr(i, CodeMissingField, "time is missing")
	case t.After(now.Add(farFuture)):
		return itemErr(i, CodeBadTime, "time %s is in the future", t.UTC().Format(time.RFC3339))
	case t.Year() < 2000:
		return itemErr(i, CodeBadTime, "time %s is before 2000", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkID refuses an empty, overlong or unprintable identifier (they become
// store keys), or one with ':'.
func checkID(i int, field, v string, limit int) *Error {
	switch {
	case v == "":
		return itemErr(i, CodeMissingField, "%s is missing", field)
	case len(v) > limit:
		return itemErr(i, CodeBadField, "%s is longer than %d bytes", field, limit)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }):
		return itemErr(i, CodeBadField, "%s has spaces or control characters", field)
	case field != "id" && strings.ContainsRune(v, ':'):
		return itemErr(i, CodeBadField, "%s has ':'", field)
	}
	return nil
}

// dedupKey is the store's idempotency key of an item: ids are unique per
// source and kind. "" when the item has no id.
func dedupKey(src store.ActivitySource, kind, id string) string {
	if id == "" {
		return ""
	}
	return string(src) + ":" + kind + ":" + id
}

// marshalAttrs encodes an event's attributes as a JSON object; nil for none.
func marshalAttrs(attrs map[string]any) (json.RawMessage, error) {
	if len(attrs) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, fmt.Errorf("not encodable as JSON: %w", err)
	}
	return b, nil
}
