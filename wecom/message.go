package wecom

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/silenceper/wechat/v2/work/message"
)

// CardTypeButtonInteraction 是按钮交互型模板卡片的 card_type。
const CardTypeButtonInteraction = "button_interaction"

// CardTypeVoteInteraction 是投票选择型模板卡片的 card_type：一组选项（checkbox）
// 和一个提交按钮（submit_button）；回调事件的 SelectedItems 带回勾选的选项 id。
const CardTypeVoteInteraction = "vote_interaction"

// Documented limits of the button_interaction template card (message/send).
const (
	maxTaskIDBytes    = 128
	maxButtons        = 6
	maxButtonKeyBytes = 1024
	maxHorizontal     = 6
	maxOptions        = 20  // checkbox.option_list of a vote_interaction card
	maxOptionIDBytes  = 128 // checkbox.option_list[].id
)

// TemplateCard 是应用消息的模板卡片（message/send 的 template_card）：按钮交互型
// （button_interaction，ButtonList）或投票选择型（vote_interaction，Checkbox 与
// SubmitButton）。CardType 为空时按 button_interaction 发送。
type TemplateCard struct {
	CardType              string              `json:"card_type"`
	Source                *CardSource         `json:"source,omitempty"`
	MainTitle             CardTitle           `json:"main_title"`
	SubTitleText          string              `json:"sub_title_text,omitempty"`
	HorizontalContentList []HorizontalContent `json:"horizontal_content_list,omitempty"`
	// TaskID 在同一应用内不可重复，只能由数字、字母和 "_-@" 组成，最长 128 字节；
	// 按钮回调事件会带回它。
	TaskID     string       `json:"task_id"`
	ButtonList []CardButton `json:"button_list,omitempty"`
	// Checkbox 与 SubmitButton 只用于投票选择型（vote_interaction）。
	Checkbox     *CardCheckbox `json:"checkbox,omitempty"`
	SubmitButton *CardSubmit   `json:"submit_button,omitempty"`
	// ReplaceText 是点击按钮后整张卡片被替换成的文案（可选）。
	ReplaceText string `json:"replace_text,omitempty"`
}

// CardSource 是卡片来源样式。
type CardSource struct {
	IconURL   string `json:"icon_url,omitempty"`
	Desc      string `json:"desc,omitempty"`
	DescColor int    `json:"desc_color,omitempty"`
}

// CardTitle 是卡片一级标题与辅助信息。
type CardTitle struct {
	Title string `json:"title,omitempty"`
	Desc  string `json:"desc,omitempty"`
}

// HorizontalContent 是“二级标题+文本”列表的一项；Type 0 普通文本，1 跳转 URL，3 成员详情（UserID）。
type HorizontalContent struct {
	Type    int    `json:"type,omitempty"`
	KeyName string `json:"keyname"`
	Value   string `json:"value,omitempty"`
	URL     string `json:"url,omitempty"`
	UserID  string `json:"userid,omitempty"`
}

// CardButton 是卡片按钮：Style 1~4 对应不同颜色；Key 会作为回调事件的 EventKey 返回（最长 1024 字节，卡片内不可重复）。
type CardButton struct {
	Type  int    `json:"type,omitempty"` // 0 回调事件，1 跳转 URL
	Text  string `json:"text"`
	Style int    `json:"style,omitempty"`
	Key   string `json:"key,omitempty"`
	URL   string `json:"url,omitempty"`
}

// CardCheckbox 是投票选择型卡片的选择题：QuestionKey 随回调带回；Mode 0 单选，1 多选。
type CardCheckbox struct {
	QuestionKey string       `json:"question_key"`
	OptionList  []CardOption `json:"option_list"`
	Mode        int          `json:"mode,omitempty"`
}

// CardOption 是一个选项：ID 在卡片内唯一（最长 128 字节），IsChecked 为默认勾选。
type CardOption struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	IsChecked bool   `json:"is_checked,omitempty"`
}

