package store

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/tidwall/buntdb"
)

// FollowInfo is what WeCom says of one relationship, without its tags
// (tags change only through change-sets).
type FollowInfo struct {
	Follower   string
	Remark     string
	Mobiles    []string
	CreateTime time.Time
	State      string
}

func relKey(customer, follower string) string { return "rel:" + customer + ":" + follower }

func getRel(tx *txn, customer, follower string) (*Relationship, error) {
	return getRelAt(tx, relKey(customer, follower), customer, follower)
}

// getRelAt is getRel for a caller that has the key already.
func getRelAt(tx *txn, key, customer, follower string) (*Relationship, error) {
	v, err := tx.Get(key)
	if errors.Is(err, buntdb.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s / %s", ErrNoRelationship, customer, follower)
	}
	if err != nil {
		return nil, err
	}
	return decodeRel(key, v) // reldecode.go
}

func getCustomer(tx *txn, id string) (*Customer, error) {
	return getJSON[Customer](tx, "cust:"+id, func() error { return fmt.Errorf("customer %s: %w", id, ErrNotFound) })
}

// lookupKeys are the cn: keys that find a customer by name, remarks and mobiles.
func lookupKeys(c *Customer, rels []*Relationship) []string {
	set := map[string]bool{}
	add := func(s string) {
		if s = normText(s); s != "" {
			set["cn:"+s+":"+c.ID] = true
		}
	}
	add(c.Name)
	for _, r := range rels {
		add(r.Remark)
		for _, m := range r.Mobiles {
			add(m)
		}
	}
	return sortedKeys(set)
}

// normText folds text for customer lookup.
func normText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ':' || unicode.IsControl(r) { // ':' separates key parts; a line break must never be in a key
			return ' '
		}
		return r
	}, s)
	return strings.ToLower(strings.TrimSpace(s))
}

