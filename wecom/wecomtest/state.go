package wecomtest

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// TagInfo is a tag's id and name.
type TagInfo struct {
	ID, Name string
}

// GroupInfo is a tag group (标签组) and its tags.
type GroupInfo struct {
	ID, Name string
	Tags     []TagInfo
}

// Customer is an external contact (客户) to seed with AddCustomer.
type Customer struct {
	ExternalUserID string
	Name           string
	CorpName       string
	// Type is 1 for a WeChat user, 2 for a WeCom user; 0 means 1.
	Type    int
	Follows []Follow
}

// Follow is one member's relationship with a customer (跟进人).
type Follow struct {
	UserID      string
	Remark      string
	Description string
	State       string
	Mobiles     []string
	// CreateTime is when the member added the customer (Unix seconds);
	// 0 means now.
	CreateTime int64
	// AddWay is the documented add_way code (0 = unknown source).
	AddWay int
	// TagIDs are corporate tags on this relationship; they must exist.
	TagIDs []string
}

// user is a member of the corp (成员).
type user struct {
	id, name string
}

// group is a tag group; deleted groups stay as tombstones so filtered
// get_corp_tag_list queries can report deleted:true.
type group struct {
	id, name string
	order    int64
	created  int64
	deleted  bool
	tags     []*tag
}

// tag is a corporate tag; deleted tags stay as tombstones.
type tag struct {
	id, name string
	order    int64
	created  int64
	deleted  bool
	group    *group
}

// customer is the stored form of Customer.
type customer struct {
	id, name, corpName string
	typ                int
	follows            []*follow
}

// follow is the stored form of Follow.
type follow struct {
	userID, remark, description, state string
	mobiles                            []string
	created                            int64
	addWay                             int
	tags                               map[string]bool
}

// nextID returns a fresh id with prefix (ids look like WeCom's "et…").
func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%06d", prefix, s.seq)
}

// findUser returns the member userID, or nil.
func (s *Server) findUser(userID string) *user {
	for _, u := range s.users {
		if u.id == userID {
			return u
		}
	}
	return nil
}

// findCustomer returns the customer externalUserID, or nil.
func (s *Server) findCustomer(externalUserID string) *customer {
	for _, c := range s.customer {
		if c.id == externalUserID {
			return c
		}
	}
	return nil
}

// followOf returns c's relationship with userID, or nil.
func (c *customer) followOf(userID string) *follow {
	for _, f := range c.follows {
		if f.userID == userID {
			return f
		}
	}
	return nil
}

// liveGroupByName returns the live group called name, or nil.
func (s *Server) liveGroupByName(name string) *group {
	for _, g := range s.groups {
		if !g.deleted && g.name == name {
			return g
		}
	}
	return nil
}

// liveTagByName returns g's live tag called name, or nil.
func (g *group) liveTagByName(name string) *tag {
	for _, t := range g.tags {
		if !t.deleted && t.name == name {
			return t
		}
	}
	return nil
}

// liveTag returns the live tag id, or nil.
func (s *Server) liveTag(id string) *tag {
	if t := s.tags[id]; t != nil && !t.deleted {
		return t
	}
	return nil
}

// liveGroup returns the live group id, or nil.
func (s *Server) liveGroup(id string) *group {
	for _, g := range s.groups {
		if g.id == id && !g.deleted {
			return g
		}
	}
	return nil
}

// newGroup creates a live group.
func (s *Server) newGroup(name string, order int64, now time.Time) *group {
	g := &group{id: s.nextID("etG"), name: name, order: order, created: now.Unix()}
	s.groups = append(s.groups, g)
	return g
}

// newTag creates a live tag in g.
func (s *Server) newTag(g *group, name string, order int64, now time.Time) *tag {
	t := &tag{id: s.nextID("etT"), name: name, order: order, created: now.Unix(), group: g}
	g.tags = append(g.tags, t)
	s.tags[t.id] = t
	return t
}

// deleteTag tombstones t, strips it from every customer and tombstones its
// group once the group has no live tag left.
func (s *Server) deleteTag(t *tag) {
	if t.deleted {
		return
	}
	t.deleted = true
	for _, c := range s.customer {
		for _, f := range c.follows {
			delete(f.tags, t.id)
		}
	}
	for _, other := range t.group.tags {
		if !other.deleted {
			return
		}
	}
	t.group.deleted = true
}

// deleteGroup tombstones g and all its tags.
func (s *Server) deleteGroup(g *group) {
	for _, t := range g.tags {
		s.deleteTag(t)
	}
	g.deleted = true
}

