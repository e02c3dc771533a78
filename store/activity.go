package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Activities are what customers said and did, as received for
// classification (/api/v1/messages, /api/v1/events, 微信客服, /classify,
// the demo): a queue the classification worker drains, and the
// conversation history its conditions count over.
//
//	act:<seq>                        Activity (expires after the history retention)
//	actq:<seq>                       present while act:<seq> is not yet classified (value "")
//	actc:<customer>:<time>:<seq>     the customer's activities by time (value ""; time is
//	                                 UnixNano padded to 19 digits; expires with the record)
//	actd:<key>                       idempotency marker (value = seq; expires with the record)
//	actk:<name>                      a source's cursor (微信客服 sync_msg), permanent

// DefaultHistory is how long received activities are kept when no
// retention is given: 30 days.
const DefaultHistory = 30 * 24 * time.Hour

// ActivityKind says whether an activity is a message or an event.
type ActivityKind string

// Kinds of activity.
const (
	ActivityMessage ActivityKind = "message"
	ActivityEvent   ActivityKind = "event"
)

// ActivitySource says where an activity came from.
type ActivitySource string

// Sources of activities.
const (
	ActivityAPI  ActivitySource = "api"  // /api/v1/messages, /api/v1/events
	ActivityKF   ActivitySource = "kf"   // 微信客服 sync_msg
	ActivityChat ActivitySource = "chat" // /classify in chat
	ActivityDemo ActivitySource = "demo" // the demo's ~客户名: 文本
)

// Activity is one received message or event of a customer.
type Activity struct {
	ID       ID             `json:"id"`
	Key      string         `json:"key,omitempty"` // idempotency key ("" = none)
	Kind     ActivityKind   `json:"kind"`
	Source   ActivitySource `json:"source"`
	Customer string         `json:"customer"`           // external_userid
	Employee string         `json:"employee,omitempty"` // userid, "" if none
	From     string         `json:"from,omitempty"`     // message: "customer" or "employee"
	Text     string         `json:"text,omitempty"`     // message text
	Type     string         `json:"type,omitempty"`     // event type
	// Attrs are an event's attributes as a JSON object.
	Attrs    json.RawMessage `json:"attrs,omitempty"`
	Time     time.Time       `json:"time"`     // when it happened (the source's time)
	Received time.Time       `json:"received"` // when tagbot stored it
	Done     bool            `json:"done,omitempty"`
}

// ActivityBatch is what PutActivities stores in one transaction.
type ActivityBatch struct {
	Items []Activity
	// Retention is how long the activities are kept after receipt;
	// 0 means DefaultHistory.
	Retention time.Duration
	// CursorName, when not "", names a cursor set to Cursor in the same
	// transaction (a source's position, e.g. 微信客服's next_cursor).
	CursorName string
	Cursor     string
}

