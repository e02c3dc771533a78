package store

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Apply reads the relationship it changes every time. A stored
// relationship is, but for a hand-edited or very old store, exactly what
// encodeRel writes, so decodeRel reads that form by hand, its strings
// referring to the stored value instead of copies, and leaves anything else
// (an escape, a field out of order, a time not in its canonical form) to
// the JSON decoder. TestDecodeRelMatchesDecoder and FuzzDecodeRel hold it
// to the decoder's result.

// decodeRel decodes the relationship stored at key.
func decodeRel(key, raw string) (*Relationship, error) {
	if r, ok := readRel(raw); ok {
		return r, nil
	}
	var r Relationship
	if err := decode(key, raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// relReader reads the JSON of one relationship from s at i; ok turns
// false at the first thing it does not read exactly as the decoder would.
type relReader struct {
	s  string
	i  int
	ok bool
}

// lit consumes lit if it comes next and reports whether it did.
func (p *relReader) lit(lit string) bool {
	if p.ok && strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

// need consumes lit, which must come next.
func (p *relReader) need(lit string) {
	if !p.lit(lit) {
		p.ok = false
	}
}

// str reads a string without escapes or control characters.
func (p *relReader) str() string {
	if !p.lit(`"`) {
		p.ok = false
		return ""
	}
	end := strings.IndexByte(p.s[p.i:], '"')
	if end < 0 {
		p.ok = false
		return ""
	}
	v := p.s[p.i : p.i+end]
	for j := 0; j < len(v); j++ {
		if v[j] < 0x20 || v[j] == '\\' {
			p.ok = false
			return ""
		}
	}
	if !utf8.ValidString(v) {
		p.ok = false
		return ""
	}
	p.i += end + 1
	return v
}

// time reads a time in the form encode writes it (RFC 3339 with
// nanoseconds, trailing zeros dropped): parsed, it must format back to the
// same text.
func (p *relReader) time() time.Time {
	v := p.str()
	if !p.ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	var buf [64]byte
	if err != nil || string(t.AppendFormat(buf[:0], time.RFC3339Nano)) != v {
		p.ok = false
	}
	return t
}

// uint reads an unsigned integer without leading zeros.
func (p *relReader) uint() uint64 {
	j := p.i
	for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	n, err := strconv.ParseUint(p.s[p.i:j], 10, 64)
	if !p.ok || err != nil || (j-p.i > 1 && p.s[p.i] == '0') {
		p.ok = false
		return 0
	}
	p.i = j
	return n
}

// readRel reads what encodeRel writes.
func readRel(s string) (*Relationship, bool) {
	p := relReader{s: s, ok: true}
	r := &Relationship{}
	p.need(`{"customer":`)
	r.Customer = p.str()
	p.need(`,"follower":`)
	r.Follower = p.str()
	if p.lit(`,"remark":`) {
		r.Remark = p.str()
	}
	if p.lit(`,"mobiles":[`) {
		for {
			r.Mobiles = append(r.Mobiles, p.str())
			if !p.lit(",") {
				break
			}
		}
		p.need("]")
	}
	p.need(`,"create_time":`)
	r.CreateTime = p.time()
	if p.lit(`,"state":`) {
		r.State = p.str()
	}
	p.need(`,"tags":`)
	if !p.lit("null") {
		p.need("{")
		r.Tags = map[string]Mark{}
		for p.ok && !p.lit("}") {
			if len(r.Tags) > 0 {
				p.need(",")
			}
			id := p.str()
			var m Mark
			p.need(`:{"by":`)
			m.By = p.str()
			p.need(`,"at":`)
			m.At = p.time()
			p.need(`,"cs":`)
			m.CS = ID(p.uint())
			p.need("}")
			if _, dup := r.Tags[id]; dup {
				p.ok = false
			}
			r.Tags[id] = m
		}
	}
	p.need("}")
	if !p.ok || p.i != len(s) {
		return nil, false
	}
	return r, true
}
