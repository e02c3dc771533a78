package importer

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tagbot/tagbot/store"
)

// customer finds the row's customer: by external_userid, else by mobile,
// else by a name unique among the customers of the follower (the 跟进人
// column, or for an employee themself). A customer not found, or not one
// the importer may act on, is reported and ok is false.
func (pl *planner) customer(line int, id, mobile, name, follower string) (c store.Customer, ok bool, err error) {
	unknown := func(value, msg string) (store.Customer, bool, error) {
		pl.unknownC = append(pl.unknownC, Issue{Row: line, Value: value, Msg: msg})
		return store.Customer{}, false, nil
	}
	var found []store.Customer
	switch {
	case id != "":
		c, err := pl.o.Store.Customer(id)
		if errors.Is(err, store.ErrNotFound) {
			return unknown(id, "没有这个客户ID")
		}
		if err != nil {
			return c, false, err
		}
		found = []store.Customer{c}
	case mobile != "":
		if found, err = pl.o.Store.CustomersExact(phoneDigits(mobile), 5); err != nil {
			return c, false, err
		}
		if len(found) == 0 {
			return unknown(mobile, "没有客户用这个手机号")
		}
	case name != "":
		if found, err = pl.o.Store.CustomersExact(name, 20); err != nil {
			return c, false, err
		}
		found = slices.DeleteFunc(found, func(c store.Customer) bool { return c.Name != name })
		if len(found) == 0 {
			if pl.lib.isTag(name) {
				return c, false, nil // reported as a shifted name by row
			}
			return unknown(name, "没有叫这个名字的客户")
		}
	default:
		return unknown("", "这一行没有客户ID、手机号或客户名称")
	}
	who := follower
	if who == "" && !pl.o.Policy.SeesAll() {
		who = pl.o.Policy.User()
	}
	if who != "" {
		mine := slices.DeleteFunc(slices.Clone(found), func(c store.Customer) bool { return !slices.Contains(c.Followers, who) })
		if len(mine) == 0 {
			pl.denyOrBad(line, follower, found[0])
			return c, false, nil
		}
		found = mine
	}
	if len(found) > 1 {
		return unknown(firstNonEmpty(mobile, name), fmt.Sprintf("有 %d 位客户同名或同号：请填客户ID或跟进人", len(found)))
	}
	return found[0], true, nil
}

// denyOrBad reports a customer that the follower does not follow.
func (pl *planner) denyOrBad(line int, follower string, c store.Customer) {
	if follower == "" {
		pl.denied = append(pl.denied, Issue{Row: line, Value: c.ID, Msg: "你没有跟进这位客户"})
		return
	}
	pl.bad = append(pl.bad, Issue{Row: line, Column: FieldFollower.Label(), Value: follower, Msg: "这位员工没有跟进该客户"})
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// relationships are the relationships the row changes: the follower's;
// without a 跟进人 column an employee's own and, for managers and admins,
// every follower's (a customer-level tag).
func (pl *planner) relationships(line int, c store.Customer, follower string) []string {
	p := pl.o.Policy
	switch {
	case follower != "" && !p.SeesAll() && follower != p.User():
		pl.denied = append(pl.denied, Issue{Row: line, Column: FieldFollower.Label(), Value: follower, Msg: "员工只能导入自己跟进的客户"})
		return nil
	case follower != "":
		return []string{follower}
	case !p.SeesAll():
		return []string{p.User()}
	}
	return c.Followers
}

// merge adds the row's tags to the relationship's pending change; a later
// row wins over an earlier one for the same tag.
func (pl *planner) merge(line int, c store.Customer, follower string, op Op, tags []rowTag) {
	ref := relRef{c.ID, follower}
	pd := pl.pending[ref]
	if pd == nil {
		pd = &pending{row: line, name: c.Name, rows: map[string][]int{}}
		pl.pending[ref] = pd
		pl.order = append(pl.order, ref)
	}
	for _, rt := range tags {
		t, ok := pl.resolve(rt, op)
		if !ok {
			continue
		}
		k := tagKey(t)
		if slices.ContainsFunc(pd.add, sameTag(t)) != (op == OpAdd) {
			delete(pd.rows, k) // the earlier rows asked the opposite
		}
		if rows := pd.rows[k]; len(rows) == 0 || rows[len(rows)-1] != line {
			pd.rows[k] = append(rows, line)
		}
		pd.add = withoutTag(pd.add, t)
		pd.remove = withoutTag(pd.remove, t)
		if op == OpAdd {
			pd.add = append(pd.add, t)
		} else {
			pd.remove = append(pd.remove, t)
		}
	}
}

// resolve turns a row tag into a library tag (one proposed for its
// unknown name and chosen), or a tag to create (ID "") when its unknown
// name was chosen to be created (managers and admins only, and only to
// add).
func (pl *planner) resolve(rt rowTag, op Op) (store.Tag, bool) {
	if rt.unknown == nil {
		return rt.tag, true
	}
	ch := rt.unknown.Choice
	switch {
	case ch.Use != "":
		if !rt.unknown.Proposed(ch.Use) {
			return store.Tag{}, false
		}
		t, ok := pl.lib.byID[ch.Use]
		return t, ok
	case ch.Create && op == OpAdd && pl.o.Policy.SeesAll():
		return store.Tag{Name: rt.unknown.Name, GroupName: firstNonEmpty(ch.Group, rt.unknown.Group, defaultNewGroup)}, true
	}
	return store.Tag{}, false
}

// defaultNewGroup is the group of a created tag whose row named none.
const defaultNewGroup = "导入"

// tagKey identifies a tag in a plan, created ones by group and name.
func tagKey(t store.Tag) string {
	if t.ID != "" {
		return t.ID
	}
	return "new:" + t.GroupName + "/" + t.Name
}

func sameTag(t store.Tag) func(store.Tag) bool {
	k := tagKey(t)
	return func(x store.Tag) bool { return tagKey(x) == k }
}

func withoutTag(list []store.Tag, t store.Tag) []store.Tag {
	k := tagKey(t)
	return slices.DeleteFunc(list, func(x store.Tag) bool { return tagKey(x) == k })
}
