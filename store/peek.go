package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/tidwall/buntdb"
)

// Reading a stored change-set without decoding it. History walks many
// candidates and keeps few; the time search reads only "time". The stored
// form is written by chainLink from the ChangeSet struct, so its first
// fields are at fixed places:
//
//	{"hash":"<64 hex>","id":<n>,"time":"<RFC 3339>",…      chained
//	{"id":<n>,"time":"<RFC 3339>",…                        from before the chain
//
// Each peek reports ok false when the value is not in the shape it expects
// (the caller then decodes in full), so a peek can make a query slower but
// never different.

// peekTime reads the id and time at the start of a stored change-set.
func peekTime(v string) (ID, time.Time, bool) {
	rest, ok := strings.CutPrefix(v, hashPrefix)
	if ok {
		if len(rest) < 66 || rest[64:66] != `",` {
			return 0, time.Time{}, false
		}
		rest = rest[66:]
	} else if rest, ok = strings.CutPrefix(v, "{"); !ok {
		return 0, time.Time{}, false
	}
	rest, ok = strings.CutPrefix(rest, `"id":`)
	if !ok {
		return 0, time.Time{}, false
	}
	digits, rest, ok := strings.Cut(rest, `,"time":"`)
	if !ok || len(digits) > 20 {
		return 0, time.Time{}, false
	}
	id, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, time.Time{}, false
	}
	stamp, _, ok := strings.Cut(rest, `"`)
	if !ok || len(stamp) > 40 {
		return 0, time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return 0, time.Time{}, false
	}
	return ID(id), t, true
}

// peekString reads the top-level string field key of a stored change-set.
// found is false when the field is absent (omitted as empty); ok is false
// when the value holds an escape and cannot be read in place.
//
// It is exact for the change-set's own keys: `"key":"` cannot occur inside
// a JSON string (the quote after key would end it), and the nested TagRef
// objects have no keys of these names.
func peekString(v, key string) (val string, found, ok bool) {
	v = between(v)
	i := strings.Index(v, `"`+key+`":"`)
	if i < 0 {
		return "", false, true
	}
	rest := v[i+len(key)+4:]
	end := strings.IndexByte(rest, '"')
	if end < 0 || strings.IndexByte(rest[:end], '\\') >= 0 {
		return "", true, false
	}
	return rest[:end], true, true
}

// prevSuffix is how a chained change-set's stored value ends, before the
// 64 hex of prev and `"}`.
const prevSuffix = `,"prev":"`

// between is a stored change-set without its leading hash and trailing
// prev when they are where chainLink puts them: 140 bytes of hex that
// peekString need not search.
func between(v string) string {
	if n := len(hashPrefix) + 66; len(v) > n && strings.HasPrefix(v, hashPrefix) && v[n-2:n] == `",` {
		v = v[n-1:]
	}
	if n := len(prevSuffix) + 66; len(v) > n && strings.HasSuffix(v, `"}`) && v[len(v)-n:len(v)-n+len(prevSuffix)] == prevSuffix {
		v = v[:len(v)-n]
	}
	return v
}

// decodeChangeSet decodes a stored change-set. Its strings without an
// escape refer to v's memory instead of copies (DecodeNoCopyString): a
// BuntDB value is an immutable Go string, and goccy never writes its input.
// That takes one allocation per change-set instead of ten.
func decodeChangeSet(key, v string) (ChangeSet, error) {
	var cs ChangeSet
	if err := json.UnmarshalOf(bytesOf(v), &cs, json.DecodeNoCopyString()); err != nil {
		return ChangeSet{}, fmt.Errorf("%w: %s: %v", ErrCorrupt, key, err)
	}
	return cs, nil
}

// changeSetTime reads the time of change-set id, decoding it in full only
// when the stored value is not in the expected shape.
func changeSetTime(tx *txn, id ID) (time.Time, error) {
	key := seqKey("cs:", uint64(id))
	v, err := tx.Get(key)
	if errors.Is(err, buntdb.ErrNotFound) {
		return time.Time{}, fmt.Errorf("change-set %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return time.Time{}, err
	}
	return valueTime(key, id, v)
}

// valueTime is the time of change-set id stored as v at key.
func valueTime(key string, id ID, v string) (time.Time, error) {
	if got, t, ok := peekTime(v); ok && got == id {
		return t, nil
	}
	cs, err := decodeChangeSet(key, v)
	return cs.Time, err
}

// rejects reports whether the stored change-set v certainly fails the
// query's denied and follower conditions, read in place. false means
// "decode and see" (Query.match decides).
func (q *Query) rejects(v string) bool {
	if !q.IncludeDenied {
		if d, found, ok := peekString(v, "denied"); found && (!ok || d != "") {
			return true // an escaped value is not empty
		}
	}
	if q.Follower != "" {
		if f, found, ok := peekString(v, "follower"); ok && (!found || f != q.Follower) {
			return true
		}
	}
	return false
}