// AddUser adds (or renames) a corp member.
func (s *Server) AddUser(userID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addUser(userID, name)
}

// addUser is AddUser with s.mu held.
func (s *Server) addUser(userID, name string) {
	if u := s.findUser(userID); u != nil {
		u.name = name
		return
	}
	s.users = append(s.users, &user{id: userID, name: name})
}

// AddTagGroup creates a tag group with tags, as an admin would in the
// console; if a live group of that name exists the tags are added to it
// (existing same-name tags are reused). It returns the ids.
func (s *Server) AddTagGroup(name string, tags ...string) GroupInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	g := s.liveGroupByName(name)
	if g == nil {
		g = s.newGroup(name, 0, now)
	}
	info := GroupInfo{ID: g.id, Name: g.name}
	for _, n := range tags {
		t := g.liveTagByName(n)
		if t == nil {
			t = s.newTag(g, n, 0, now)
		}
		info.Tags = append(info.Tags, TagInfo{ID: t.id, Name: t.name})
	}
	return info
}

// TagGroups returns the live tag groups and their live tags.
func (s *Server) TagGroups() []GroupInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []GroupInfo
	for _, g := range s.groups {
		if g.deleted {
			continue
		}
		info := GroupInfo{ID: g.id, Name: g.name}
		for _, t := range g.tags {
			if !t.deleted {
				info.Tags = append(info.Tags, TagInfo{ID: t.id, Name: t.name})
			}
		}
		out = append(out, info)
	}
	return out
}

// AddCustomer adds (or replaces) a customer with its relationships. Unknown
// follow userids are added as members named after their id. It panics if a
// TagIDs entry is not a live tag.
func (s *Server) AddCustomer(c Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	stored := &customer{id: c.ExternalUserID, name: c.Name, corpName: c.CorpName, typ: c.Type}
	if stored.typ == 0 {
		stored.typ = 1
	}
	for _, f := range c.Follows {
		if s.findUser(f.UserID) == nil {
			s.addUser(f.UserID, f.UserID)
		}
		created := f.CreateTime
		if created == 0 {
			created = now.Unix()
		}
		sf := &follow{
			userID: f.UserID, remark: f.Remark, description: f.Description, state: f.State,
			mobiles: slices.Clone(f.Mobiles), created: created, addWay: f.AddWay, tags: map[string]bool{},
		}
		for _, id := range f.TagIDs {
			if s.liveTag(id) == nil {
				panic(fmt.Sprintf("wecomtest: AddCustomer %s: unknown tag %q", c.ExternalUserID, id))
			}
			sf.tags[id] = true
		}
		stored.follows = append(stored.follows, sf)
	}
	for i, old := range s.customer {
		if old.id == c.ExternalUserID {
			s.customer[i] = stored
			return
		}
	}
	s.customer = append(s.customer, stored)
}

// CustomerTags returns the sorted tag ids on the relationship between
// externalUserID and userID (nil if there is none).
func (s *Server) CustomerTags(externalUserID, userID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.findCustomer(externalUserID)
	if c == nil {
		return nil
	}
	f := c.followOf(userID)
	if f == nil {
		return nil
	}
	return sortedKeys(f.tags)
}

// SetCustomerTags replaces the tags on a relationship, like a member editing
// them in the WeCom client: no API call is logged and no callback is sent.
// It panics if the relationship or a tag does not exist.
func (s *Server) SetCustomerTags(externalUserID, userID string, tagIDs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.findCustomer(externalUserID)
	if c == nil || c.followOf(userID) == nil {
		panic(fmt.Sprintf("wecomtest: SetCustomerTags: no relationship %s/%s", externalUserID, userID))
	}
	tags := map[string]bool{}
	for _, id := range tagIDs {
		if s.liveTag(id) == nil {
			panic(fmt.Sprintf("wecomtest: SetCustomerTags: unknown tag %q", id))
		}
		tags[id] = true
	}
	c.followOf(userID).tags = tags
}

// DeleteTag deletes a tag (or a whole group, given a group id) like an admin
// in the WeCom console: it disappears from every customer too. Deleting an
// already deleted tag is a no-op; an unknown id panics.
func (s *Server) DeleteTag(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tags[id]; t != nil {
		s.deleteTag(t)
		return
	}
	for _, g := range s.groups {
		if g.id == id {
			s.deleteGroup(g)
			return
		}
	}
	panic(fmt.Sprintf("wecomtest: DeleteTag: unknown id %q", id))
}

// sortedKeys returns the keys of a set in order.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
