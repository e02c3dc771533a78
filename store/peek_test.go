package store

import (
	stdjson "encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPeekTime(t *testing.T) {
	at := time.Date(2026, 11, 1, 9, 30, 0, 123456789, time.UTC)
	hash := strings.Repeat("ab", 32)
	legacy := encode(ChangeSet{ID: 7, Time: at, Actor: "zhangsan", Customer: "c1", Follower: "zhangsan"})
	type peeked struct {
		ID   ID
		Time time.Time
		OK   bool
	}
	cases := []struct {
		name string
		v    string
		want peeked
	}{
		{"chained", hashPrefix + hash + `",` + legacy[1:], peeked{7, at, true}},
		{"before the chain", legacy, peeked{7, at, true}},
		{"whole seconds", `{"id":3,"time":"2026-11-01T09:00:00Z","actor":"x"}`, peeked{3, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), true}},
		{"time not second", `{"id":3,"actor":"x","time":"2026-11-01T09:00:00Z"}`, peeked{}},
		{"hash too short", hashPrefix + "abc" + `",` + legacy[1:], peeked{}},
		{"hash not closed", hashPrefix + hash + `x` + legacy[1:], peeked{}},
		{"id not a number", `{"id":"3","time":"2026-11-01T09:00:00Z"}`, peeked{}},
		{"time not RFC 3339", `{"id":3,"time":"yesterday"}`, peeked{}},
		{"time not closed", `{"id":3,"time":"2026-11-01T09:00:00Z`, peeked{}},
		{"not an object", `[]`, peeked{}},
		{"empty", ``, peeked{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got peeked
			got.ID, got.Time, got.OK = peekTime(tc.v)
			if !got.Time.Equal(tc.want.Time) || got.ID != tc.want.ID || got.OK != tc.want.OK {
				t.Errorf("peekTime(%q) = %+v, want %+v", tc.v, got, tc.want)
			}
		})
	}
}

func TestPeekString(t *testing.T) {
	type peeked struct {
		Val       string
		Found, OK bool
	}
	v := encode(ChangeSet{ID: 1, Actor: "zhangsan", Follower: "lisi", Customer: "c1", Reason: `he said "follower":"x"`,
		Add: []TagRef{{ID: "t1", Name: "denied"}}, Denied: `不许 \ 改`})
	cases := []struct {
		name, v, key string
		want         peeked
	}{
		{"plain", v, "follower", peeked{"lisi", true, true}},
		{"first of its name, not in a string", v, "actor", peeked{"zhangsan", true, true}},
		{"escaped value", v, "denied", peeked{"", true, false}},
		{"absent", v, "batch", peeked{"", false, true}},
		{"tag named like a key", encode(ChangeSet{Add: []TagRef{{ID: "denied", Name: "denied"}}}), "denied", peeked{"", false, true}},
		{"unicode", encode(ChangeSet{Follower: "张三"}), "follower", peeked{"张三", true, true}},
		{"not closed", `{"follower":"lisi`, "follower", peeked{"", true, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got peeked
			got.Val, got.Found, got.OK = peekString(tc.v, tc.key)
			if got != tc.want {
				t.Errorf("peekString(%q) = %+v, want %+v", tc.key, got, tc.want)
			}
		})
	}
}

// rewrite replaces the stored value of change-set id, as an edit of the
// file would (the chain breaks; History must not care).
func rewrite(t *testing.T, s *Store, id ID, edit func(v string) string) {
	t.Helper()
	must(t, s.update(func(tx *txn) error {
		key := seqKey("cs:", uint64(id))
		v, err := tx.Get(key)
		if err != nil {
			return err
		}
		_, _, err = tx.Set(key, edit(v), nil)
		return err
	}))
}

// moveTime rewrites change-set id with its time as the last field, where
// peekTime does not look for it.
func moveTime(t *testing.T, s *Store, id ID) {
	t.Helper()
	rewrite(t, s, id, func(v string) string {
		var cs ChangeSet
		must(t, decode("cs", v, &cs))
		at, _ := cs.Time.MarshalJSON()
		cs.Time = time.Time{}
		body := encode(cs)
		body = strings.Replace(body, `"time":"0001-01-01T00:00:00Z",`, "", 1)
		return body[:len(body)-1] + `,"time":` + string(at) + "}"
	})
}

