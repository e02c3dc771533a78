package commands

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Group visibility (groups.<组名>.visible_to) is decided here and nowhere
// else: perms.sees answers for one user and group, and the Viewer carries
// the answer for every group (hidden) so commands filter tag lists and
// change-sets with SeesTag, VisibleTags, VisibleRefs and ShowChange. A
// group one cannot see is also one one cannot change (perms.check).
// 标签组可见范围：只在这里判断。

// hidden is what a viewer may not see: groups by name and, so that a
// change-set naming a tag by an old group name is still caught, tag ids.
type hidden struct {
	groups map[string]bool
	tags   map[string]bool
}

// sees reports whether user (of role) may see the tags of group: admins
// and groups without visible_to always; else when visible_to names the
// user, a role the user has, or a department the user belongs to (as the
// last full sync read it from WeCom user/get).
func (p *perms) sees(user string, role Role, group string) bool {
	pol, ok := p.groups[group]
	if !ok || len(pol.visibleTo) == 0 || role == RoleAdmin || user == SystemActor {
		return true
	}
	return p.seesPolicy(pol, user, role, p.departments(user))
}

// seesPolicy is sees for one policy and the user's departments.
func (p *perms) seesPolicy(pol policy, user string, role Role, depts []int) bool {
	if editorMatches(pol.visibleTo, user, role) {
		return true
	}
	for _, e := range pol.visibleTo {
		if id, ok := config.DeptID(e); ok && slices.Contains(depts, id) {
			return true
		}
	}
	return false
}

// departments reads the user's WeCom departments from the store (none
// when unknown: a department-only group stays hidden until the sync).
func (p *perms) departments(user string) []int {
	if p.st == nil {
		return nil
	}
	ids, err := p.st.Departments(user)
	if err != nil {
		return nil
	}
	return ids
}

// hiddenFor computes what user (of role) may not see; nil when nothing.
func (p *perms) hiddenFor(user string, role Role) *hidden {
	if role == RoleAdmin || user == SystemActor {
		return nil
	}
	var h *hidden
	var depts []int
	deptsRead := false
	for name, pol := range p.groups {
		if len(pol.visibleTo) == 0 {
			continue
		}
		if !deptsRead {
			depts, deptsRead = p.departments(user), true
		}
		if p.seesPolicy(pol, user, role, depts) {
			continue
		}
		if h == nil {
			h = &hidden{groups: map[string]bool{}, tags: map[string]bool{}}
		}
		h.groups[name] = true
	}
	if h == nil || p.st == nil {
		return h
	}
	if tags, err := p.st.Tags(true); err == nil {
		for _, t := range tags {
			if h.groups[t.GroupName] {
				h.tags[t.ID] = true
			}
		}
	}
	return h
}

// viewer is the Viewer of user with the group visibility filled in.
func (p *perms) viewer(user string, role Role) Viewer {
	return Viewer{User: user, Role: role, hide: p.hiddenFor(user, role)}
}

// SeesGroup reports whether the viewer may see the tags of group.
func (v Viewer) SeesGroup(group string) bool { return v.hide == nil || !v.hide.groups[group] }

// SeesTag reports whether the viewer may see tag t.
func (v Viewer) SeesTag(t store.Tag) bool {
	return v.hide == nil || (!v.hide.groups[t.GroupName] && !v.hide.tags[t.ID])
}

// SeesRef reports whether the viewer may see the tag a change-set names.
func (v Viewer) SeesRef(t store.TagRef) bool {
	return v.hide == nil || (!v.hide.groups[t.Group] && !v.hide.tags[t.ID])
}

// HidesAny reports whether some group is hidden from the viewer.
func (v Viewer) HidesAny() bool { return v.hide != nil && len(v.hide.groups) > 0 }

// VisibleTags keeps the tags the viewer sees.
func (v Viewer) VisibleTags(tags []store.Tag) []store.Tag {
	if v.hide == nil {
		return tags
	}
	return slices.DeleteFunc(slices.Clone(tags), func(t store.Tag) bool { return !v.SeesTag(t) })
}

// VisibleRefs keeps the tag refs the viewer sees.
func (v Viewer) VisibleRefs(refs []store.TagRef) []store.TagRef {
	if v.hide == nil {
		return refs
	}
	return slices.DeleteFunc(slices.Clone(refs), func(t store.TagRef) bool { return !v.SeesRef(t) })
}

