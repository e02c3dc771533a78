package stats

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/store"
)

// TestLedgerCountsRandom applies a random sequence of tags, untags, undos
// and rollbacks, then checks that the ledger replay, the 30-day change of
// the overview (every change is in the window) and the projection all
// agree, for managers and for each employee.
func TestLedgerCountsRandom(t *testing.T) {
	for seedN := uint64(1); seedN <= 5; seedN++ {
		t.Run("seed", func(t *testing.T) {
			f := newFixture(t, time.Date(2026, 11, 1, 9, 0, 0, 0, cst))
			rng := rand.New(rand.NewPCG(seedN, 99))
			var done []store.ID
			cached := &Stats{Store: f.st, Now: f.clk.Now, Location: cst} // keeps its event cache across the run
			tagIDs := []string{"t1", "t2", "t3", "t4"}
			custs := []string{"c1", "c2", "c3", "c4", "c5", "c6"}
			for i := 0; i < 300; i++ {
				f.clk.Advance(time.Duration(rng.IntN(90)) * time.Minute)
				c := custs[rng.IntN(len(custs))]
				fol := follows[c][rng.IntN(len(follows[c]))]
				tag := tagIDs[rng.IntN(len(tagIDs))]
				var cs store.ChangeSet
				var err error
				switch op := rng.IntN(10); {
				case op < 5:
					cs, err = f.st.Apply(store.ChangeSet{Actor: fol, Source: store.SourceCommand, Customer: c, Follower: fol, Add: refs(tag)})
				case op < 7:
					cs, err = f.st.Apply(store.ChangeSet{Actor: fol, Source: store.SourceCommand, Customer: c, Follower: fol, Remove: refs(tag)})
				case op < 9 && len(done) > 0:
					cs, err = f.st.Revert(done[rng.IntN(len(done))], store.RevertOptions{Actor: "mgr", Force: true})
				default:
					add, remove, _, perr := f.st.RollbackPlan(c, fol, f.clk.Now().Add(-time.Duration(rng.IntN(48))*time.Hour))
					if perr != nil {
						t.Fatal(perr)
					}
					cs, err = f.st.Apply(store.ChangeSet{Actor: "mgr", Source: store.SourceRollback, Customer: c, Follower: fol, Add: add, Remove: remove})
				}
				if errors.Is(err, store.ErrNoChange) || errors.Is(err, store.ErrNotRevertible) {
					continue
				}
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				done = append(done, cs.ID)
				if i%37 == 0 {
					checkCacheMatchesFresh(t, f, cached)
				}
			}
			for _, sc := range []Scope{{}, {Follower: "zs"}, {Follower: "ls"}} {
				checkLedgerEqualsProjection(t, f, sc)
				ov, err := f.s.Overview(sc)
				if err != nil {
					t.Fatal(err)
				}
				for tag, r := range flatten(ov) {
					if r.Change30 != r.Customers {
						t.Errorf("scope %+v tag %s: 30-day change %d, but all %d customers gained it within 30 days", sc, tag, r.Change30, r.Customers)
					}
				}
			}
			for _, days := range []int{18, 5, 3} { // history leaves the 30-day window
				f.clk.Advance(time.Duration(days) * 24 * time.Hour)
				checkCacheMatchesFresh(t, f, cached)
			}
		})
	}
}

// checkCacheMatchesFresh compares the overview of a Stats that has been
// asked before (its event cache carried forward) with a fresh one's.
func checkCacheMatchesFresh(t *testing.T, f *fixture, cached *Stats) {
	t.Helper()
	got, err := cached.Overview(Scope{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := (&Stats{Store: f.st, Now: f.clk.Now, Location: cst}).Overview(Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(flatten(want), flatten(got)); d != "" {
		t.Fatalf("at %v the cached overview differs from a fresh one (-fresh +cached):\n%s", f.clk.Now(), d)
	}
	type cross struct {
		Counts [][]int
		All    int
	}
	for _, tags := range [][]store.Tag{testLibrary.Tags, testLibrary.Tags[1:3]} {
		gotC, err := cached.Cross(tags, 1, Scope{})
		if err != nil {
			t.Fatal(err)
		}
		wantC, err := (&Stats{Store: f.st, Now: f.clk.Now, Location: cst}).Cross(tags, 1, Scope{})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(cross{wantC.Counts, wantC.All}, cross{gotC.Counts, gotC.All}); d != "" {
			t.Fatalf("at %v the cached cross of %d tags differs from a fresh one (-fresh +cached):\n%s", f.clk.Now(), len(tags), d)
		}
	}
}
