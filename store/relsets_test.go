package store

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRelSets(t *testing.T) {
	s, _ := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	apply(t, s, "zhangsan", "c2", []string{"t1", "t3"}, nil)
	must(t, s.UpsertCustomer(Customer{ID: "c3", Name: "孙丽"}, []FollowInfo{{Follower: "lisi", State: "展会", CreateTime: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}}))
	get := func(f func() ([]string, error)) []string {
		out, err := f()
		must(t, err)
		return out
	}
	after := func(f RelFacts) bool { return !f.Created.Before(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) }
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"with tag", get(func() ([]string, error) { return s.RelsWithTag("t1") }), []string{"c1:zhangsan", "c2:zhangsan"}},
		{"of follower", get(func() ([]string, error) { return s.RelsOfFollower("lisi") }), []string{"c1:lisi", "c3:lisi"}},
		{"all", get(s.AllRels), []string{"c1:lisi", "c1:zhangsan", "c2:zhangsan", "c3:lisi"}},
		{"state", get(func() ([]string, error) {
			return s.FilterRels(nil, func(f RelFacts) bool { return f.State == "展会" })
		}), []string{"c3:lisi"}},
		{"added since, of a list", get(func() ([]string, error) { return s.FilterRels([]string{"c1:lisi", "c3:lisi", "gone:x"}, after) }), []string{"c3:lisi"}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, tt.got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
	if c, f := SplitRel("wm:x:zhangsan"); c != "wm:x" || f != "zhangsan" {
		t.Errorf("SplitRel = %q, %q", c, f)
	}
}

// FuzzPeekRelFacts: what the peek reads of a stored relationship is what
// decoding it gives, whatever its remark, mobiles and state hold.
func FuzzPeekRelFacts(f *testing.F) {
	f.Add("王总", "13800000001", "展会", int64(1760000000))
	f.Add(`","create_time":"2001-01-01T00:00:00Z","state":"x`, "", "", int64(0))
	f.Add("", "", `a","tags":{`, int64(-5))
	f.Fuzz(func(t *testing.T, remark, mobile, state string, unix int64) {
		rel := Relationship{Customer: "c", Follower: "u", Remark: remark, State: state,
			CreateTime: time.Unix(unix%(1<<40), 0).UTC(), Tags: map[string]Mark{"t1": {By: state}}}
		if mobile != "" {
			rel.Mobiles = []string{mobile}
		}
		raw := encode(&rel)
		var back Relationship
		if err := decode("rel:c:u", raw, &back); err != nil {
			t.Skip() // not valid UTF-8 or similar: not a relationship tagbot stores
		}
		got, ok := peekRelFacts(raw)
		if !ok {
			return // the caller decodes in full
		}
		if !got.Created.Equal(back.CreateTime) || got.State != back.State {
			t.Fatalf("peek %+v; decode %v %q", got, back.CreateTime, back.State)
		}
	})
}
