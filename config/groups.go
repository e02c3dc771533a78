package config

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Keys of groups.<组名> beyond editable_by, exclusive and protected:
//
//	required: true            every customer should have a tag of the group (/todo, daily digest)
//	max: 2                    at most 2 tags of the group per relationship
//	visible_to: [managers, lisi, "dept:3"]
//	                          who sees the group's tags (admins always do)
//
// visible_to entries are role names (EditorAdmins, EditorManagers,
// EditorEmployees), userids, or DeptPrefix followed by a WeCom department
// id as user/get reports it (dept:3 = the member's department list holds 3).
// 必选、限选数量与可见范围。

// DeptPrefix starts a visible_to entry naming a WeCom department id.
const DeptPrefix = "dept:"

// DefaultDigestAt is when the daily digest of customers missing a
// required group goes out, in China Standard Time. 每日提醒时间。
const DefaultDigestAt = "09:30"

// Todo configures /todo's daily digest. 必选标签组的每日提醒。
type Todo struct {
	// Digest turns the daily digest on (default true; it is only sent
	// when some group is required and the follower misses one).
	Digest bool
	// DigestAt is the hour and minute, "HH:MM" in China Standard Time.
	DigestAt string
}

// DigestClock returns DigestAt as hours and minutes (09:30 → 9, 30).
func (t Todo) DigestClock() (hour, minute int, err error) {
	at, err := time.Parse("15:04", strings.TrimSpace(t.DigestAt))
	if err != nil {
		return 0, 0, fmt.Errorf("want HH:MM like 09:30, got %q", t.DigestAt)
	}
	return at.Hour(), at.Minute(), nil
}

// DeptID returns the department id of a visible_to entry "dept:<id>".
func DeptID(entry string) (int, bool) {
	rest, ok := strings.CutPrefix(entry, DeptPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.Atoi(rest)
	return id, err == nil && id > 0
}

// UsesDepartments reports whether some visible_to names a department:
// only then does the full sync read members' departments (user/get).
func (c *Config) UsesDepartments() bool {
	for _, g := range c.Groups {
		for _, e := range g.VisibleTo {
			if strings.HasPrefix(e, DeptPrefix) {
				return true
			}
		}
	}
	return false
}

// validateGroups checks required, max and visible_to of every group, and
// the todo: keys.
func (c *Config) validateGroups(r *reporter) {
	for _, name := range slices.Sorted(maps.Keys(c.Groups)) {
		p := join("groups", name)
		g := c.Groups[name]
		switch {
		case g.Max < 0:
			r.add(p+".max", "must be a positive number of tags (or absent for no limit), got %d", g.Max)
		case g.Max > 1 && g.Exclusive:
			r.add(p+".max", "exclusive already allows only one tag; drop max or exclusive")
		}
		seen := map[string]bool{}
		for i, e := range g.VisibleTo {
			ep := fmt.Sprintf("%s.visible_to[%d]", p, i)
			e = strings.TrimSpace(e)
			switch {
			case e == "":
				r.add(ep, "must not be empty")
			case e == "admin" || e == "manager" || e == "employee":
				r.add(ep, "%q is not a role name, did you mean %q?", e, e+"s")
			case strings.HasPrefix(e, DeptPrefix):
				if _, ok := DeptID(e); !ok {
					r.add(ep, "want dept:<department id> with a positive number, like dept:3, got %q", e)
				}
			}
			if seen[e] {
				r.add(ep, "%q listed twice", e)
			}
			seen[e] = true
		}
	}
	if _, _, err := c.Todo.DigestClock(); err != nil {
		r.add("todo.digest_at", "%s", err.Error())
	}
}
