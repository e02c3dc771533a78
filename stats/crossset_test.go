package stats

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/google/go-cmp/cmp"
)

// TestCrossSetsBruteForce checks crossSets (the managers' cached path)
// against counting by hand on random sets of up to 6 tags over a few
// hundred customers: the matrix, how many have all, and every page of
// them in bit order.
func TestCrossSetsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for round := 0; round < 50; round++ {
		customers, tags := 1+rng.IntN(400), 2+rng.IntN(5)
		names := make([]string, customers)
		has := make([][]bool, tags)
		sets := make([]*roaring.Bitmap, tags)
		for b := range names {
			names[b] = fmt.Sprintf("c%03d", b)
		}
		for i := range has {
			has[i] = make([]bool, customers)
			sets[i] = roaring.New()
			share := 0.5 + rng.Float64()/2 // dense enough that many have all
			for b := range has[i] {
				if rng.Float64() < share {
					has[i][b] = true
					sets[i].Add(uint32(b))
				}
			}
		}
		var all []string
		want := make([][]int, tags)
		for i := range want {
			want[i] = make([]int, tags)
		}
		for b := range names {
			every := true
			for i := range has {
				every = every && has[i][b]
				for j := range has {
					if has[i][b] && has[j][b] {
						want[i][j]++
					}
				}
			}
			if every {
				all = append(all, names[b])
			}
		}
		for page := 1; page <= (len(all)+PageSize-1)/PageSize+1; page++ {
			c := &Cross{PageNo: page}
			crossSets(c, sets, names)
			var wantPage []string
			if lo := (page - 1) * PageSize; lo < len(all) {
				wantPage = all[lo:min(lo+PageSize, len(all))]
			}
			if !cmp.Equal(c.Counts, want) || c.All != len(all) || !cmp.Equal(c.Page, wantPage) {
				t.Fatalf("round %d page %d: counts %v all %d page %v; want %v %d %v", round, page, c.Counts, c.All, c.Page, want, len(all), wantPage)
			}
		}
	}
}
