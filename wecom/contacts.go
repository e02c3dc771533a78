package wecom

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/silenceper/wechat/v2/util"
	"github.com/silenceper/wechat/v2/work/externalcontact"
)

// Contact 是一个客户（外部联系人）及其跟进成员。
type Contact struct {
	ExternalUserID string
	Name           string
	CorpName       string
	Type           int // 1 微信用户，2 企业微信用户
	Follows        []Follow
}

// Follow 是一位成员与客户的跟进关系；TagIDs 只含企业标签（type=1）。
type Follow struct {
	UserID     string
	Remark     string
	State      string
	Mobiles    []string
	CreateTime int64
	TagIDs     []string
}

// User 是企业成员。
type User struct {
	UserID string
	Name   string
	// Departments are the ids of the member's departments (user/get
	// "department"), for groups.<组名>.visible_to dept:<id>.
	Departments []int
}

// corpTagType is follow_user[].tags[].type for 企业标签.
const corpTagType = 1

// maxBatchUsers is the documented maximum of userid_list and limit for batch/get_by_user.
const maxBatchUsers = 100

// maxContactPages bounds the follow_user paging of externalcontact/get.
const maxContactPages = 1000

type followUserListResponse struct {
	util.CommonError
	FollowUser []string `json:"follow_user"`
}

// GetFollowUserList 获取配置了客户联系功能的成员 userid 列表。
func (c *Client) GetFollowUserList(ctx context.Context) ([]string, error) {
	var resp followUserListResponse
	if err := c.getJSON(ctx, pathGetFollowUsers, nil, &resp); err != nil {
		return nil, err
	}
	return resp.FollowUser, nil
}

// GetExternalContact 获取客户详情，自动翻完 follow_user 的分页（cursor/next_cursor）。
func (c *Client) GetExternalContact(ctx context.Context, externalUserID string) (Contact, error) {
	if externalUserID == "" {
		return Contact{}, errors.New("wecom externalcontact/get: external_userid is required")
	}
	var out Contact
	cursor := ""
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page >= maxContactPages {
			return Contact{}, fmt.Errorf("wecom externalcontact/get: more than %d pages", maxContactPages)
		}
		q := url.Values{"external_userid": {externalUserID}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var resp contactDetailResponse
		if err := c.getJSON(ctx, pathGetContact, q, &resp); err != nil {
			return Contact{}, err
		}
		if page == 0 {
			ec := resp.ExternalContact
			out = Contact{ExternalUserID: ec.ExternalUserID, Name: ec.Name, CorpName: ec.CorpName, Type: ec.Type}
		}
		for _, f := range resp.FollowUser {
			out.Follows = append(out.Follows, followFromDetail(f))
		}
		if resp.NextCursor == "" {
			return out, nil
		}
		if seen[resp.NextCursor] {
			return Contact{}, fmt.Errorf("wecom externalcontact/get: cursor repeated")
		}
		seen[resp.NextCursor] = true
		cursor = resp.NextCursor
	}
}

// wireContact is external_contact of externalcontact/get and batch/get_by_user.
// Own minimal types (instead of the SDK's) so fields tagbot does not use can
// never break decoding.
type wireContact struct {
	ExternalUserID string `json:"external_userid"`
	Name           string `json:"name"`
	CorpName       string `json:"corp_name"`
	Type           int    `json:"type"`
}

type wireFollowUser struct {
	UserID        string                `json:"userid"`
	Remark        string                `json:"remark"`
	CreateTime    int64                 `json:"createtime"`
	Tags          []externalcontact.Tag `json:"tags"`
	RemarkMobiles []string              `json:"remark_mobiles"`
	State         string                `json:"state"`
}

type contactDetailResponse struct {
	util.CommonError
	ExternalContact wireContact      `json:"external_contact"`
	FollowUser      []wireFollowUser `json:"follow_user"`
	NextCursor      string           `json:"next_cursor"`
}

func followFromDetail(f wireFollowUser) Follow {
	out := Follow{UserID: f.UserID, Remark: f.Remark, State: f.State, Mobiles: f.RemarkMobiles, CreateTime: f.CreateTime}
	for _, t := range f.Tags {
		if t.Type == corpTagType {
			out.TagIDs = append(out.TagIDs, t.TagID)
		}
	}
	return out
}