// ShowChange is cs as the viewer may read it: with the hidden tags taken
// out, and ok false when every tag it touched is hidden (it then does not
// appear at all). A change-set touching no tag is shown as is.
func (v Viewer) ShowChange(cs store.ChangeSet) (store.ChangeSet, bool) {
	if v.hide == nil || len(cs.Add)+len(cs.Remove) == 0 {
		return cs, true
	}
	cs.Add, cs.Remove = v.VisibleRefs(cs.Add), v.VisibleRefs(cs.Remove)
	return cs, len(cs.Add)+len(cs.Remove) > 0
}

// hiddenTagErr is the answer to naming a tag the viewer may not see: the
// same as for a tag that does not exist, so nothing is revealed.
func hiddenTagErr(name string) error {
	return userErr(CodeUnknownTag, "没有标签「%s」。发送 /groups 查看标签库。", clip(name))
}

// checkSeen refuses a resolved tag list holding a tag the viewer may not
// see (/find tag:, /stats tag:, /export): as if it did not exist.
func (v Viewer) checkSeen(tags []store.Tag) error {
	for _, t := range tags {
		if !v.SeesTag(t) {
			return hiddenTagErr(t.Name)
		}
	}
	return nil
}

// visibleToLabel names visible_to in Chinese for /groups: "主管、部门 3、lisi".
func visibleToLabel(list []string) string {
	out := make([]string, 0, len(list))
	for _, e := range list {
		if id, ok := config.DeptID(e); ok {
			out = append(out, "部门 "+strconv.Itoa(id))
			continue
		}
		out = append(out, editorsLabel([]string{e}))
	}
	return strings.Join(out, "、")
}

// fetchShown is fetch keeping only what v may read (Viewer.ShowChange):
// it reads on past hidden change-sets until q.Limit are shown or the
// ledger ends, so pages stay full.
func (l ledger) fetchShown(q store.Query, tagIDs []string, v Viewer) ([]store.ChangeSet, error) {
	if !v.HidesAny() {
		return l.fetch(q, tagIDs)
	}
	want := q.Limit
	var out []store.ChangeSet
	for len(out) < want {
		list, err := l.fetch(q, tagIDs)
		if err != nil {
			return nil, err
		}
		for _, cs := range list {
			if shown, ok := v.ShowChange(cs); ok && len(out) < want {
				out = append(out, shown)
			}
		}
		if len(list) < q.Limit {
			break
		}
		q.Before = list[len(list)-1].ID
	}
	return out, nil
}

// sightNames is the Names a natural-language request is parsed with, less
// the tags of groups the speaker may not see: such a name reads as an
// ordinary word, so no answer can reveal it.
type sightNames struct {
	Names
	hide map[string]bool // tag names hidden from the speaker
}

// Tag is Names.Tag without the hidden tags.
func (n sightNames) Tag(text string) (string, bool) {
	name, ok := n.Names.Tag(text)
	if !ok || n.hide[name] {
		return "", false
	}
	return name, true
}

// DeletedTag is Names.DeletedTag without the hidden tags.
func (n sightNames) DeletedTag(text string) (string, bool) {
	name, ok := n.Names.DeletedTag(text)
	if !ok || n.hide[name] {
		return "", false
	}
	return name, true
}

// TagNames is Names.TagNames without the hidden tags.
func (n sightNames) TagNames() []string {
	return slices.DeleteFunc(slices.Clone(n.Names.TagNames()), func(s string) bool { return n.hide[s] })
}

// visibleNames narrows names to what userID may see.
func (r *Router) visibleNames(userID string, names Names) Names {
	h := r.perms.hiddenFor(userID, r.perms.role(userID))
	if h == nil {
		return names
	}
	tags, err := r.st.Tags(true)
	if err != nil {
		return names
	}
	hide := map[string]bool{}
	for _, t := range tags {
		if h.tags[t.ID] {
			hide[t.Name] = true
		}
	}
	return sightNames{Names: names, hide: hide}
}

// ViewerFor is the Viewer of userID under cfg's roles and group policies,
// for code that runs outside a request (the daily digest of todo/).
func ViewerFor(cfg *config.Config, st *store.Store, userID string) (Viewer, error) {
	p, err := newPerms(cfg)
	if err != nil {
		return Viewer{}, err
	}
	p.st = st
	return p.viewer(userID, p.role(userID)), nil
}
