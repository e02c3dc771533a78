package store

// Relationship sets for selections (/bulk): sorted lists of relationships
// read from the index keys alone, so a selection over a million customers
// decodes no relationship unless it filters on what only the relationship
// holds (when and through which channel it was added).

import (
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"
)

// The relationship sets name each relationship as
// "<external_userid>:<userid>", sorted in the order of rel: keys.

// SplitRel returns the customer and follower of a relationship named as
// "<external_userid>:<userid>".
func SplitRel(r string) (customer, follower string) {
	i := strings.LastIndexByte(r, ':')
	if i < 0 {
		return r, ""
	}
	return r[:i], r[i+1:]
}

// RelsWithTag lists the relationships that have the tag now, sorted.
func (s *Store) RelsWithTag(tagID string) ([]string, error) {
	return s.relKeys("tt:"+tagID+":", nil, func(*txn) int { return s.tags.get(tagID) })
}

// RelsOfFollower lists the relationships of one employee, sorted.
func (s *Store) RelsOfFollower(userID string) ([]string, error) {
	return s.relKeys("rf:"+userID+":", func(rest string) string { return rest + ":" + userID }, nil)
}

// AllRels lists every relationship, sorted.
func (s *Store) AllRels() ([]string, error) {
	return s.relKeys("rel:", nil, func(tx *txn) int {
		v, _ := tx.Get(snCustomers)
		n, _ := strconv.Atoi(v)
		return n
	})
}

// RelFacts are what a selection may ask of a relationship beyond its tags
// and follower.
type RelFacts struct {
	Created time.Time // when the customer was added (Relationship.CreateTime)
	State   string    // the channel's state it was added through
}

// FilterRels keeps the relationships of rels (every relationship when
// rels is nil) for which keep is true, in order. It reads only the two
// fields keep needs from each stored relationship.
func (s *Store) FilterRels(rels []string, keep func(RelFacts) bool) ([]string, error) {
	var out []string
	var ferr error
	test := func(ref string, raw string) bool {
		f, ok := peekRelFacts(raw)
		if !ok {
			var r Relationship
			if ferr = decode("rel:"+ref, raw, &r); ferr != nil {
				return false
			}
			f = RelFacts{Created: r.CreateTime, State: r.State}
		}
		if keep(f) {
			out = append(out, ref)
		}
		return true
	}
	err := s.view(func(tx *txn) error {
		if rels == nil {
			scan(tx, "rel:", func(k, v string) bool { return test(k[len("rel:"):], v) })
			return nil
		}
		for _, ref := range rels {
			raw, err := tx.Get("rel:" + ref)
			if err != nil {
				continue // gone since the set was read
			}
			if !test(ref, raw) {
				break
			}
		}
		return nil
	})
	if err == nil {
		err = ferr
	}
	return out, err
}

// peekRelFacts reads create_time and state from a stored relationship
// without decoding it (encode writes the fields in struct order; a quote
// inside a string is escaped, so the field names cannot be imitated).
func peekRelFacts(raw string) (RelFacts, bool) {
	var f RelFacts
	_, rest, ok := strings.Cut(raw, `"create_time":"`)
	if !ok {
		return f, false
	}
	stamp, rest, ok := strings.Cut(rest, `"`)
	if !ok {
		return f, false
	}
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return f, false
	}
	f.Created = t
	if rest, ok = strings.CutPrefix(rest, `,"state":`); ok {
		end := strings.Index(rest, `,"tags":`)
		if end < 0 || json.Unmarshal([]byte(rest[:end]), &f.State) != nil {
			return f, false
		}
	}
	return f, true
}