// CardSubmit 是投票选择型卡片的提交按钮；Key 作为回调事件的 EventKey 返回。
type CardSubmit struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// Validate 按文档约束检查按钮交互型或投票选择型卡片。
func (tc TemplateCard) Validate() error {
	switch tc.CardType {
	case "", CardTypeButtonInteraction:
	case CardTypeVoteInteraction:
		return tc.validateVote()
	default:
		return fmt.Errorf("unsupported card_type %q", tc.CardType)
	}
	if err := tc.validateCommon(); err != nil {
		return err
	}
	if len(tc.HorizontalContentList) > maxHorizontal {
		return fmt.Errorf("%d horizontal_content_list items, at most %d", len(tc.HorizontalContentList), maxHorizontal)
	}
	if len(tc.ButtonList) == 0 || len(tc.ButtonList) > maxButtons {
		return fmt.Errorf("button_list must have 1..%d buttons, got %d", maxButtons, len(tc.ButtonList))
	}
	keys := map[string]bool{}
	for i, b := range tc.ButtonList {
		if b.Text == "" {
			return fmt.Errorf("button %d: empty text", i)
		}
		if b.Type == 1 {
			if b.URL == "" {
				return fmt.Errorf("button %d: url button without url", i)
			}
			continue
		}
		if b.Key == "" || len(b.Key) > maxButtonKeyBytes {
			return fmt.Errorf("button %d: key must be 1..%d bytes", i, maxButtonKeyBytes)
		}
		if keys[b.Key] {
			return fmt.Errorf("button %d: duplicate key %q", i, b.Key)
		}
		keys[b.Key] = true
	}
	return nil
}

// validateCommon checks the title and task id every interactive card needs.
func (tc TemplateCard) validateCommon() error {
	if tc.MainTitle.Title == "" && tc.SubTitleText == "" {
		return errors.New("main_title.title or sub_title_text is required")
	}
	if tc.TaskID == "" || len(tc.TaskID) > maxTaskIDBytes {
		return fmt.Errorf("task_id must be 1..%d bytes", maxTaskIDBytes)
	}
	for _, r := range tc.TaskID {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("_-@", r)) {
			return fmt.Errorf("task_id %q: only digits, letters and _-@ are allowed", tc.TaskID)
		}
	}
	return nil
}

// validateVote checks a vote_interaction card: options with unique ids and
// a submit button, no button_list.
func (tc TemplateCard) validateVote() error {
	if err := tc.validateCommon(); err != nil {
		return err
	}
	if len(tc.ButtonList) > 0 {
		return errors.New("vote_interaction: button_list is not allowed (use submit_button)")
	}
	cb := tc.Checkbox
	if cb == nil || cb.QuestionKey == "" || len(cb.QuestionKey) > maxButtonKeyBytes {
		return fmt.Errorf("vote_interaction: checkbox.question_key must be 1..%d bytes", maxButtonKeyBytes)
	}
	if len(cb.OptionList) == 0 || len(cb.OptionList) > maxOptions {
		return fmt.Errorf("vote_interaction: option_list must have 1..%d options, got %d", maxOptions, len(cb.OptionList))
	}
	ids := map[string]bool{}
	for i, o := range cb.OptionList {
		if o.ID == "" || len(o.ID) > maxOptionIDBytes || o.Text == "" {
			return fmt.Errorf("vote_interaction: option %d needs an id of 1..%d bytes and a text", i, maxOptionIDBytes)
		}
		if ids[o.ID] {
			return fmt.Errorf("vote_interaction: option %d: duplicate id %q", i, o.ID)
		}
		ids[o.ID] = true
	}
	if sb := tc.SubmitButton; sb == nil || sb.Text == "" || sb.Key == "" || len(sb.Key) > maxButtonKeyBytes {
		return fmt.Errorf("vote_interaction: submit_button needs a text and a key of 1..%d bytes", maxButtonKeyBytes)
	}
	return nil
}

