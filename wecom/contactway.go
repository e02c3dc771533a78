package wecom

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/work/externalcontact"
)

// 「联系我」与新客户欢迎语（渠道二维码）。
const (
	pathAddContactWay  = "externalcontact/add_contact_way"
	pathDelContactWay  = "externalcontact/del_contact_way"
	pathSendWelcomeMsg = "externalcontact/send_welcome_msg"
)

// Documented values of add_contact_way. 联系方式类型与场景。
const (
	ContactWaySingle = 1 // type: 单人
	ContactWayMulti  = 2 // type: 多人
	SceneQRCode      = 2 // scene: 通过二维码联系
)

// MaxStateLen is the longest state add_contact_way accepts (不超过30个字符).
const MaxStateLen = 30

// ContactWays 是渠道二维码用到的接口；*Client 实现它。
type ContactWays interface {
	AddContactWay(ctx context.Context, req ContactWayRequest) (ContactWay, error)
	DelContactWay(ctx context.Context, configID string) error
	SendWelcomeMsg(ctx context.Context, welcomeCode, text string) error
}

var _ ContactWays = (*Client)(nil)

// ContactWayRequest 是一个二维码「联系我」：Users 为使用成员（一人为单人，
// 多人为多人），State 为企业自定义的渠道标识（≤30 个字符）。
type ContactWayRequest struct {
	Users  []string
	State  string
	Remark string // 备注，≤30 个字符
}

// ContactWay 是 add_contact_way 的结果：配置 id 与二维码链接。
type ContactWay struct {
	ConfigID string
	QRCode   string
}

// addContactWayBody is add_contact_way's request. Own type instead of the
// SDK's AddContactWayRequest: that one has no omitempty, so it would send
// an empty conclusions (结束语, temporary sessions only), party,
// is_temp and unionid with every QR code, and skip_verify false — which
// turns on verification, while WeCom's default is true.
type addContactWayBody struct {
	Type       int      `json:"type"`
	Scene      int      `json:"scene"`
	Remark     string   `json:"remark,omitempty"`
	SkipVerify bool     `json:"skip_verify"`
	State      string   `json:"state"`
	User       []string `json:"user"`
}

// AddContactWay 配置客户联系「联系我」方式（scene 2，二维码）。
func (c *Client) AddContactWay(ctx context.Context, req ContactWayRequest) (ContactWay, error) {
	if len(req.Users) == 0 {
		return ContactWay{}, errors.New("wecom add_contact_way: no user")
	}
	if req.State == "" || utf8.RuneCountInString(req.State) > MaxStateLen {
		return ContactWay{}, fmt.Errorf("wecom add_contact_way: state must be 1 to %d characters", MaxStateLen)
	}
	body := addContactWayBody{Type: ContactWaySingle, Scene: SceneQRCode, Remark: req.Remark, SkipVerify: true, State: req.State, User: req.Users}
	if len(req.Users) > 1 {
		body.Type = ContactWayMulti
	}
	var resp externalcontact.AddContactWayResponse
	if err := c.postJSON(ctx, pathAddContactWay, body, &resp); err != nil {
		return ContactWay{}, err
	}
	return ContactWay{ConfigID: resp.ConfigID, QRCode: resp.QrCode}, nil
}

// DelContactWay 删除企业已配置的「联系我」方式。
func (c *Client) DelContactWay(ctx context.Context, configID string) error {
	if configID == "" {
		return errors.New("wecom del_contact_way: no config_id")
	}
	return c.postJSON(ctx, pathDelContactWay, externalcontact.DelContactWayRequest{ConfigID: configID}, nil)
}

// welcomeBody is send_welcome_msg's request with text only. The SDK's
// SendWelcomeMsgRequest would send "attachments": null.
type welcomeBody struct {
	WelcomeCode string                  `json:"welcome_code"`
	Text        externalcontact.MsgText `json:"text"`
}

// SendWelcomeMsg 发送新客户欢迎语：welcomeCode 来自 add_external_contact
// 回调，20 秒内有效、只能用一次。
func (c *Client) SendWelcomeMsg(ctx context.Context, welcomeCode, text string) error {
	if welcomeCode == "" || text == "" {
		return errors.New("wecom send_welcome_msg: welcome_code and text are required")
	}
	return c.postJSON(ctx, pathSendWelcomeMsg, welcomeBody{WelcomeCode: welcomeCode, Text: externalcontact.MsgText{Content: text}}, nil)
}