// relsOf reads every relationship of a customer.
func relsOf(tx *txn, c *Customer) ([]*Relationship, error) {
	out := make([]*Relationship, 0, len(c.Followers))
	for _, f := range c.Followers {
		r, err := getRel(tx, c.ID, f)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// upsertCustomerTx writes a customer and the given relationships' metadata,
// keeping the tags already projected. It does not remove relationships that
// are not listed.
func upsertCustomerTx(tx *txn, c Customer, follows []FollowInfo, now time.Time) (*Customer, error) {
	old, err := getCustomer(tx, c.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	followers := map[string]bool{}
	if old != nil {
		oldRels, err := relsOf(tx, old)
		if err != nil {
			return nil, err
		}
		for _, k := range lookupKeys(old, oldRels) {
			tx.Delete(k)
		}
		for _, f := range old.Followers {
			followers[f] = true
		}
	}
	for _, f := range follows {
		rel, err := getRel(tx, c.ID, f.Follower)
		if errors.Is(err, ErrNoRelationship) {
			rel, err = &Relationship{Customer: c.ID, Follower: f.Follower, Tags: map[string]Mark{}}, nil
		}
		if err != nil {
			return nil, err
		}
		oldState := rel.State
		rel.Remark, rel.Mobiles, rel.CreateTime, rel.State = f.Remark, f.Mobiles, f.CreateTime.UTC(), f.State
		if err := relStateTx(tx, oldState, rel, false); err != nil { // channel.go
			return nil, err
		}
		if _, _, err := tx.Set(relKey(c.ID, f.Follower), encode(rel), nil); err != nil {
			return nil, err
		}
		if _, _, err := tx.Set(rfKey(f.Follower, c.ID), "", nil); err != nil { // stats.go
			return nil, err
		}
		followers[f.Follower] = true
	}
	if old == nil {
		if err := addCount(tx, snCustomers, 1); err != nil { // stats.go
			return nil, err
		}
	}
	c.Followers = sortedKeys(followers)
	c.UpdatedAt = now.UTC()
	if _, _, err := tx.Set("cust:"+c.ID, encode(&c), nil); err != nil {
		return nil, err
	}
	rels, err := relsOf(tx, &c)
	if err != nil {
		return nil, err
	}
	for _, k := range lookupKeys(&c, rels) {
		tx.Set(k, "", nil)
	}
	return &c, nil
}

// UpsertCustomer records a customer and the metadata of the listed
// relationships (remark, mobiles, add time, state). Tags are not touched:
// they change only through change-sets.
func (s *Store) UpsertCustomer(c Customer, follows []FollowInfo) error {
	return s.update(func(tx *txn) error {
		_, err := upsertCustomerTx(tx, c, follows, s.now())
		return err
	})
}

// Customer reads one customer.
func (s *Store) Customer(id string) (Customer, error) {
	return viewOne(s, func(tx *txn) (*Customer, error) { return getCustomer(tx, id) })
}

// Relationship reads one relationship with its current tags.
func (s *Store) Relationship(customer, follower string) (Relationship, error) {
	return viewOne(s, func(tx *txn) (*Relationship, error) { return getRel(tx, customer, follower) })
}

// Relationships reads every relationship of a customer.
func (s *Store) Relationships(customer string) ([]Relationship, error) {
	var out []Relationship
	err := s.view(func(tx *txn) error {
		c, err := getCustomer(tx, customer)
		if err != nil {
			return err
		}
		rels, err := relsOf(tx, c)
		for _, r := range rels {
			out = append(out, *r)
		}
		return err
	})
	return out, err
}

// FindCustomers returns customers whose external_userid, name, remark or
// mobile equals text; if none does, those where it is a substring. At most
// limit results, sorted by id.
func (s *Store) FindCustomers(text string, limit int) ([]Customer, error) {
	q := normText(text)
	if q == "" {
		return nil, nil
	}
	ids := map[string]bool{}
	err := s.view(func(tx *txn) error {
		if _, err := tx.Get("cust:" + text); err == nil {
			ids[text] = true
			return nil
		}
		prefix := "cn:" + q + ":"
		tx.AscendGreaterOrEqual("", prefix, func(k, _ string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			ids[k[len(prefix):]] = true
			return true
		})
		if len(ids) > 0 {
			return nil
		}
		tx.AscendGreaterOrEqual("", "cn:", func(k, _ string) bool {
			if !strings.HasPrefix(k, "cn:") {
				return false
			}
			i := strings.LastIndexByte(k, ':')
			if strings.Contains(k[3:i], q) {
				ids[k[i+1:]] = true
			}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.customersByID(sortedKeys(ids), limit)
}

func (s *Store) customersByID(ids []string, limit int) ([]Customer, error) {
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]Customer, 0, len(ids))
	err := s.view(func(tx *txn) error {
		for _, id := range ids {
			c, err := getCustomer(tx, id)
			if err != nil {
				return err
			}
			out = append(out, *c)
		}
		return nil
	})
	return out, err
}

// CustomersWithTags lists the relationships having every one of tagIDs,
// after the relationship key `after` ("" for the start), at most limit.
func (s *Store) CustomersWithTags(tagIDs []string, after string, limit int) ([]Relationship, error) {
	if len(tagIDs) == 0 {
		return nil, nil
	}
	var out []Relationship
	err := s.view(func(tx *txn) error {
		prefix := "tt:" + tagIDs[0] + ":"
		var ferr error
		tx.AscendGreaterOrEqual("", prefix+after, func(k, _ string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			pair := k[len(prefix):]
			if pair == after {
				return true
			}
			cust, fol, _ := strings.Cut(pair, ":")
			for _, t := range tagIDs[1:] {
				if _, err := tx.Get(ttKey(t, cust, fol)); err != nil {
					return true
				}
			}
			r, err := getRel(tx, cust, fol)
			if err != nil {
				ferr = err
				return false
			}
			out = append(out, *r)
			return limit <= 0 || len(out) < limit
		})
		return ferr
	})
	return out, err
}

// CustomerCount counts the customers in the store.
func (s *Store) CustomerCount() (int, error) {
	n := 0
	err := s.view(func(tx *txn) error {
		return tx.AscendGreaterOrEqual("", "cust:", func(k, _ string) bool {
			if !strings.HasPrefix(k, "cust:") {
				return false
			}
			n++
			return true
		})
	})
	return n, err
}
