package trigger

import (
	"fmt"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// BenchmarkFire is the cost the trigger hook adds to every change-set:
// 50 triggers over a library of 2,000 tags, for a change-set that fires
// one trigger (an implied tag and a reminder).
func BenchmarkFire(b *testing.B) {
	var lib []store.Tag
	for i := range 2000 {
		lib = append(lib, store.Tag{ID: fmt.Sprintf("t%d", i), GroupID: fmt.Sprintf("g%d", i/20), GroupName: fmt.Sprintf("组%d", i/20), Name: fmt.Sprintf("标签%d", i)})
	}
	var ts []config.Trigger
	for i := range 50 {
		ts = append(ts, config.Trigger{Name: fmt.Sprintf("触发%d", i), OnAdd: []string{fmt.Sprintf("标签%d", 2*i)}, Add: []string{fmt.Sprintf("标签%d", 2*i+1)},
			RemindAfter: 72 * time.Hour, Remind: "回访"})
	}
	eng := New(ts, Options{})
	in := store.TriggerInput{
		Change:  store.ChangeSet{ID: 7, Actor: "zhangsan", Customer: "c1", Follower: "zhangsan", Add: []store.TagRef{lib[40].Ref()}, Time: time.Unix(1e9, 0)},
		Rel:     store.Relationship{Customer: "c1", Follower: "zhangsan", Tags: map[string]store.Mark{"t40": {}}},
		Library: lib, CustomerName: "王小明",
	}
	eng.Fire(in) // builds the library lookup, once per library
	b.ReportAllocs()
	for b.Loop() {
		out := eng.Fire(in)
		if len(out.ChangeSets) != 1 || len(out.Notes) != 1 {
			b.Fatalf("fired %+v", out)
		}
	}
}
