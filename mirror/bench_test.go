package mirror

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// BenchmarkOutboxDrain measures sending queued mark_tag calls to the fake
// WeCom over loopback HTTP (client rate limits off), recording each result
// in a file-backed store. Entries alternate adding and removing a tag on 300
// relationships, so every relationship has a chain of ordered entries.
func BenchmarkOutboxDrain(b *testing.B) {
	for _, parallel := range []int{1, 4} {
		b.Run(fmt.Sprintf("parallel=%d", parallel), func(b *testing.B) {
			e := newEnv(b)
			seedBig(b, e, 250) // 300 relationships
			e.fullSync(b)
			var rels [][2]string
			for i := range 250 {
				rs, err := e.st.Relationships(fmt.Sprintf("wm%05d", i))
				must(b, err)
				for _, r := range rs {
					rels = append(rels, [2]string{r.Customer, r.Follower})
				}
			}
			tag := e.lib["展会"]
			batch := make([]store.ChangeSet, 0, b.N)
			for i := range b.N {
				r := rels[i%len(rels)]
				cs := store.ChangeSet{Actor: r[1], Source: store.SourceCommand, Customer: r[0], Follower: r[1]}
				rel, err := e.st.Relationship(r[0], r[1])
				must(b, err)
				_, had := rel.Tags[tag]
				if had != ((i/len(rels))%2 == 1) { // the seed's own tag flips the phase
					cs.Remove = []store.TagRef{{ID: tag}}
				} else {
					cs.Add = []store.TagRef{{ID: tag}}
				}
				batch = append(batch, cs)
			}
			applied := 0
			for start := 0; start < len(batch); start += 500 {
				css, err := e.st.ApplyBatch(batch[start:min(start+500, len(batch))])
				must(b, err)
				applied += len(css)
			}
			w := e.worker(WorkerOptions{Parallel: parallel})
			b.ReportAllocs()
			b.ResetTimer()
			must(b, w.Drain(context.Background()))
			b.StopTimer()
			if got := len(okMarkTags(e.fake)); got != applied {
				b.Fatalf("sent %d of %d entries", got, applied)
			}
			b.ReportMetric(float64(applied)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkFullSync1000 measures a full sync of 1,000 customers (1,200
// relationships, 12 pages of batch/get_by_user) from the fake: "first" into
// an empty store (every tagged relationship becomes a change-set),
// "unchanged" into a store already in agreement (no change-sets).
func BenchmarkFullSync1000(b *testing.B) {
	b.Run("first", func(b *testing.B) {
		e := newEnv(b)
		seedBig(b, e, 1000)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			e.reopenEmpty(b)
			b.StartTimer()
			if rep := e.fullSync(b); rep.Customers != 1000 || rep.ChangeSets == 0 {
				b.Fatalf("report %+v", rep)
			}
		}
		b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "customers/s")
	})
	b.Run("unchanged", func(b *testing.B) {
		e := newEnv(b)
		seedBig(b, e, 1000)
		e.fullSync(b)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if rep := e.fullSync(b); rep.Customers != 1000 || rep.ChangeSets != 0 {
				b.Fatalf("report %+v", rep)
			}
		}
		b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "customers/s")
	})
}

// reopenEmpty switches the env to a fresh store file.
func (e *env) reopenEmpty(tb testing.TB) {
	tb.Helper()
	must(tb, e.st.Close())
	e.path = filepath.Join(filepath.Dir(e.path), fmt.Sprintf("tagbot-%d.db", envSeq.Add(1)))
	e.open(tb)
}