// TestTimeSearchAgreesWithScan compares the binary search of since:/until:
// with a scan of every change-set's decoded time, on a ledger with equal
// times, a clock that stepped back (clamped) and values whose time is not
// where the peek looks.
func TestTimeSearchAgreesWithScan(t *testing.T) {
	s, clk := openTest(t)
	start := clk.Now()
	steps := []time.Duration{0, time.Minute, 0, 0, time.Hour, -30 * time.Minute, time.Second, time.Millisecond, 2 * time.Hour, 0}
	for i, d := range steps {
		clk.Advance(d)
		if i%2 == 0 {
			apply(t, s, "zhangsan", "c1", []string{"t3"}, nil)
		} else {
			apply(t, s, "zhangsan", "c1", nil, []string{"t3"})
		}
	}
	moveTime(t, s, 3)
	moveTime(t, s, 5)
	scan := func(at time.Time) uint64 {
		for id := ID(1); id <= ID(len(steps)); id++ {
			cs, err := s.Get(id)
			must(t, err)
			if !cs.Time.Before(at) {
				return uint64(id)
			}
		}
		return uint64(len(steps)) + 1
	}
	probes := []time.Duration{-time.Hour, 0, time.Nanosecond, time.Minute, time.Minute + time.Nanosecond, 31 * time.Minute,
		time.Hour + time.Minute, time.Hour + time.Minute + time.Second, time.Hour + time.Minute + 1001*time.Millisecond, 3 * time.Hour, 10 * time.Hour}
	for _, p := range probes {
		at := start.Add(p)
		t.Run(p.String(), func(t *testing.T) {
			var got uint64
			must(t, s.view(func(tx *txn) error {
				var err error
				got, err = firstAtOrAfter(tx, at, uint64(len(steps)))
				return err
			}))
			if want := scan(at); got != want {
				t.Errorf("first change-set at or after %v: search says %d, scan says %d", at, got, want)
			}
		})
	}
}

