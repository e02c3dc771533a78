package wecom

import (
	"context"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/util"
)

// TagGroup 是企业客户标签组。
type TagGroup struct {
	ID         string
	Name       string
	CreateTime int64
	Order      int
	Deleted    bool
	Tags       []Tag
}

// Tag 是企业客户标签。
type Tag struct {
	ID         string
	Name       string
	CreateTime int64
	Order      int
	Deleted    bool
}

// NewTag 是待创建的标签。
type NewTag struct {
	Name  string
	Order int
}

// AddTagRequest 创建标签：GroupID 非空时加入已有组，否则以 GroupName 新建组。
type AddTagRequest struct {
	GroupID   string
	GroupName string
	Order     int // 新建组的排序值，0 表示默认
	Tags      []NewTag
}

// wireTag/wireTagGroup mirror the API JSON. The SDK's TagGroup tags the
// group order as "group_order" but the API sends "order", hence own types.
type wireTag struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreateTime int64  `json:"create_time"`
	Order      int    `json:"order"`
	Deleted    bool   `json:"deleted"`
}

type wireTagGroup struct {
	GroupID    string    `json:"group_id"`
	GroupName  string    `json:"group_name"`
	CreateTime int64     `json:"create_time"`
	Order      int       `json:"order"`
	Deleted    bool      `json:"deleted"`
	Tag        []wireTag `json:"tag"`
}

func (g wireTagGroup) toTagGroup() TagGroup {
	out := TagGroup{ID: g.GroupID, Name: g.GroupName, CreateTime: g.CreateTime, Order: g.Order, Deleted: g.Deleted}
	for _, t := range g.Tag {
		out.Tags = append(out.Tags, Tag(t))
	}
	return out
}

type tagListResponse struct {
	util.CommonError
	TagGroup []wireTagGroup `json:"tag_group"`
}

// GetCorpTagList 获取企业客户标签库；tagIDs 与 groupIDs 都为空时返回全部。
func (c *Client) GetCorpTagList(ctx context.Context, tagIDs, groupIDs []string) ([]TagGroup, error) {
	body := struct {
		TagID   []string `json:"tag_id,omitempty"`
		GroupID []string `json:"group_id,omitempty"`
	}{tagIDs, groupIDs}
	var resp tagListResponse
	if err := c.postJSON(ctx, pathGetCorpTagList, body, &resp); err != nil {
		return nil, err
	}
	groups := make([]TagGroup, 0, len(resp.TagGroup))
	for _, g := range resp.TagGroup {
		groups = append(groups, g.toTagGroup())
	}
	return groups, nil
}

type addTagItem struct {
	Name  string `json:"name"`
	Order int    `json:"order,omitempty"`
}

type addTagBody struct {
	GroupID   string       `json:"group_id,omitempty"`
	GroupName string       `json:"group_name,omitempty"`
	Order     int          `json:"order,omitempty"`
	Tag       []addTagItem `json:"tag"`
}

type addTagResponse struct {
	util.CommonError
	TagGroup wireTagGroup `json:"tag_group"`
}

// AddCorpTag 添加企业客户标签，返回服务端生成的组与标签（含 ID）。
func (c *Client) AddCorpTag(ctx context.Context, req AddTagRequest) (TagGroup, error) {
	if req.GroupID == "" && req.GroupName == "" {
		return TagGroup{}, errors.New("wecom add_corp_tag: group id or group name is required")
	}
	if len(req.Tags) == 0 {
		return TagGroup{}, errors.New("wecom add_corp_tag: at least one tag is required")
	}
	body := addTagBody{GroupID: req.GroupID, GroupName: req.GroupName, Order: req.Order}
	for _, t := range req.Tags {
		if t.Name == "" {
			return TagGroup{}, errors.New("wecom add_corp_tag: empty tag name")
		}
		body.Tag = append(body.Tag, addTagItem(t))
	}
	var resp addTagResponse
	if err := c.postJSON(ctx, pathAddCorpTag, body, &resp); err != nil {
		return TagGroup{}, err
	}
	return resp.TagGroup.toTagGroup(), nil
}

// EditCorpTag 修改标签或标签组（id 可为标签 ID 或组 ID）的名称与排序；
// name 为空或 order 为 0 的字段不修改。
func (c *Client) EditCorpTag(ctx context.Context, id, name string, order int) error {
	if id == "" {
		return errors.New("wecom edit_corp_tag: id is required")
	}
	body := struct {
		ID    string `json:"id"`
		Name  string `json:"name,omitempty"`
		Order int    `json:"order,omitempty"`
	}{id, name, order}
	return c.postJSON(ctx, pathEditCorpTag, body, nil)
}

// DelCorpTag 删除标签与标签组（删除组会删除组内全部标签）。
func (c *Client) DelCorpTag(ctx context.Context, tagIDs, groupIDs []string) error {
	if len(tagIDs) == 0 && len(groupIDs) == 0 {
		return errors.New("wecom del_corp_tag: no tag or group id")
	}
	body := struct {
		TagID   []string `json:"tag_id,omitempty"`
		GroupID []string `json:"group_id,omitempty"`
	}{tagIDs, groupIDs}
	return c.postJSON(ctx, pathDelCorpTag, body, nil)
}

// markTagBody omits empty lists: the SDK's MarkTagRequest would send
// "add_tag": null / "remove_tag": null.
type markTagBody struct {
	UserID         string   `json:"userid"`
	ExternalUserID string   `json:"external_userid"`
	AddTag         []string `json:"add_tag,omitempty"`
	RemoveTag      []string `json:"remove_tag,omitempty"`
}

// MarkTag 以成员 userID 的身份给客户打上 add、移除 remove 中的企业标签。
// add 与 remove 都为空时不发请求。
func (c *Client) MarkTag(ctx context.Context, userID, externalUserID string, add, remove []string) error {
	if userID == "" || externalUserID == "" {
		return fmt.Errorf("wecom mark_tag: userid %q and external_userid %q are required", userID, externalUserID)
	}
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	body := markTagBody{UserID: userID, ExternalUserID: externalUserID, AddTag: add, RemoveTag: remove}
	return c.postJSON(ctx, pathMarkTag, body, nil)
}
