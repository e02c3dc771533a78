package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Keys that expire (callback dedup markers, short-lived metadata) are
// deleted by the store itself, inside its own framed transactions, instead
// of by BuntDB's TTLs: BuntDB deletes expired keys in transactions of its
// own that carry no frame marker, which would look like a torn write.
//
//	exp:<unix seconds, 12 digits>:<key>   key expires then (value "")
//	xk:<key>                              the expiry of key (unix seconds)
//
// An expired key stays readable until a sweep deletes it; sweeps run in the
// transactions that write expiring keys, a few keys at a time, so expiry
// keeps pace with the writes that need it.

// sweepBatch is how many expired keys one write transaction deletes.
const sweepBatch = 16

// setExpiring writes key = val, to be deleted at the first sweep after at.
func setExpiring(tx *txn, key, val string, at time.Time) error {
	clearExpiry(tx, key)
	when := fmt.Sprintf("%012d", at.Unix())
	if _, _, err := tx.Set(key, val, nil); err != nil {
		return err
	}
	if _, _, err := tx.Set("xk:"+key, when, nil); err != nil {
		return err
	}
	_, _, err := tx.Set("exp:"+when+":"+key, "", nil)
	return err
}

// clearExpiry makes key permanent again (if it was expiring).
func clearExpiry(tx *txn, key string) {
	if old, err := tx.Get("xk:" + key); err == nil {
		tx.Delete("exp:" + old + ":" + key)
		tx.Delete("xk:" + key)
	}
}

// expired reports whether key's time has come (it is then as good as
// gone, whether or not a sweep has deleted it yet).
func expired(tx *txn, key string, now time.Time) bool {
	v, err := tx.Get("xk:" + key)
	if err != nil {
		return false
	}
	at, err := strconv.ParseInt(v, 10, 64)
	return err == nil && at <= now.Unix()
}

// sweepExpired deletes up to limit keys whose time has come.
func sweepExpired(tx *txn, now time.Time, limit int) {
	bound := fmt.Sprintf("exp:%012d;", now.Unix()) // ';' sorts after ':'
	var due []string
	tx.AscendRange("", "exp:", bound, func(k, _ string) bool {
		due = append(due, k)
		return len(due) < limit
	})
	for _, k := range due {
		rest := k[len("exp:"):]
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			tx.Delete(k)
			continue
		}
		key := rest[i+1:]
		tx.Delete(key)
		tx.Delete("xk:" + key)
		tx.Delete(k)
	}
}

// migrateTTLs moves keys a store from before expire.go wrote with BuntDB
// TTLs onto the store's own expiry. It returns how many it moved.
func migrateTTLs(tx *txn, now time.Time) (int, error) {
	tx.ttlKeys = true
	type ttlKey struct {
		key, val string
		ttl      time.Duration
	}
	var found []ttlKey
	var expired []string
	for _, prefix := range []string{"ind:", "meta:x:"} {
		scan(tx, prefix, func(k, v string) bool {
			switch ttl, err := tx.TTL(k); {
			case err != nil: // expired since the file was loaded
				expired = append(expired, k)
			case ttl > 0:
				found = append(found, ttlKey{k, v, ttl})
			}
			return true
		})
	}
	for _, k := range expired {
		tx.Delete(k)
	}
	for _, f := range found {
		if err := setExpiring(tx, f.key, f.val, now.Add(f.ttl)); err != nil {
			return 0, err
		}
	}
	return len(found), nil
}