// TestHistoryAgreesWithScan compares History (index walk, peeks, fallbacks)
// with a full decode of every change-set filtered by Query.match, for
// queries on every index, secondary filters, denied attempts, and values
// that the peeks cannot read (escaped follower and denied, moved time).
func TestHistoryAgreesWithScan(t *testing.T) {
	s, clk := openTest(t)
	start := clk.Now()
	for i := 0; i < 24; i++ {
		clk.Advance(10 * time.Minute)
		cs := ChangeSet{Actor: []string{"zhangsan", "lisi", "wangwu"}[i%3], Source: SourceCommand,
			Customer: []string{"c1", "c2"}[i%2], Follower: "zhangsan", Add: tags([]string{"t1", "t2", "t3", "t4"}[i%4])}
		if cs.Customer == "c1" && i%4 == 2 {
			cs.Follower = "lisi"
		}
		if i%5 == 0 {
			cs.Denied = "没有权限"
		}
		if i%6 == 1 {
			cs.Batch = "b1"
		}
		if _, err := s.Apply(cs); err != nil {
			// the tag is already there: take it off instead
			cs.Add, cs.Remove = nil, cs.Add
			_, err = s.Apply(cs)
			must(t, err)
		}
	}
	rewrite(t, s, 8, func(v string) string {
		return strings.Replace(v, `"follower":"zhangsan"`, `"follower":"zhang\u0073an"`, 1)
	})
	rewrite(t, s, 11, func(v string) string {
		return strings.Replace(v, `"denied":"没有权限"`, `"denied":"\u6ca1有权限"`, 1)
	})
	moveTime(t, s, 12)
	all := make([]ChangeSet, 0, 24)
	for id := ID(24); id >= 1; id-- {
		cs, err := s.Get(id)
		must(t, err)
		all = append(all, cs)
	}
	scan := func(q Query) []ID {
		var out []ID
		for _, cs := range all {
			if len(out) == q.Limit {
				break
			}
			inTime := (q.Since.IsZero() || !cs.Time.Before(q.Since)) && (q.Until.IsZero() || cs.Time.Before(q.Until))
			if inTime && (q.Before == 0 || cs.ID < q.Before) && q.match(&cs) {
				out = append(out, cs.ID)
			}
		}
		return out
	}
	queries := []Query{
		{}, {IncludeDenied: true}, {Limit: 3},
		{Customer: "c1"}, {Customer: "c1", IncludeDenied: true},
		{Customer: "c1", Follower: "zhangsan"}, {Customer: "c1", Follower: "zhangsan", IncludeDenied: true},
		{Customer: "c1", Follower: "lisi", IncludeDenied: true}, {Customer: "c2", Follower: "zhangsan", IncludeDenied: true},
		{Actor: "lisi"}, {Actor: "zhangsan", IncludeDenied: true}, {Customer: "c2", Actor: "wangwu", IncludeDenied: true},
		{Tag: "t1", IncludeDenied: true}, {Customer: "c1", Tag: "t3", IncludeDenied: true}, {Actor: "lisi", Tag: "t2"},
		{Batch: "b1", IncludeDenied: true}, {Customer: "c2", Batch: "b1"},
		{Since: start.Add(time.Hour), IncludeDenied: true}, {Until: start.Add(2 * time.Hour), Customer: "c1"},
		{Since: start.Add(65 * time.Minute), Until: start.Add(185 * time.Minute), Follower: "zhangsan", Customer: "c2"},
		{Before: 12, Limit: 4, IncludeDenied: true}, {Before: 9, Customer: "c2", Follower: "zhangsan"},
		{Since: start.Add(115 * time.Minute), Customer: "c1", Actor: "zhangsan", IncludeDenied: true}, // since searched
		{Since: start.Add(115 * time.Minute), Customer: "c1", Until: start.Add(200 * time.Minute)},    // since walked
		{Since: start.Add(10 * time.Hour)}, {Since: start.Add(10 * time.Hour), Tag: "t1", Batch: "b1"},
	}
	for i, q := range queries {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if q.Limit == 0 {
				q.Limit = 20
			}
			list, err := s.History(q)
			must(t, err)
			var got []ID
			for _, cs := range list {
				got = append(got, cs.ID)
			}
			if want := scan(q); !reflect.DeepEqual(got, want) {
				t.Errorf("%+v: History = %v, full scan = %v", q, got, want)
			}
		})
	}
}

// TestDecodeChangeSet: the decoding History uses (strings referring to the
// stored value) gives what encoding/json gives, escapes included, and a
// later decoding does not change an earlier result.
func TestDecodeChangeSet(t *testing.T) {
	at := time.Date(2026, 11, 1, 9, 30, 0, 5, time.UTC)
	values := []string{
		hashPrefix + strings.Repeat("ab", 32) + `",` + encode(ChangeSet{ID: 1, Time: at, Actor: "张三", Customer: "c1", Follower: "zhangsan",
			Add: []TagRef{{ID: "t1", Name: "VIP", Group: "等级"}}, Reason: "line\nbreak \"quoted\"", Prev: strings.Repeat("0", 64)})[1:],
		`{"id":2,"time":"2026-11-01T09:00:00Z","actor":"zhang\u0073an","source":"command","customer":"c\u0031","follower":"lisi","remove":[{"id":"t\u0032"}],"denied":"\u4e0d"}`,
		`{"id":3,"time":"2026-11-01T09:00:00Z","actor":"","customer":"c3","follower":"x","reason":"` + strings.Repeat("长", 3000) + `\t"}`,
	}
	var got []ChangeSet
	for _, v := range values {
		cs, err := decodeChangeSet("cs", v)
		must(t, err)
		got = append(got, cs)
	}
	for i, v := range values {
		var want ChangeSet
		must(t, stdjson.Unmarshal([]byte(v), &want))
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("value %d: decoded %+v, encoding/json gives %+v", i+1, got[i], want)
		}
	}
	if _, err := decodeChangeSet("cs:000000000009", `{"id":"nine"}`); err == nil || !strings.Contains(err.Error(), "cs:000000000009") {
		t.Errorf("a bad value: error %v, want one naming its key", err)
	}
}