// PutActivities stores a batch durably in one transaction and queues every
// item for classification. An item whose Key was stored before (or earlier
// in the same batch) is a duplicate: it is not stored again, its index is
// listed in dups and its entry in ids is 0. The cursor, if named, is
// written even when every item is a duplicate.
func (s *Store) PutActivities(b ActivityBatch) (ids []ID, dups []int, err error) {
	for i := range b.Items {
		if err := checkActivity(&b.Items[i]); err != nil {
			return nil, nil, fmt.Errorf("store: activity %d: %w", i, err)
		}
	}
	if strings.ContainsAny(b.CursorName, "\r\n") {
		return nil, nil, fmt.Errorf("store: bad cursor name %q", b.CursorName)
	}
	retention := b.Retention
	if retention <= 0 {
		retention = DefaultHistory
	}
	err = s.update(func(tx *txn) error {
		ids, dups = make([]ID, len(b.Items)), nil
		now := s.now()
		sweepExpired(tx, now, sweepBatch+4*len(b.Items))
		until := now.Add(retention)
		for i := range b.Items {
			a := b.Items[i]
			dup, err := activitySeen(tx, a.Key, now)
			if err != nil {
				return err
			}
			if dup {
				dups = append(dups, i)
				continue
			}
			if ids[i], err = putActivityTx(tx, a, now, until); err != nil {
				return err
			}
		}
		if b.CursorName != "" {
			_, _, err := tx.Set("actk:"+b.CursorName, b.Cursor, nil)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ids, dups, nil
}

// checkActivity refuses what cannot be keyed.
func checkActivity(a *Activity) error {
	switch {
	case a.Kind != ActivityMessage && a.Kind != ActivityEvent:
		return fmt.Errorf("kind %q", a.Kind)
	case a.Customer == "" || strings.ContainsAny(a.Customer, ":\r\n"):
		return fmt.Errorf("customer %q", a.Customer)
	case strings.ContainsAny(a.Key, "\r\n"):
		return fmt.Errorf("key %q", a.Key)
	}
	return nil
}

// activitySeen reports whether key was stored before and has not expired.
func activitySeen(tx *txn, key string, now time.Time) (bool, error) {
	if key == "" {
		return false, nil
	}
	_, err := tx.Get("actd:" + key)
	if errors.Is(err, buntdb.ErrNotFound) {
		return false, nil
	}
	return err == nil && !expired(tx, "actd:"+key, now), err
}

// putActivityTx writes one new activity with its queue, index and dedup keys.
func putActivityTx(tx *txn, a Activity, now, until time.Time) (ID, error) {
	seq, err := nextSeq(tx, "act")
	if err != nil {
		return 0, err
	}
	a.ID, a.Received, a.Time, a.Done = ID(seq), now.UTC(), a.Time.UTC(), false
	if err := setExpiring(tx, seqKey("act:", seq), encode(&a), until); err != nil {
		return 0, err
	}
	if err := setExpiring(tx, actcKey(a.Customer, a.Time, seq), "", until); err != nil {
		return 0, err
	}
	if a.Key != "" {
		if err := setExpiring(tx, "actd:"+a.Key, a.ID.String(), until); err != nil {
			return 0, err
		}
	}
	if err := noteLastMessageTx(tx, &a); err != nil { // lifecycle.go
		return 0, err
	}
	_, _, err = tx.Set(seqKey("actq:", seq), "", nil)
	return a.ID, err
}

// actcKey is the per-customer time index key of an activity.
func actcKey(customer string, t time.Time, seq uint64) string {
	return fmt.Sprintf("actc:%s:%s:%012d", customer, timeKey(t), seq)
}

// timeKey formats t for key order: UnixNano padded to 19 digits, times
// before 1970 as 0.
func timeKey(t time.Time) string {
	return fmt.Sprintf("%019d", max(t.UnixNano(), 0))
}

// ActivityCursor reads a cursor PutActivities wrote; "" if none.
func (s *Store) ActivityCursor(name string) (string, error) {
	var v string
	err := s.view(func(tx *txn) error {
		var err error
		v, err = tx.Get("actk:" + name)
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil
		}
		return err
	})
	return v, err
}

// ActivitiesAfter lists up to limit (0: all) activities not yet done with
// an id above after, oldest first. A queued activity whose record has
// expired is skipped (ActivityDone removes its queue entry).
func (s *Store) ActivitiesAfter(after ID, limit int) ([]Activity, error) {
	var out []Activity
	err := s.view(func(tx *txn) error {
		var ferr error
		tx.AscendGreaterOrEqual("", seqKey("actq:", uint64(after)+1), func(k, _ string) bool {
			if !strings.HasPrefix(k, "actq:") {
				return false
			}
			var id ID
			if id, ferr = seqOf(k, "actq:"); ferr != nil {
				return false
			}
			var a *Activity
			if a, ferr = getJSON[Activity](tx, seqKey("act:", uint64(id)), nil); ferr != nil {
				return false
			}
			if a == nil {
				a = &Activity{ID: id, Done: true} // expired: the caller marks it done
			}
			out = append(out, *a)
			return limit <= 0 || len(out) < limit
		})
		return ferr
	})
	return out, err
}

// ActivityDone marks an activity classified: it leaves the queue, and its
// record stays (as history) until it expires. Done twice is fine.
func (s *Store) ActivityDone(id ID) error {
	return s.update(func(tx *txn) error {
		tx.Delete(seqKey("actq:", uint64(id)))
		key := seqKey("act:", uint64(id))
		a, err := getJSON[Activity](tx, key, nil)
		if err != nil || a == nil || a.Done {
			return err
		}
		a.Done = true
		return putJSON(tx, key, a)
	})
}

// Activity reads one activity.
func (s *Store) Activity(id ID) (Activity, error) {
	return viewOne(s, func(tx *txn) (*Activity, error) {
		return getJSON[Activity](tx, seqKey("act:", uint64(id)), func() error { return fmt.Errorf("activity %d: %w", id, ErrNotFound) })
	})
}

// CustomerActivities calls fn with the customer's activities whose time is
// within [since, until], oldest first (newest first when newest is set),
// until fn returns false. Expired activities are not listed.
func (s *Store) CustomerActivities(customer string, since, until time.Time, newest bool, fn func(a *Activity) bool) error {
	prefix := "actc:" + customer + ":"
	lo, hi := prefix+timeKey(since), prefix+timeKey(until)+";" // ';' sorts after ':'
	return s.view(func(tx *txn) error {
		now := s.now()
		var ferr error
		visit := func(k, _ string) bool {
			if expired(tx, k, now) {
				return true
			}
			var id ID
			if id, ferr = seqOf(k[strings.LastIndexByte(k, ':')+1:], ""); ferr != nil {
				return false
			}
			var a *Activity
			if a, ferr = getJSON[Activity](tx, seqKey("act:", uint64(id)), nil); ferr != nil {
				return false
			}
			return a == nil || fn(a)
		}
		if newest {
			if err := tx.DescendRange("", hi, lo, visit); err != nil {
				return err
			}
			return ferr
		}
		if err := tx.AscendRange("", lo, hi, visit); err != nil {
			return err
		}
		return ferr
	})
}
