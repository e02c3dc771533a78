package store

import (
	"errors"
	"maps"
	"strconv"
	"time"

	"github.com/tidwall/buntdb"
)

// Every Apply reads, counts and rewrites its lane's OutboxCounts (obc:l:i
// or obc:l:b). Two things make that cheap: the lanes' counts are kept
// decoded beside the value they were decoded from (a cache that needs no
// invalidation: it is used only while the stored value is that same
// string), and the common value is encoded by hand instead of through
// reflection.

// lanePrefixes and laneCountKeys are the lanes' queue key prefixes and
// counter keys: interactive at 0, background at 1 (b2i(bg)).
var (
	lanePrefixes  = [2]string{"obl:" + laneInteractive + ":", "obl:" + laneBackground + ":"}
	laneCountKeys = [2]string{"obc:l:" + laneInteractive, "obc:l:" + laneBackground}
)

func laneKey(bg bool, id ID) string { return seqKey(lanePrefixes[b2i(bg)], uint64(id)) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// countKeys lists the counter keys an entry feeds: its lane's, and its
// batch's if it has one (keys[1] == "" if not).
func countKeys(e *OutboxEntry) [2]string {
	keys := [2]string{laneCountKeys[b2i(e.Background)]}
	if e.Batch != "" {
		keys[1] = "obc:b:" + e.Batch
	}
	return keys
}

// laneCounts caches the decoded counts of the two lanes; it is used by
// write transactions only (under Store.wmu).
type laneCounts map[string]cachedCounts

type cachedCounts struct {
	raw string
	c   OutboxCounts
}

// getCounts reads the counts at key (nil when absent).
func getCounts(tx *txn, key string) (*OutboxCounts, error) {
	raw, err := tx.Get(key)
	if errors.Is(err, buntdb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if hit, ok := tx.counts[key]; ok && hit.raw == raw {
		c := hit.c
		c.Failed = maps.Clone(c.Failed)
		return &c, nil
	}
	var c OutboxCounts
	if err := decode(key, raw, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// putCounts writes c at key, and keeps a lane's in the cache.
func putCounts(tx *txn, key string, c *OutboxCounts) error {
	raw := encodeCounts(c)
	if _, _, err := tx.Set(key, raw, nil); err != nil {
		return err
	}
	if tx.counts != nil && (key == laneCountKeys[0] || key == laneCountKeys[1]) {
		keep := *c
		keep.Failed = maps.Clone(c.Failed)
		tx.counts[key] = cachedCounts{raw: raw, c: keep}
	}
	return nil
}

// encodeCounts is encode(c), by hand when the strings need no escaping and
// no call failed (the failures by errcode are a map).
func encodeCounts(c *OutboxCounts) string {
	if len(c.Failed) > 0 || !plainJSON(c.Batch) || !plainJSON(c.Actor) {
		return encode(c)
	}
	b := make([]byte, 0, 160)
	b = append(b, '{')
	if c.Batch != "" {
		b = append(append(append(b, `"batch":"`...), c.Batch...), `",`...)
	}
	if c.Background {
		b = append(b, `"background":true,`...)
	}
	if c.Actor != "" {
		b = append(append(append(b, `"actor":"`...), c.Actor...), `",`...)
	}
	b = strconv.AppendInt(append(b, `"pending":`...), int64(c.Pending), 10)
	b = strconv.AppendInt(append(b, `,"done":`...), int64(c.Done), 10)
	b = appendJSONTime(append(b, `,"first":`...), c.First)
	b = appendJSONTime(append(b, `,"last":`...), c.Last)
	return string(append(b, '}'))
}

// appendJSONTime appends t as time.Time's MarshalJSON does.
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// plainJSON reports whether s is written as a JSON string unchanged:
// printable ASCII other than the quote, the backslash and the characters
// the encoder escapes for HTML.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
