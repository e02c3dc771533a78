package store

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// handStrings are strings the hand encoders write or must leave to the
// encoder: plain, Chinese, HTML, quotes, control characters, the line
// separators JSON escapes for JavaScript, invalid UTF-8, DEL.
var (
	plainStrings   = []string{"", "zhangsan", "wmABC-_.123", "标签", "高意向客户", "a b", "emoji 😀", "~frame", "é", "\u00a0", "\ufeff", "{}[],:"}
	hostileStrings = []string{"<b>", "x&y", `say "hi"`, `back\slash`, "line\nbreak", "tab\there", "\x00", "\x1f", "\x7f", "sep\u2028x", "para\u2029", "bad\xffutf8", "\xe4\xb8", "{\"hash\":\""}
)

var handZones = []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("odd", -(3*3600 + 30*60)), time.FixedZone("sec", 3661), time.FixedZone("far", 25*3600)}

// handGen makes values for the hand encoders from a random source; a
// plain one (half of them) only what they write themselves, the rest now
// and then a string or time they leave to the encoder.
type handGen struct {
	r     *rand.Rand
	plain bool
}

func (g handGen) pick() string {
	if g.plain || g.r.IntN(20) != 0 {
		return plainStrings[g.r.IntN(len(plainStrings))]
	}
	return hostileStrings[g.r.IntN(len(hostileStrings))]
}

func (g handGen) str() string {
	if g.r.IntN(3) == 0 {
		return g.pick() + g.pick()
	}
	return g.pick()
}

