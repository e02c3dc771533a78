package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Channels: QR codes (WeCom「联系我」 with a state) whose customers get
// the channel's tags.
//
//	chn:<name>                      Channel
//	chs:<state>                     the channel's name (value)
//	rs:<state>:<customer>:<userid>  a relationship added through that state
//	                                (value: its add time, unix seconds);
//	                                kept with the relationship's State
//	meta:x:rs                       present once rs: was built from every relationship
//
// Channels are not derived from the ledger, and rs: keys are kept with
// each relationship's state (relStateTx): Rebuild leaves both as they are.

// ErrChannelExists is returned by PutChannel for a name or state in use.
var ErrChannelExists = errors.New("store: channel exists")

// Channel is a QR code that brings customers in with tags.
type Channel struct {
	Name      string    `json:"name"`
	State     string    `json:"state"`
	Tags      []TagRef  `json:"tags"`
	Followers []string  `json:"followers"`
	Welcome   string    `json:"welcome,omitempty"`
	Creator   string    `json:"creator"`
	ConfigID  string    `json:"config_id"`
	QRCode    string    `json:"qr_code"`
	Created   time.Time `json:"created"`
}

// ChannelCount is how many relationships a state brought, and the
// newest one's add time.
type ChannelCount struct {
	Customers int
	Last      time.Time
}

// PutChannel stores a new channel; a name or state already in use is
// ErrChannelExists.
func (s *Store) PutChannel(c Channel) error {
	if c.Name == "" || c.State == "" || strings.ContainsAny(c.Name+c.State, "\r\n") {
		return fmt.Errorf("store: channel needs a name and a state on one line")
	}
	return s.update(func(tx *txn) error {
		if _, err := tx.Get("chn:" + c.Name); err == nil {
			return fmt.Errorf("%w: %s", ErrChannelExists, c.Name)
		}
		if _, err := tx.Get("chs:" + c.State); err == nil {
			return fmt.Errorf("%w: state %s", ErrChannelExists, c.State)
		}
		c.Created = c.Created.UTC()
		if err := putJSON(tx, "chn:"+c.Name, &c); err != nil {
			return err
		}
		_, _, err := tx.Set("chs:"+c.State, c.Name, nil)
		return err
	})
}

// Channel reads a channel by name.
func (s *Store) Channel(name string) (Channel, error) {
	return viewOne(s, func(tx *txn) (*Channel, error) { return getChannel(tx, name) })
}

// ChannelByState reads the channel whose QR code carries state.
func (s *Store) ChannelByState(state string) (Channel, error) {
	return viewOne(s, func(tx *txn) (*Channel, error) {
		name, err := tx.Get("chs:" + state)
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil, fmt.Errorf("channel of state %q: %w", state, ErrNotFound)
		}
		if err != nil {
			return nil, err
		}
		return getChannel(tx, name)
	})
}

func getChannel(tx *txn, name string) (*Channel, error) {
	return getJSON[Channel](tx, "chn:"+name, func() error { return fmt.Errorf("channel %s: %w", name, ErrNotFound) })
}

// Channels lists every channel, by name.
func (s *Store) Channels() ([]Channel, error) {
	var out []Channel
	err := s.view(func(tx *txn) error {
		return scanJSON(tx, "chn:", func(_ string, c *Channel) bool {
			out = append(out, *c)
			return true
		})
	})
	return out, err
}

// DeleteChannel removes a channel and returns it. Relationships keep
// their state.
func (s *Store) DeleteChannel(name string) (Channel, error) {
	var out Channel
	err := s.update(func(tx *txn) error {
		c, err := getChannel(tx, name)
		if err != nil {
			return err
		}
		out = *c
		tx.Delete("chs:" + c.State)
		_, err = tx.Delete("chn:" + name)
		return err
	})
	return out, err
}

// ChannelCount counts the current relationships added through state (as
// WeCom reports each relationship's state), also those from before the
// channel was in tagbot; only follower's when follower is not "".
func (s *Store) ChannelCount(state, follower string) (ChannelCount, error) {
	if err := s.backfillStates(); err != nil {
		return ChannelCount{}, err
	}
	var out ChannelCount
	err := s.view(func(tx *txn) error {
		prefix := "rs:" + state + ":"
		scan(tx, prefix, func(k, v string) bool {
			rest := k[len(prefix):]
			if strings.Count(rest, ":") != 1 {
				return true // a longer state that starts with this one
			}
			if _, f, _ := strings.Cut(rest, ":"); follower != "" && f != follower {
				return true
			}
			out.Customers++
			if sec, err := strconv.ParseInt(v, 10, 64); err == nil && sec > out.Last.Unix() {
				out.Last = time.Unix(sec, 0).UTC()
			}
			return true
		})
		return nil
	})
	return out, err
}

// stateKey is the rs: key of a relationship, "" when it has no state or
// one that cannot be a key.
func stateKey(rel *Relationship) string {
	if rel.State == "" || strings.ContainsAny(rel.State, "\r\n") {
		return ""
	}
	return "rs:" + rel.State + ":" + rel.Customer + ":" + rel.Follower
}

// relStateTx keeps the rs: key of rel after its state changed from old
// (gone: the relationship ended).
func relStateTx(tx *txn, old string, rel *Relationship, gone bool) error {
	if old != rel.State || gone {
		if k := stateKey(&Relationship{State: old, Customer: rel.Customer, Follower: rel.Follower}); k != "" {
			tx.Delete(k)
		}
	}
	k := stateKey(rel)
	if k == "" || gone {
		return nil
	}
	v := strconv.FormatInt(rel.CreateTime.Unix(), 10)
	if cur, err := tx.Get(k); err == nil && cur == v {
		return nil // unchanged: a full sync writes nothing
	}
	_, _, err := tx.Set(k, v, nil)
	return err
}

// backfillStates builds the rs: keys of a store from before them, once.
func (s *Store) backfillStates() error {
	if v, _ := s.Meta("rs"); v != "" {
		return nil
	}
	return s.update(func(tx *txn) error {
		var rels []Relationship
		if err := scanJSON(tx, "rel:", func(_ string, r *Relationship) bool {
			if r.State != "" {
				rels = append(rels, *r)
			}
			return true
		}); err != nil {
			return err
		}
		for i := range rels {
			if err := relStateTx(tx, rels[i].State, &rels[i], false); err != nil {
				return err
			}
		}
		_, _, err := tx.Set("meta:x:rs", "1", nil)
		return err
	})
}
