package wecom

import (
	"context"

	"github.com/silenceper/wechat/v2/work/kf"
	"github.com/silenceper/wechat/v2/work/kf/syncmsg"
)

// KF message origins (syncmsg.BaseMessage.Origin). 微信客服消息来源。
const (
	KFOriginCustomer = 3 // 微信客户发送的消息
	KFOriginEvent    = 4 // 系统推送的事件消息
	KFOriginServicer = 5 // 接待人员在企业微信客户端发送的消息
)

// KFSyncPage is one page of kf/sync_msg: the messages (decoded with the
// SDK's syncmsg.Text, whose Text is empty for other message types), the
// cursor of the next page and whether there is one.
type KFSyncPage struct {
	NextCursor string         `json:"next_cursor"`
	HasMore    int            `json:"has_more"` // 1: call again with NextCursor
	MsgList    []syncmsg.Text `json:"msg_list"`
}

// KFSyncMsg calls kf/sync_msg (微信客服 读取消息) with the SDK's request
// type. The SDK's own kf.Client.SyncMsg is not used: it takes no context,
// bypasses this Client's rate limiter and 40014/42001 retry, and returns
// WeCom's errors as bare strings without their errcode; its response type
// also decodes each message through a map. Limit 0 means 1000 (the most).
func (c *Client) KFSyncMsg(ctx context.Context, req kf.SyncMsgOptions) (KFSyncPage, error) {
	if req.Limit == 0 {
		req.Limit = 1000
	}
	var page KFSyncPage
	err := c.postJSON(ctx, "kf/sync_msg", req, &page)
	return page, err
}