func (g handGen) time() time.Time {
	switch g.r.IntN(6) {
	case 0:
		return time.Time{}
	case 1:
		if !g.plain && g.r.IntN(4) == 0 {
			return time.Date(10000+g.r.IntN(5), 1, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	zones := handZones
	if g.plain {
		zones = zones[:3]
	}
	t := time.Date(1990+g.r.IntN(60), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), g.r.IntN(3)*g.r.IntN(1e9), time.UTC)
	return t.In(zones[g.r.IntN(len(zones))])
}

func (g handGen) id() ID {
	return [...]ID{0, 1, 42, 999999999999, 1 << 62}[g.r.IntN(5)]
}

func (g handGen) strs() []string {
	switch g.r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	out := make([]string, 1+g.r.IntN(3))
	for i := range out {
		out[i] = g.str()
	}
	return out
}

func (g handGen) refs() []TagRef {
	if g.r.IntN(4) == 0 {
		return nil
	}
	out := make([]TagRef, g.r.IntN(4))
	for i := range out {
		out[i] = TagRef{ID: g.str(), Name: g.str(), Group: g.str()}
	}
	return out
}

func (g handGen) changeSet() ChangeSet {
	return ChangeSet{
		Hash: g.str(), ID: g.id(), Time: g.time(), Actor: g.str(), Source: Source(g.str()), Customer: g.str(),
		Follower: g.str(), Add: g.refs(), Remove: g.refs(), Reason: g.str(), Reverts: g.id(), Batch: g.str(),
		Denied: g.str(), Forced: g.r.IntN(2) == 0, Outbox: g.id(), Inbox: g.id(), Prev: g.str(), Cause: g.id(),
	}
}

func (g handGen) outboxEntry() OutboxEntry {
	return OutboxEntry{
		ID: g.id(), CS: g.id(), Op: g.str(), Actor: g.str(), Customer: g.str(), Follower: g.str(),
		Add: g.strs(), Remove: g.strs(), Status: OutboxStatus(g.str()), Attempts: g.r.IntN(3) - 1,
		NextAt: g.time(), ErrCode: [...]int{0, 45009, -1}[g.r.IntN(3)], ErrMsg: g.str(), CreatedAt: g.time(),
		DoneAt: g.time(), Compensated: g.id(), Background: g.r.IntN(2) == 0, Batch: g.str(),
	}
}

func (g handGen) rel() Relationship {
	r := Relationship{
		Customer: g.str(), Follower: g.str(), Remark: g.str(), Mobiles: g.strs(), CreateTime: g.time(), State: g.str(),
	}
	if n := g.r.IntN(5); n > 0 {
		r.Tags = map[string]Mark{}
		for i := 0; i < n; i++ {
			r.Tags[g.str()] = Mark{By: g.str(), At: g.time(), CS: g.id()}
		}
	}
	return r
}

// encodeOrPanic is encode, with a value the encoder refuses reported as
// "panic" (the hand encoders leave such values to it, so they panic too).
func encodeOrPanic(v any) (s string) {
	defer func() {
		if recover() != nil {
			s = "panic"
		}
	}()
	return encode(v)
}

// handOrPanic is the same for a hand encoder.
func handOrPanic(fn func() string) (s string) {
	defer func() {
		if recover() != nil {
			s = "panic"
		}
	}()
	return fn()
}

// checkHand compares the three hand encoders with encode on values made
// from seed.
func checkHand(t *testing.T, seed uint64) {
	t.Helper()
	g := handGen{r: rand.New(rand.NewPCG(seed, seed>>7)), plain: seed%2 == 0}
	cs, e, r := g.changeSet(), g.outboxEntry(), g.rel()
	for _, c := range []struct {
		what       string
		want, have string
	}{
		{"ChangeSet", encodeOrPanic(&cs), handOrPanic(func() string { return string(appendChangeSet([]byte("x"), &cs)[1:]) })},
		{"OutboxEntry", encodeOrPanic(&e), handOrPanic(func() string { return encodeOutboxEntry(&e) })},
		{"Relationship", encodeOrPanic(&r), handOrPanic(func() string { return encodeRel(&r) })},
	} {
		if c.want != c.have {
			t.Fatalf("seed %d: %s:\nencode: %s\nhand:   %s", seed, c.what, c.want, c.have)
		}
	}
}

func TestHandJSONMatchesEncoder(t *testing.T) {
	for seed := uint64(0); seed < 20000; seed++ {
		checkHand(t, seed)
	}
}

func FuzzHandJSON(f *testing.F) {
	f.Add(uint64(1))
	f.Add(uint64(1 << 40))
	f.Fuzz(func(t *testing.T, seed uint64) { checkHand(t, seed) })
}

// checkDecodeRel holds decodeRel to the decoder on raw: the same
// relationship, or the same refusal.
func checkDecodeRel(t *testing.T, raw string) {
	t.Helper()
	var want Relationship
	werr := decode("rel:x", raw, &want)
	have, herr := decodeRel("rel:x", raw)
	if (werr != nil) != (herr != nil) {
		t.Fatalf("%q: decoder error %v, decodeRel error %v", raw, werr, herr)
	}
	if werr == nil && !reflect.DeepEqual(*have, want) {
		t.Fatalf("%q:\ndecoder:   %#v\ndecodeRel: %#v", raw, want, *have)
	}
}

func TestDecodeRelMatchesDecoder(t *testing.T) {
	read := 0
	for seed := uint64(0); seed < 20000; seed++ {
		g := handGen{r: rand.New(rand.NewPCG(seed, seed>>7)), plain: seed%2 == 0}
		r := g.rel()
		raw := encodeOrPanic(&r)
		if raw == "panic" {
			continue
		}
		checkDecodeRel(t, raw)
		if _, ok := readRel(raw); ok {
			read++
		}
	}
	for _, raw := range []string{
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05Z","tags":null}`,
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05Z","tags":{}}`,
		`{"customer":"c","follower":"f","mobiles":[],"create_time":"2026-01-02T03:04:05Z","tags":{}}`,
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05.000Z","tags":{}}`,
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05+00:00","tags":{}}`,
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05Z","tags":{"t":{"by":"u","at":"2026-01-02T03:04:05Z","cs":007}}}`,
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05Z","tags":{"t":{"by":"u","at":"2026-01-02T03:04:05Z","cs":99999999999999999999}}}`,
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05Z","tags":{"t":{"by":"u","at":"2026-01-02T03:04:05Z","cs":1},"t":{"by":"v","at":"2026-01-02T03:04:05Z","cs":2}}}`,
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05Z","tags":{}} `,
		`{"follower":"f","customer":"c","create_time":"2026-01-02T03:04:05Z","tags":{}}`,
		`{"customer":"c\u0041","follower":"f","create_time":"2026-01-02T03:04:05Z","tags":{}}`,
		"{\"customer\":\"c\xff\",\"follower\":\"f\",\"create_time\":\"2026-01-02T03:04:05Z\",\"tags\":{}}",
		`{"customer":"c","follower":"f","create_time":"2026-01-02T03:04:05Z","tags":{"t":{"by":"u","at":"2026-01-02T03:04:05Z","cs":1}`,
	} {
		checkDecodeRel(t, raw)
	}
	if read < 5000 {
		t.Errorf("decodeRel read %d of the encoded relationships itself, want most of the plain ones", read)
	}
}

func FuzzDecodeRel(f *testing.F) {
	f.Add(`{"customer":"c","follower":"f","remark":"r","mobiles":["1","2"],"create_time":"2026-01-02T03:04:05.5+08:00","state":"s","tags":{"t":{"by":"u","at":"2026-01-02T03:04:05Z","cs":1}}}`)
	f.Add(`{"customer":"c","follower":"f","create_time":"0001-01-01T00:00:00Z","tags":null}`)
	f.Fuzz(func(t *testing.T, raw string) { checkDecodeRel(t, raw) })
}

// TestHandGenSetsEveryField fails when a field is added to a type the hand
// encoders write but not to handGen, which would leave the new field out
// of TestHandJSONMatchesEncoder (and so maybe out of the hand encoder).
func TestHandGenSetsEveryField(t *testing.T) {
	set := map[string]map[string]bool{}
	mark := func(v any) {
		rv := reflect.ValueOf(v)
		name := rv.Type().Name()
		if set[name] == nil {
			set[name] = map[string]bool{}
		}
		for i := range rv.NumField() {
			if f := rv.Type().Field(i); f.IsExported() && !rv.Field(i).IsZero() {
				set[name][f.Name] = true
			}
		}
	}
	for seed := uint64(0); seed < 200; seed++ {
		g := handGen{r: rand.New(rand.NewPCG(seed, seed>>7)), plain: seed%2 == 0}
		mark(g.changeSet())
		mark(g.outboxEntry())
		mark(g.rel())
	}
	for _, v := range []any{ChangeSet{}, OutboxEntry{}, Relationship{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			if f := rt.Field(i); f.IsExported() && !set[rt.Name()][f.Name] {
				t.Errorf("handGen never sets %s.%s: add it to the generator (and check the hand encoder writes it)", rt.Name(), f.Name)
			}
		}
	}
}
