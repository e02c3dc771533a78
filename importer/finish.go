package importer

import (
	"sort"

	"github.com/tagbot/tagbot/store"
)

// finish compares each pending change with the relationship's current
// tags, applies the /tag group policies and fills the plan.
func (pl *planner) finish(p *Plan) error {
	added, removed := map[string]*TagCount{}, map[string]*TagCount{}
	for _, ref := range pl.order {
		pd := pl.pending[ref]
		rel, err := pl.o.Store.Relationship(ref.customer, ref.follower)
		if err != nil {
			return err
		}
		add, remove := effective(rel, pd.add, true), effective(rel, pd.remove, false)
		if len(add) == 0 && len(remove) == 0 {
			p.Unchanged++
			continue
		}
		auto, err := pl.o.Policy.CheckTags(rel, add, remove, pl.lib.live)
		if err != nil {
			pl.denied = append(pl.denied, Issue{Row: pd.row, Value: ref.customer, Msg: err.Error()})
			continue
		}
		for _, t := range effective(rel, auto, false) {
			remove = append(withoutTag(remove, t), t)
		}
		p.Changes = append(p.Changes, Change{Row: pd.row, Customer: ref.customer, Name: pd.name, Follower: ref.follower, Add: add, Remove: remove})
		count(added, add)
		count(removed, remove)
	}
	p.Added, p.Removed = sortedCounts(added), sortedCounts(removed)
	for _, k := range pl.unkOrder {
		p.UnknownTags = append(p.UnknownTags, *pl.unknown[k])
	}
	sort.SliceStable(pl.denied, func(i, j int) bool { return pl.denied[i].Row < pl.denied[j].Row })
	p.Bad, p.Denied, p.UnknownCustomers = pl.bad, pl.denied, pl.unknownC
	return nil
}

// effective keeps the tags that would change rel: for add those it lacks
// (a tag to create always), for remove those it has.
func effective(rel store.Relationship, tags []store.Tag, add bool) []store.Tag {
	var out []store.Tag
	for _, t := range tags {
		_, has := rel.Tags[t.ID]
		if t.ID == "" {
			has = false
		}
		if has != add {
			out = append(out, t)
		}
	}
	return out
}

func count(m map[string]*TagCount, tags []store.Tag) {
	for _, t := range tags {
		k := tagKey(t)
		if m[k] == nil {
			m[k] = &TagCount{Tag: t}
		}
		m[k].Count++
	}
}

func sortedCounts(m map[string]*TagCount) []TagCount {
	out := make([]TagCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Tag.Name < out[j].Tag.Name
	})
	return out
}
