package wecomtest

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// tagJSON is a tag as get_corp_tag_list / add_corp_tag answer it.
type tagJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreateTime int64  `json:"create_time"`
	Order      int64  `json:"order"`
	Deleted    bool   `json:"deleted"`
}

// groupJSON is a tag group as get_corp_tag_list / add_corp_tag answer it.
type groupJSON struct {
	GroupID    string    `json:"group_id"`
	GroupName  string    `json:"group_name"`
	CreateTime int64     `json:"create_time"`
	Order      int64     `json:"order"`
	Deleted    bool      `json:"deleted"`
	Tag        []tagJSON `json:"tag"`
}

// groupOf renders g with the given tags.
func groupOf(g *group, tags []*tag) groupJSON {
	out := groupJSON{GroupID: g.id, GroupName: g.name, CreateTime: g.created, Order: g.order, Deleted: g.deleted, Tag: []tagJSON{}}
	for _, t := range tags {
		out.Tag = append(out.Tag, tagJSON{ID: t.id, Name: t.name, CreateTime: t.created, Order: t.order, Deleted: t.deleted})
	}
	return out
}

// getCorpTagList serves POST externalcontact/get_corp_tag_list. With no
// filter it lists live groups and tags. With group_id (which wins over
// tag_id) it lists those groups and all their tags; with tag_id it lists
// those tags under their groups. Filtered answers include deleted groups
// and tags flagged deleted:true, as documented.
func (s *Server) getCorpTagList(req *apiRequest) (any, *apiError) {
	var in struct {
		TagID   []string `json:"tag_id"`
		GroupID []string `json:"group_id"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	out := struct {
		status
		TagGroup []groupJSON `json:"tag_group"`
	}{status: ok(), TagGroup: []groupJSON{}}
	for _, g := range s.groups {
		var tags []*tag
		switch {
		case len(in.GroupID) > 0:
			if !slices.Contains(in.GroupID, g.id) {
				continue
			}
			tags = g.tags
		case len(in.TagID) > 0:
			for _, t := range g.tags {
				if slices.Contains(in.TagID, t.id) {
					tags = append(tags, t)
				}
			}
			if len(tags) == 0 {
				continue
			}
		default:
			if g.deleted {
				continue
			}
			for _, t := range g.tags {
				if !t.deleted {
					tags = append(tags, t)
				}
			}
		}
		out.TagGroup = append(out.TagGroup, groupOf(g, tags))
	}
	return out, nil
}

// checkName validates a tag or group name (1..30 characters).
func checkName(kind, name string) *apiError {
	if strings.TrimSpace(name) == "" {
		return apiErr(errcode.InvalidParam, "%s name is empty", kind)
	}
	if utf8.RuneCountInString(name) > maxNameRunes {
		return apiErr(CodeNameTooLong, "%s name %q is longer than %d characters", kind, name, maxNameRunes)
	}
	return nil
}

// addCorpTag serves POST externalcontact/add_corp_tag: with group_id the
// tags are added to that group (group_name and order ignored); otherwise
// group_name names a new group, or an existing live group of that name.
// Empty groups are not supported; same-name tags are created once, and a
// live tag of the same name in the group is returned instead of a copy.
func (s *Server) addCorpTag(req *apiRequest) (any, *apiError) {
	var in struct {
		GroupID   string `json:"group_id"`
		GroupName string `json:"group_name"`
		Order     int64  `json:"order"`
		Tag       []struct {
			Name  string `json:"name"`
			Order int64  `json:"order"`
		} `json:"tag"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	if len(in.Tag) == 0 {
		return nil, apiErr(errcode.InvalidParam, "tag list is empty: empty tag groups are not supported")
	}
	for _, t := range in.Tag {
		if err := checkName("tag", t.Name); err != nil {
			return nil, err
		}
	}
	var g *group
	if in.GroupID != "" {
		if g = s.liveGroup(in.GroupID); g == nil {
			return nil, apiErr(errcode.InvalidTagID, "group %q does not exist", in.GroupID)
		}
	} else {
		if err := checkName("group", in.GroupName); err != nil {
			return nil, err
		}
		if g = s.liveGroupByName(in.GroupName); g == nil {
			g = s.newGroup(in.GroupName, in.Order, req.now)
		}
	}
	var got []*tag
	for _, t := range in.Tag {
		existing := g.liveTagByName(t.Name)
		if existing == nil {
			existing = s.newTag(g, t.Name, t.Order, req.now)
		}
		if !slices.Contains(got, existing) {
			got = append(got, existing)
		}
	}
	return struct {
		status
		TagGroup groupJSON `json:"tag_group"`
	}{ok(), groupOf(g, got)}, nil
}

// editCorpTag serves POST externalcontact/edit_corp_tag: id is a tag or a
// group id; name and order are optional. A name already used by a sibling
// tag (or another group) answers 40071.
func (s *Server) editCorpTag(req *apiRequest) (any, *apiError) {
	var in struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Order *int64 `json:"order"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	if in.ID == "" {
		return nil, apiErr(errcode.InvalidTagID, "id is empty")
	}
	if in.Name != "" {
		if err := checkName("tag or group", in.Name); err != nil {
			return nil, err
		}
	}
	if t := s.liveTag(in.ID); t != nil {
		if in.Name != "" && in.Name != t.name && t.group.liveTagByName(in.Name) != nil {
			return nil, apiErr(errcode.InvalidTagName, "tag %q already exists in group %q", in.Name, t.group.name)
		}
		if in.Name != "" {
			t.name = in.Name
		}
		if in.Order != nil {
			t.order = *in.Order
		}
		return ok(), nil
	}
	if g := s.liveGroup(in.ID); g != nil {
		if in.Name != "" && in.Name != g.name && s.liveGroupByName(in.Name) != nil {
			return nil, apiErr(errcode.InvalidTagName, "group %q already exists", in.Name)
		}
		if in.Name != "" {
			g.name = in.Name
		}
		if in.Order != nil {
			g.order = *in.Order
		}
		return ok(), nil
	}
	return nil, apiErr(errcode.InvalidTagID, "%q is neither a tag nor a group", in.ID)
}

// delCorpTag serves POST externalcontact/del_corp_tag: deletes tags and
// whole groups (a group whose last tag goes is deleted too), removing them
// from every customer. Nothing is deleted if any id is unknown.
func (s *Server) delCorpTag(req *apiRequest) (any, *apiError) {
	var in struct {
		TagID   []string `json:"tag_id"`
		GroupID []string `json:"group_id"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	if len(in.TagID) == 0 && len(in.GroupID) == 0 {
		return nil, apiErr(errcode.InvalidTagID, "tag_id and group_id are both empty")
	}
	var tags []*tag
	for _, id := range in.TagID {
		t := s.liveTag(id)
		if t == nil {
			return nil, apiErr(errcode.InvalidTagID, "tag %q does not exist", id)
		}
		tags = append(tags, t)
	}
	var groups []*group
	for _, id := range in.GroupID {
		g := s.liveGroup(id)
		if g == nil {
			return nil, apiErr(errcode.InvalidTagID, "group %q does not exist", id)
		}
		groups = append(groups, g)
	}
	for _, t := range tags {
		s.deleteTag(t)
	}
	for _, g := range groups {
		s.deleteGroup(g)
	}
	return ok(), nil
}

// markTag serves POST externalcontact/mark_tag (编辑客户企业标签).
// add_tag and remove_tag are both optional (null or omitted = none) but not
// both empty; removals apply before additions. Every id must be a live tag
// or nothing changes. No callback is produced.
func (s *Server) markTag(req *apiRequest) (any, *apiError) {
	var in struct {
		UserID         string   `json:"userid"`
		ExternalUserID string   `json:"external_userid"`
		AddTag         []string `json:"add_tag"`
		RemoveTag      []string `json:"remove_tag"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.UserID == "":
		return nil, apiErr(errcode.MissingUserID, "")
	case s.findUser(in.UserID) == nil:
		return nil, apiErr(errcode.UnknownUserID, "userid %q", in.UserID)
	case in.ExternalUserID == "":
		return nil, apiErr(errcode.MissingExternalID, "")
	}
	c := s.findCustomer(in.ExternalUserID)
	if c == nil {
		return nil, apiErr(errcode.InvalidExternalID, "external_userid %q", in.ExternalUserID)
	}
	f := c.followOf(in.UserID)
	if f == nil {
		return nil, apiErr(errcode.NoRelation, "%q is not a customer of %q", in.ExternalUserID, in.UserID)
	}
	if len(in.AddTag) == 0 && len(in.RemoveTag) == 0 {
		return nil, apiErr(errcode.InvalidTagID, "add_tag and remove_tag are both empty")
	}
	for _, id := range append(slices.Clone(in.AddTag), in.RemoveTag...) {
		if s.liveTag(id) == nil {
			return nil, apiErr(errcode.InvalidTagID, "tag %q does not exist", id)
		}
	}
	for _, id := range in.RemoveTag {
		delete(f.tags, id)
	}
	for _, id := range in.AddTag {
		f.tags[id] = true
	}
	return ok(), nil
}
