package store

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	json "github.com/goccy/go-json"

	"github.com/tidwall/buntdb"
)

// decode unmarshals a stored JSON value, naming the key on failure. The
// decoder copies its input before it reads it (to end it with a NUL), so it
// is given the string's bytes without another copy.
func decode(key, val string, v any) error {
	if err := json.Unmarshal(bytesOf(val), v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, key, err)
	}
	return nil
}

// encode marshals a value for storage.
func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: encode %T: %v", v, err)) // only plain structs are stored
	}
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is ours alone and never written again
}

// getJSON reads and decodes the value at key; a missing key yields
// missing() (nil, nil when missing is nil). The error is made only when
// needed: these reads are on the hot path.
func getJSON[T any](tx *txn, key string, missing func() error) (*T, error) {
	v, err := tx.Get(key)
	if errors.Is(err, buntdb.ErrNotFound) {
		if missing == nil {
			return nil, nil
		}
		return nil, missing()
	}
	if err != nil {
		return nil, err
	}
	var out T
	if err := decode(key, v, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// putJSON encodes v at key.
func putJSON(tx *txn, key string, v any) error {
	_, _, err := tx.Set(key, encode(v), nil)
	return err
}

// seqOf reads the sequence number at the end of an ordered key.
func seqOf(key, prefix string) (ID, error) {
	id, err := ParseID(strings.TrimLeft(key[len(prefix):], "0"))
	if err != nil {
		return 0, fmt.Errorf("%w: %s", ErrCorrupt, key)
	}
	return id, nil
}

// indexed loads the change-set an index key (ix:…:<seq>) points at.
func indexed(tx *txn, key, prefix string) (ChangeSet, error) {
	id, err := seqOf(key, prefix)
	if err != nil {
		return ChangeSet{}, err
	}
	return getChangeSet(tx, id)
}

// walkIndex calls fn with each change-set of an index walk until fn returns
// false or a change-set cannot be read; walk is one of BuntDB's ordered
// iterations over keys starting with prefix.
func walkIndex(tx *txn, prefix string, walk func(iter func(k, v string) bool) error, fn func(cs ChangeSet) bool) error {
	var ferr error
	err := walk(func(k, _ string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		cs, err := indexed(tx, k, prefix)
		if err != nil {
			ferr = err
			return false
		}
		return fn(cs)
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// scanJSON decodes every value whose key has the prefix, in key order, and
// calls fn until it returns false.
func scanJSON[T any](tx *txn, prefix string, fn func(key string, v *T) bool) error {
	var ferr error
	scan(tx, prefix, func(k, raw string) bool {
		var v T
		if ferr = decode(k, raw, &v); ferr != nil {
			return false
		}
		return fn(k, &v)
	})
	return ferr
}

// viewOne reads one value in a read-only transaction.
func viewOne[T any](s *Store, get func(tx *txn) (*T, error)) (T, error) {
	var out T
	err := s.view(func(tx *txn) error {
		p, err := get(tx)
		if err == nil {
			out = *p
		}
		return err
	})
	return out, err
}