// batchFollowInfo is follow_info of batch/get_by_user (the SDK's FollowInfo lacks state).
type batchFollowInfo struct {
	UserID        string   `json:"userid"`
	Remark        string   `json:"remark"`
	CreateTime    int64    `json:"createtime"`
	TagID         []string `json:"tag_id"`
	RemarkMobiles []string `json:"remark_mobiles"`
	State         string   `json:"state"`
}

type batchGetResponse struct {
	util.CommonError
	ExternalContactList []struct {
		ExternalContact wireContact     `json:"external_contact"`
		FollowInfo      batchFollowInfo `json:"follow_info"`
	} `json:"external_contact_list"`
	NextCursor string `json:"next_cursor"`
}

// BatchGetByUser 批量获取 userIDs（最多 100 个）添加的客户。每条结果恰含一条
// Follow，同一客户被多名成员添加时会出现多次。limit 取值 1..100，超出或 ≤0 时按 100。
// nextCursor 为空表示没有更多。
func (c *Client) BatchGetByUser(ctx context.Context, userIDs []string, cursor string, limit int) ([]Contact, string, error) {
	if len(userIDs) == 0 {
		return nil, "", errors.New("wecom batch/get_by_user: no userid")
	}
	if len(userIDs) > maxBatchUsers {
		return nil, "", fmt.Errorf("wecom batch/get_by_user: %d userids, at most %d", len(userIDs), maxBatchUsers)
	}
	if limit <= 0 || limit > maxBatchUsers {
		limit = maxBatchUsers
	}
	body := struct {
		UserIDList []string `json:"userid_list"`
		Cursor     string   `json:"cursor,omitempty"`
		Limit      int      `json:"limit"`
	}{userIDs, cursor, limit}
	var resp batchGetResponse
	if err := c.postJSON(ctx, pathBatchGetByUser, body, &resp); err != nil {
		return nil, "", err
	}
	contacts := make([]Contact, 0, len(resp.ExternalContactList))
	for _, item := range resp.ExternalContactList {
		ec, fi := item.ExternalContact, item.FollowInfo
		contacts = append(contacts, Contact{
			ExternalUserID: ec.ExternalUserID, Name: ec.Name, CorpName: ec.CorpName, Type: ec.Type,
			Follows: []Follow{{UserID: fi.UserID, Remark: fi.Remark, State: fi.State, Mobiles: fi.RemarkMobiles,
				CreateTime: fi.CreateTime, TagIDs: fi.TagID}},
		})
	}
	return contacts, resp.NextCursor, nil
}

// AllCustomers 翻完 userIDs（任意数量，按 100 个一组）名下的全部客户，对每条结果调用 fn；
// fn 返回错误时停止并返回该错误。结果形状同 BatchGetByUser。
func (c *Client) AllCustomers(ctx context.Context, userIDs []string, fn func(Contact) error) error {
	for start := 0; start < len(userIDs); start += maxBatchUsers {
		chunk := userIDs[start:min(start+maxBatchUsers, len(userIDs))]
		cursor := ""
		seen := map[string]bool{}
		for {
			contacts, next, err := c.BatchGetByUser(ctx, chunk, cursor, maxBatchUsers)
			if err != nil {
				return err
			}
			for _, ct := range contacts {
				if err := fn(ct); err != nil {
					return err
				}
			}
			if next == "" {
				break
			}
			if seen[next] {
				return errors.New("wecom batch/get_by_user: cursor repeated")
			}
			seen[next] = true
			cursor = next
		}
	}
	return nil
}

// GetUser 读取成员的 userid、姓名与所属部门 id。
func (c *Client) GetUser(ctx context.Context, userID string) (User, error) {
	if userID == "" {
		return User{}, errors.New("wecom user/get: userid is required")
	}
	var resp struct {
		util.CommonError
		UserID     string `json:"userid"`
		Name       string `json:"name"`
		Department []int  `json:"department"`
	}
	if err := c.getJSON(ctx, pathUserGet, url.Values{"userid": {userID}}, &resp); err != nil {
		return User{}, err
	}
	return User{UserID: resp.UserID, Name: resp.Name, Departments: resp.Department}, nil
}
