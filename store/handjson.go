package store

import (
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Apply encodes a change-set, an outbox entry and a relationship every
// time; through reflection that was most of its JSON cost. These encoders
// write the same bytes as encode (TestHandJSONMatchesEncoder,
// FuzzHandJSON), by hand, and give up — the caller then uses encode —
// whenever a value holds something whose encoding they do not copy: a
// string the encoder would escape, a time MarshalJSON would refuse.

// jsonWriter appends JSON to b; ok turns false at the first value it does
// not write exactly as encode would.
type jsonWriter struct {
	b  []byte
	ok bool
}

// raw appends literal JSON (field names and punctuation).
func (w *jsonWriter) raw(s string) { w.b = append(w.b, s...) }

// str appends a JSON string.
func (w *jsonWriter) str(s string) {
	if !plainUTF8(s) {
		w.ok = false
		return
	}
	w.b = append(append(append(w.b, '"'), s...), '"')
}

func (w *jsonWriter) uint(n uint64) { w.b = strconv.AppendUint(w.b, n, 10) }

// strField, uintField, intField and timeField append a field's name
// (with the comma before it, if any) and its value.
func (w *jsonWriter) strField(name, s string) { w.raw(name); w.str(s) }

func (w *jsonWriter) uintField(name string, n uint64) { w.raw(name); w.uint(n) }

func (w *jsonWriter) intField(name string, n int) { w.raw(name); w.int(n) }

func (w *jsonWriter) timeField(name string, t time.Time) { w.raw(name); w.time(t) }

func (w *jsonWriter) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

// time appends t as time.Time's MarshalJSON does, for the times it
// accepts and formats plainly: years 0–9999, offsets in whole minutes
// under a day.
func (w *jsonWriter) time(t time.Time) {
	_, off := t.Zone()
	if y := t.Year(); y < 0 || y > 9999 || off%60 != 0 || off <= -24*3600 || off >= 24*3600 {
		w.ok = false
		return
	}
	w.b = appendJSONTime(w.b, t)
}

// string returns what was written; the buffer is never written again.
func (w *jsonWriter) string() string { return unsafe.String(unsafe.SliceData(w.b), len(w.b)) }

// plainUTF8 reports whether s is written as a JSON string unchanged:
// valid UTF-8 without control characters, the quote, the backslash, the
// characters escaped for HTML, or U+2028 and U+2029.
func plainUTF8(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// appendChangeSet appends encode(cs) to b.
func appendChangeSet(b []byte, cs *ChangeSet) []byte {
	w := jsonWriter{b: b, ok: true}
	w.raw("{")
	if cs.Hash != "" {
		w.raw(`"hash":`)
		w.str(cs.Hash)
		w.raw(",")
	}
	w.uintField(`"id":`, uint64(cs.ID))
	w.timeField(`,"time":`, cs.Time)
	w.strField(`,"actor":`, cs.Actor)
	w.strField(`,"source":`, string(cs.Source))
	w.strField(`,"customer":`, cs.Customer)
	w.strField(`,"follower":`, cs.Follower)
	w.tagRefs(`,"add":`, cs.Add)
	w.tagRefs(`,"remove":`, cs.Remove)
	w.optStr(`,"reason":`, cs.Reason)
	w.optUint(`,"reverts":`, uint64(cs.Reverts))
	w.optStr(`,"batch":`, cs.Batch)
	w.optStr(`,"denied":`, cs.Denied)
	if cs.Forced {
		w.raw(`,"forced":true`)
	}
	w.optUint(`,"outbox":`, uint64(cs.Outbox))
	w.optUint(`,"inbox":`, uint64(cs.Inbox))
	w.optStr(`,"prev":`, cs.Prev)
	w.optUint(`,"cause":`, uint64(cs.Cause))
	w.raw("}")
	if !w.ok {
		return append(b, encode(cs)...)
	}
	return w.b
}

func (w *jsonWriter) tagRefs(name string, refs []TagRef) {
	if len(refs) == 0 {
		return
	}
	w.raw(name)
	for i, t := range refs {
		if i == 0 {
			w.raw(`[{"id":`)
		} else {
			w.raw(`,{"id":`)
		}
		w.str(t.ID)
		w.optStr(`,"name":`, t.Name)
		w.optStr(`,"group":`, t.Group)
		w.raw("}")
	}
	w.raw("]")
}

func (w *jsonWriter) strs(name string, ss []string) {
	if len(ss) == 0 {
		return
	}
	w.raw(name)
	for i, s := range ss {
		if i == 0 {
			w.raw("[")
		} else {
			w.raw(",")
		}
		w.str(s)
	}
	w.raw("]")
}

func (w *jsonWriter) optStr(name, s string) {
	if s != "" {
		w.raw(name)
		w.str(s)
	}
}

func (w *jsonWriter) optUint(name string, n uint64) {
	if n != 0 {
		w.raw(name)
		w.uint(n)
	}
}

// encodeOutboxEntry is encode(e).
func encodeOutboxEntry(e *OutboxEntry) string {
	w := jsonWriter{b: make([]byte, 0, 320+len(e.ErrMsg)), ok: true}
	w.uintField(`{"id":`, uint64(e.ID))
	w.uintField(`,"cs":`, uint64(e.CS))
	w.strField(`,"op":`, e.Op)
	w.strField(`,"actor":`, e.Actor)
	w.strField(`,"customer":`, e.Customer)
	w.strField(`,"follower":`, e.Follower)
	w.strs(`,"add":`, e.Add)
	w.strs(`,"remove":`, e.Remove)
	w.strField(`,"status":`, string(e.Status))
	w.intField(`,"attempts":`, e.Attempts)
	w.timeField(`,"next_at":`, e.NextAt)
	if e.ErrCode != 0 {
		w.raw(`,"errcode":`)
		w.int(e.ErrCode)
	}
	w.optStr(`,"errmsg":`, e.ErrMsg)
	w.timeField(`,"created_at":`, e.CreatedAt)
	w.timeField(`,"done_at":`, e.DoneAt)
	w.optUint(`,"compensated":`, uint64(e.Compensated))
	if e.Background {
		w.raw(`,"background":true`)
	}
	w.optStr(`,"batch":`, e.Batch)
	w.raw("}")
	if !w.ok {
		return encode(e)
	}
	return w.string()
}

// encodeRel is encode(r); the tags in key order, as the encoder writes a
// map.
func encodeRel(r *Relationship) string {
	w := jsonWriter{b: make([]byte, 0, 160+96*len(r.Tags)), ok: true}
	w.strField(`{"customer":`, r.Customer)
	w.strField(`,"follower":`, r.Follower)
	w.optStr(`,"remark":`, r.Remark)
	w.strs(`,"mobiles":`, r.Mobiles)
	w.timeField(`,"create_time":`, r.CreateTime)
	w.optStr(`,"state":`, r.State)
	w.raw(`,"tags":`)
	if r.Tags == nil {
		w.raw("null")
	} else {
		w.raw("{")
		for i, id := range sortedKeys(r.Tags) {
			if i > 0 {
				w.raw(",")
			}
			m := r.Tags[id]
			w.str(id)
			w.raw(`:{"by":`)
			w.str(m.By)
			w.raw(`,"at":`)
			w.time(m.At)
			w.raw(`,"cs":`)
			w.uint(uint64(m.CS))
			w.raw("}")
		}
		w.raw("}")
	}
	w.raw("}")
	if !w.ok {
		return encode(r)
	}
	return w.string()
}
