package commands

import (
	"slices"

	"github.com/tagbot/tagbot/store"
)

// Viewer is the one customer-visibility policy: employees see, and act
// on, only the customers they follow and, of those, only their own
// relationship (their tags, their remark, its history) and their own
// actions; managers and admins see every customer and relationship. Every
// command asks it, and so must any new code that shows or counts
// customers (natural language, statistics). 客户可见范围：员工只看自己跟进的客户。
//
// It also carries which tag groups the viewer may see (visible_to,
// sight.go); a Viewer built as a literal sees every group.
type Viewer struct {
	User string
	Role Role

	hide *hidden // groups and tags the viewer may not see (sight.go)
}

// Viewer is the policy for the user who sent req.
func (req *Request) Viewer() Viewer {
	if req.view == nil {
		v := Viewer{User: req.UserID, Role: req.Role}
		if req.perms != nil {
			v = req.perms.viewer(req.UserID, req.Role)
		}
		req.view = &v
	}
	return *req.view
}

// SeesAll reports whether the viewer sees every customer and relationship
// (managers and admins).
func (v Viewer) SeesAll() bool { return v.Role.AtLeast(RoleManager) }

// Follows reports whether the viewer follows c.
func (v Viewer) Follows(c store.Customer) bool { return slices.Contains(c.Followers, v.User) }

// SeesCustomer reports whether the viewer may read c's tags and history.
func (v Viewer) SeesCustomer(c store.Customer) bool { return v.SeesAll() || v.Follows(c) }

// SeesRelationship reports whether the viewer may read the relationship
// of a customer with follower: its tags, remark and history.
func (v Viewer) SeesRelationship(follower string) bool { return v.SeesAll() || follower == v.User }

// SeesChange reports whether the viewer may read a change-set: one on a
// relationship they see, or one they made.
func (v Viewer) SeesChange(cs store.ChangeSet) bool {
	return v.SeesRelationship(cs.Follower) || cs.Actor == v.User
}

// MayRevert reports whether the viewer may undo cs as far as whose it is
// goes: their own, or anyone's for managers and admins (group policies
// are checked separately).
func (v Viewer) MayRevert(cs store.ChangeSet) bool { return v.SeesAll() || cs.Actor == v.User }

// Split divides customers into those the viewer sees and the others (in
// order; others is nil for managers and admins). Employees are told the
// others exist, never their tags.
func (v Viewer) Split(found []store.Customer) (seen, others []store.Customer) {
	if v.SeesAll() {
		return found, nil
	}
	for _, c := range found {
		if v.Follows(c) {
			seen = append(seen, c)
		} else {
			others = append(others, c)
		}
	}
	return seen, others
}

// Relationships keeps the relationships the viewer sees.
func (v Viewer) Relationships(rels []store.Relationship) []store.Relationship {
	var out []store.Relationship
	for _, rel := range rels {
		if v.SeesRelationship(rel.Follower) {
			out = append(out, rel)
		}
	}
	return out
}

// ScopeHistory narrows a ledger query to what the viewer sees: an
// employee's query is limited to their own relationships unless it asks
// for their own actions; asking for someone else's actions is refused
// (ok false).
func (v Viewer) ScopeHistory(q store.Query) (store.Query, bool) {
	if v.SeesAll() {
		return q, true
	}
	if q.Actor != "" && q.Actor != v.User {
		return q, false
	}
	if q.Actor == "" {
		q.Follower = v.User
	}
	return q, true
}