var errNoAgent = errors.New("wecom message: agent id is not configured")

// sendBody is a message/send request. The SDK's SendRequestCommon sends
// agentid as a string; the API documents an integer.
type sendBody struct {
	ToUser       string        `json:"touser"`
	MsgType      string        `json:"msgtype"`
	AgentID      int           `json:"agentid"`
	Text         *textContent  `json:"text,omitempty"`
	Markdown     *textContent  `json:"markdown,omitempty"`
	TemplateCard *TemplateCard `json:"template_card,omitempty"`
	Image        *mediaContent `json:"image,omitempty"`
	File         *mediaContent `json:"file,omitempty"`
}

type textContent struct {
	Content string `json:"content"`
}

// send posts a message and returns the decoded response.
func (c *Client) send(ctx context.Context, body sendBody) (*message.SendResponse, error) {
	if body.ToUser == "" {
		return nil, errors.New("wecom message/send: touser is required")
	}
	if c.agentID == 0 {
		return nil, errNoAgent
	}
	body.AgentID = c.agentID
	var resp message.SendResponse
	if err := c.postJSON(ctx, pathMessageSend, body, &resp); err != nil {
		return nil, err
	}
	if resp.InvalidUser != "" || resp.UnlicensedUser != "" {
		c.log.Warn("wecom message not delivered to some users", "msgtype", body.MsgType,
			"invaliduser", resp.InvalidUser, "unlicenseduser", resp.UnlicensedUser)
	}
	return &resp, nil
}

// SendText 以应用身份给成员 toUser（多个用 '|' 分隔）发文本消息。
func (c *Client) SendText(ctx context.Context, toUser, content string) error {
	_, err := c.send(ctx, sendBody{ToUser: toUser, MsgType: "text", Text: &textContent{content}})
	return err
}

// SendMarkdown 以应用身份发 markdown 消息。
func (c *Client) SendMarkdown(ctx context.Context, toUser, content string) error {
	_, err := c.send(ctx, sendBody{ToUser: toUser, MsgType: "markdown", Markdown: &textContent{content}})
	return err
}

// SendCard 发按钮交互型（CardType 为空时）或投票选择型模板卡片，返回用于
// UpdateCardButton 的 response_code（72 小时内有效，只能用一次）。
func (c *Client) SendCard(ctx context.Context, toUser string, card TemplateCard) (string, error) {
	if err := card.Validate(); err != nil {
		return "", fmt.Errorf("wecom message/send: template card: %w", err)
	}
	if card.CardType == "" {
		card.CardType = CardTypeButtonInteraction
	}
	resp, err := c.send(ctx, sendBody{ToUser: toUser, MsgType: "template_card", TemplateCard: &card})
	if err != nil {
		return "", err
	}
	return resp.ResponseCode, nil
}

type updateCardBody struct {
	UserIDs      []string `json:"userids"`
	AgentID      int      `json:"agentid"`
	ResponseCode string   `json:"response_code"`
	Button       struct {
		ReplaceName string `json:"replace_name"`
	} `json:"button"`
}

// UpdateCardButton 把 userIDs 收到的卡片（由 responseCode 指定）的按钮替换为不可点击的 replaceName 文案。
func (c *Client) UpdateCardButton(ctx context.Context, userIDs []string, responseCode, replaceName string) error {
	if len(userIDs) == 0 || responseCode == "" || replaceName == "" {
		return errors.New("wecom update_template_card: userids, response_code and replace_name are required")
	}
	if c.agentID == 0 {
		return errNoAgent
	}
	body := updateCardBody{UserIDs: userIDs, AgentID: c.agentID, ResponseCode: responseCode}
	body.Button.ReplaceName = replaceName
	return c.postJSON(ctx, pathUpdateCardButton, body, nil)
}
