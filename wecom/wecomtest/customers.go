package wecomtest

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// Documented limits of batch/get_by_user.
const (
	batchMaxUsers     = 100 // userid_list 最多支持100个
	batchMaxLimit     = 100 // limit 最大值100
	batchDefaultLimit = 50  // limit 默认值50
)

// externalContactJSON is the external_contact object of get and batch/get_by_user.
type externalContactJSON struct {
	ExternalUserID string `json:"external_userid"`
	Name           string `json:"name"`
	Avatar         string `json:"avatar"`
	Type           int    `json:"type"`
	Gender         int    `json:"gender"`
	CorpName       string `json:"corp_name,omitempty"`
}

// contactOf renders c's external_contact object.
func contactOf(c *customer) externalContactJSON {
	return externalContactJSON{ExternalUserID: c.id, Name: c.name, Type: c.typ, CorpName: c.corpName}
}

// followTagJSON is one entry of follow_user[].tags in externalcontact/get.
type followTagJSON struct {
	GroupName string `json:"group_name"`
	TagName   string `json:"tag_name"`
	TagID     string `json:"tag_id"`
	Type      int    `json:"type"`
}

// followUserJSON is one follow_user entry of externalcontact/get.
type followUserJSON struct {
	UserID        string          `json:"userid"`
	Remark        string          `json:"remark"`
	Description   string          `json:"description"`
	CreateTime    int64           `json:"createtime"`
	Tags          []followTagJSON `json:"tags"`
	RemarkMobiles []string        `json:"remark_mobiles"`
	State         string          `json:"state,omitempty"`
	AddWay        int             `json:"add_way"`
}

// followInfoJSON is the follow_info object of batch/get_by_user.
type followInfoJSON struct {
	UserID        string   `json:"userid"`
	Remark        string   `json:"remark"`
	Description   string   `json:"description"`
	CreateTime    int64    `json:"createtime"`
	TagID         []string `json:"tag_id"`
	RemarkMobiles []string `json:"remark_mobiles"`
	State         string   `json:"state,omitempty"`
	AddWay        int      `json:"add_way"`
}

// nonNil turns a nil slice into an empty one so it encodes as [].
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// getUser serves GET user/get?userid= (读取成员).
func (s *Server) getUser(req *apiRequest) (any, *apiError) {
	id := req.query.Get("userid")
	if id == "" {
		return nil, apiErr(errcode.MissingUserID, "")
	}
	u := s.findUser(id)
	if u == nil {
		return nil, apiErr(errcode.UnknownUserID, "userid %q", id)
	}
	return struct {
		status
		UserID         string `json:"userid"`
		Name           string `json:"name"`
		Department     []int  `json:"department"`
		Order          []int  `json:"order"`
		Position       string `json:"position"`
		Status         int    `json:"status"`
		MainDepartment int    `json:"main_department"`
	}{ok(), u.id, u.name, s.departmentsOf(u.id), []int{0}, "", 1, 1}, nil
}

// getFollowUserList serves GET externalcontact/get_follow_user_list: every
// member (all members of the fake are configured for customer contact).
func (s *Server) getFollowUserList(*apiRequest) (any, *apiError) {
	ids := []string{}
	for _, u := range s.users {
		ids = append(ids, u.id)
	}
	return struct {
		status
		FollowUser []string `json:"follow_user"`
	}{ok(), ids}, nil
}

// getExternalContact serves GET externalcontact/get?external_userid=.
func (s *Server) getExternalContact(req *apiRequest) (any, *apiError) {
	id := req.query.Get("external_userid")
	if id == "" {
		return nil, apiErr(errcode.MissingExternalID, "")
	}
	c := s.findCustomer(id)
	if c == nil {
		return nil, apiErr(errcode.InvalidExternalID, "external_userid %q", id)
	}
	follows := []followUserJSON{}
	for _, f := range c.follows {
		tags := []followTagJSON{}
		for _, tid := range sortedKeys(f.tags) {
			if t := s.liveTag(tid); t != nil {
				tags = append(tags, followTagJSON{GroupName: t.group.name, TagName: t.name, TagID: t.id, Type: 1})
			}
		}
		follows = append(follows, followUserJSON{
			UserID: f.userID, Remark: f.remark, Description: f.description, CreateTime: f.created,
			Tags: tags, RemarkMobiles: nonNil(slices.Clone(f.mobiles)), State: f.state, AddWay: f.addWay,
		})
	}
	return struct {
		status
		ExternalContact externalContactJSON `json:"external_contact"`
		FollowUser      []followUserJSON    `json:"follow_user"`
		NextCursor      string              `json:"next_cursor"`
	}{ok(), contactOf(c), follows, ""}, nil
}

// batchEntry is one external_contact_list entry of batch/get_by_user.
type batchEntry struct {
	ExternalContact externalContactJSON `json:"external_contact"`
	FollowInfo      followInfoJSON      `json:"follow_info"`
}

// batchGetByUser serves POST externalcontact/batch/get_by_user: one entry
// per (member in userid_list, customer of that member), members in request
// order and customers in the order they were added. limit defaults to 50
// and is capped at 100; next_cursor is empty on the last page.
func (s *Server) batchGetByUser(req *apiRequest) (any, *apiError) {
	var in struct {
		UserIDList []string `json:"userid_list"`
		Cursor     string   `json:"cursor"`
		Limit      int      `json:"limit"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	if len(in.UserIDList) == 0 {
		return nil, apiErr(errcode.MissingUserID, "userid_list is empty")
	}
	if len(in.UserIDList) > batchMaxUsers {
		return nil, apiErr(errcode.InvalidParam, "userid_list has %d entries, at most %d", len(in.UserIDList), batchMaxUsers)
	}
	for _, id := range in.UserIDList {
		if s.findUser(id) == nil {
			return nil, apiErr(errcode.UnknownUserID, "userid %q", id)
		}
	}
	limit := in.Limit
	if limit <= 0 {
		limit = batchDefaultLimit
	}
	limit = min(limit, batchMaxLimit)
	offset, valid := decodeCursor(in.Cursor)
	if !valid {
		return nil, apiErr(errcode.InvalidCursor, "cursor %q", in.Cursor)
	}

	var all []batchEntry
	for _, uid := range in.UserIDList {
		for _, c := range s.customer {
			f := c.followOf(uid)
			if f == nil {
				continue
			}
			all = append(all, batchEntry{ExternalContact: contactOf(c), FollowInfo: followInfoJSON{
				UserID: f.userID, Remark: f.remark, Description: f.description, CreateTime: f.created,
				TagID: sortedKeys(f.tags), RemarkMobiles: nonNil(slices.Clone(f.mobiles)), State: f.state, AddWay: f.addWay,
			}})
		}
	}
	if offset > len(all) {
		return nil, apiErr(errcode.InvalidCursor, "cursor %q is past the end", in.Cursor)
	}
	end := min(offset+limit, len(all))
	next := ""
	if end < len(all) {
		next = encodeCursor(end)
	}
	return struct {
		status
		ExternalContactList []batchEntry `json:"external_contact_list"`
		NextCursor          string       `json:"next_cursor"`
	}{ok(), nonNil(all[offset:end]), next}, nil
}

// cursorPrefix marks the fake's opaque cursors.
const cursorPrefix = "wecomtest:"

// encodeCursor makes an opaque cursor for offset.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

// decodeCursor parses a cursor; "" is the first page.
func decodeCursor(cursor string) (int, bool) {
	if cursor == "" {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), cursorPrefix))
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) || n < 0 {
		return 0, false
	}
	return n, true
}
