package stats

import (
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/tagbot/tagbot/store"
)

// Cross is a cross analysis of 2–6 tags over the customers in scope.
// Counts[i][j] is the customers having both tag i and tag j (Counts[i][i]:
// having tag i). All is how many have every tag; Page lists the customer
// ids of page PageNo of those, in id order.
type Cross struct {
	Tags      []store.Tag
	Customers int // customers in scope: the population of lift
	Counts    [][]int
	All       int
	PageNo    int
	Page      []string
}

// Share is the share of tag i's customers that also have tag j (0 when
// none have i).
func (c *Cross) Share(i, j int) float64 {
	if c.Counts[i][i] == 0 {
		return 0
	}
	return float64(c.Counts[i][j]) / float64(c.Counts[i][i])
}

// Lift is P(i∧j) / (P(i)·P(j)) over the customers in scope: 1 means the
// tags are independent, above 1 that they go together (0 when either tag
// has no customers).
func (c *Cross) Lift(i, j int) float64 {
	a, b := c.Counts[i][i], c.Counts[j][j]
	if a == 0 || b == 0 || c.Customers == 0 {
		return 0
	}
	return float64(c.Counts[i][j]) * float64(c.Customers) / (float64(a) * float64(b))
}

// HasLift reports whether the lift of tags i and j is defined: both have
// customers (Render shows "—" otherwise, not 0).
func (c *Cross) HasLift(i, j int) bool {
	return c.Counts[i][i] > 0 && c.Counts[j][j] > 0 && c.Customers > 0
}

// Pages is how many pages the customers having every tag fill.
func (c *Cross) Pages() int { return (c.All + PageSize - 1) / PageSize }

// Cross computes the overlap matrix of tags and page (from 1) of the
// customers having all of them. Each tag's customers come sorted from
// the store, so one merge of the lists gives every customer's set of
// tags; the matrix is summed from the counts per set.
func (s *Stats) Cross(tags []store.Tag, page int, sc Scope) (*Cross, error) {
	if len(tags) < MinCrossTags || len(tags) > MaxCrossTags {
		return nil, fmt.Errorf("%w: cross analysis takes %d to %d tags", ErrQuery, MinCrossTags, MaxCrossTags)
	}
	ids := make([]string, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
		for _, u := range tags[:i] {
			if u.ID == t.ID {
				return nil, fmt.Errorf("%w: tag %s named twice", ErrQuery, t.ID)
			}
		}
	}
	page = max(page, 1)
	total, err := s.customersInScope(sc)
	if err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	c := &Cross{Tags: tags, Customers: total, PageNo: page}
	if sc.Follower == "" {
		// under the cache's lock: intersecting takes less than copying
		err := s.withTagSets(ids, func(sets []*roaring.Bitmap, names []string) { crossSets(c, sets, names) })
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	lists, err := s.Store.TagCustomers(ids, sc.Follower)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	perSet := make([]int, 1<<len(tags))
	full := len(perSet) - 1
	skip := (page - 1) * PageSize
	merge(ids, lists, func(cust string, set int) {
		perSet[set]++
		if set == full {
			if c.All >= skip && c.All < skip+PageSize {
				c.Page = append(c.Page, cust)
			}
			c.All++
		}
	})
	c.Counts = make([][]int, len(tags))
	for i := range tags {
		c.Counts[i] = make([]int, len(tags))
		for j := range tags {
			both := 1<<i | 1<<j
			for set, n := range perSet {
				if set&both == both {
					c.Counts[i][j] += n
				}
			}
		}
	}
	return c, nil
}

// merge walks the sorted customer lists of ids together and calls fn once
// per customer with the set (bit i: ids[i]) of lists holding it.
func merge(ids []string, lists map[string][]string, fn func(cust string, set int)) {
	heads := make([][]string, len(ids))
	for i, id := range ids {
		heads[i] = lists[id]
	}
	for {
		least, set := "", 0
		for i, h := range heads {
			switch {
			case len(h) == 0:
			case set == 0 || h[0] < least:
				least, set = h[0], 1<<i
			case h[0] == least:
				set |= 1 << i
			}
		}
		if set == 0 {
			return
		}
		for i := range heads {
			if set&(1<<i) != 0 {
				heads[i] = heads[i][1:]
			}
		}
		fn(least, set)
	}
}

// crossSets fills c from the tags' customer bitmaps: pair counts are the
// cardinalities of the intersections, the customers having all come from
// walking their intersection (in bit order: stable from page to page).
func crossSets(c *Cross, sets []*roaring.Bitmap, names []string) {
	n := len(sets)
	c.Counts = make([][]int, n)
	for i := range sets {
		c.Counts[i] = make([]int, n)
	}
	for i := range sets {
		for j := i; j < n; j++ {
			both := int(sets[i].AndCardinality(sets[j]))
			c.Counts[i][j], c.Counts[j][i] = both, both
		}
	}
	all := roaring.FastAnd(sets...)
	c.All = int(all.GetCardinality())
	skip := (c.PageNo - 1) * PageSize
	if skip >= c.All {
		return
	}
	first, err := all.Select(uint32(skip)) // the page's first customer: skip < c.All
	if err != nil {
		return
	}
	it := all.Iterator()
	it.AdvanceIfNeeded(first)
	for it.HasNext() && len(c.Page) < PageSize {
		c.Page = append(c.Page, names[it.Next()])
	}
}
