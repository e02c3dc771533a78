package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func validCard() TemplateCard {
	return TemplateCard{
		MainTitle: CardTitle{Title: "确认打标签", Desc: "客户 张三"},
		TaskID:    "op-123_abc@x",
		ButtonList: []CardButton{
			{Text: "确认", Style: 1, Key: "confirm:op-123"},
			{Text: "取消", Style: 2, Key: "cancel:op-123"},
		},
	}
}

func TestTemplateCardValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*TemplateCard)
		wantErr string
	}{
		{"valid", func(*TemplateCard) {}, ""},
		{"explicit type", func(c *TemplateCard) { c.CardType = CardTypeButtonInteraction }, ""},
		{"subtitle only", func(c *TemplateCard) { c.MainTitle = CardTitle{}; c.SubTitleText = "x" }, ""},
		{"url button", func(c *TemplateCard) {
			c.ButtonList = append(c.ButtonList, CardButton{Type: 1, Text: "看", URL: "https://x"})
		}, ""},
		{"other type", func(c *TemplateCard) { c.CardType = "text_notice" }, "card_type"},
		{"no title", func(c *TemplateCard) { c.MainTitle = CardTitle{} }, "main_title"},
		{"no task", func(c *TemplateCard) { c.TaskID = "" }, "task_id"},
		{"long task", func(c *TemplateCard) { c.TaskID = strings.Repeat("a", 129) }, "task_id"},
		{"bad task char", func(c *TemplateCard) { c.TaskID = "a b" }, "task_id"},
		{"no buttons", func(c *TemplateCard) { c.ButtonList = nil }, "button_list"},
		{"seven buttons", func(c *TemplateCard) {
			for i := 0; i < 5; i++ {
				c.ButtonList = append(c.ButtonList, CardButton{Text: "b", Key: strings.Repeat("k", i+1)})
			}
		}, "button_list"},
		{"dup key", func(c *TemplateCard) { c.ButtonList[1].Key = c.ButtonList[0].Key }, "duplicate"},
		{"empty key", func(c *TemplateCard) { c.ButtonList[1].Key = "" }, "key"},
		{"long key", func(c *TemplateCard) { c.ButtonList[1].Key = strings.Repeat("k", 1025) }, "key"},
		{"empty text", func(c *TemplateCard) { c.ButtonList[0].Text = "" }, "text"},
		{"url button without url", func(c *TemplateCard) { c.ButtonList[0].Type = 1 }, "url"},
		{"too many rows", func(c *TemplateCard) { c.HorizontalContentList = make([]HorizontalContent, 7) }, "horizontal"},
		{"vote", toVote, ""},
		{"vote with buttons", func(c *TemplateCard) { buttons := c.ButtonList; toVote(c); c.ButtonList = buttons }, "button_list is not allowed"},
		{"vote without options", func(c *TemplateCard) { toVote(c); c.Checkbox.OptionList = nil }, "option_list"},
		{"vote dup option", func(c *TemplateCard) { toVote(c); c.Checkbox.OptionList[1].ID = "a" }, "duplicate id"},
		{"vote without submit", func(c *TemplateCard) { toVote(c); c.SubmitButton = nil }, "submit_button"},
		{"vote without question", func(c *TemplateCard) { toVote(c); c.Checkbox.QuestionKey = "" }, "question_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCard()
			tt.mutate(&c)
			err := c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

// toVote turns validCard into a valid vote_interaction card.
func toVote(c *TemplateCard) {
	c.CardType, c.ButtonList = CardTypeVoteInteraction, nil
	c.Checkbox = &CardCheckbox{QuestionKey: "q", Mode: 1, OptionList: []CardOption{{ID: "a", Text: "甲", IsChecked: true}, {ID: "b", Text: "乙"}}}
	c.SubmitButton = &CardSubmit{Text: "提交", Key: "submit"}
}

func TestMessages(t *testing.T) {
	e := newEnv(t, wecomtest.Options{AgentID: 1000077}, nil)
	ctx := context.Background()
	e.s.AddUser("alice", "Alice")

	if err := e.c.SendText(ctx, "alice", "你好 <b>&"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.SendMarkdown(ctx, "alice", "**加粗**"); err != nil {
		t.Fatal(err)
	}
	card := validCard()
	card.SubTitleText = "请确认"
	card.HorizontalContentList = []HorizontalContent{{KeyName: "客户", Value: "张三"}}
	code, err := e.c.SendCard(ctx, "alice", card)
	if err != nil || code == "" {
		t.Fatalf("SendCard = %q, %v", code, err)
	}
	msgs := e.s.Messages()
	type msg struct{ MsgType, Text, ResponseCode string }
	var gotMsgs []msg
	for _, m := range msgs {
		gotMsgs = append(gotMsgs, msg{m.MsgType, m.Text, m.ResponseCode})
	}
	wantMsgs := []msg{{"text", "你好 <b>&", ""}, {"markdown", "**加粗**", ""}, {"template_card", msgs[2].Text, code}}
	if diff := cmp.Diff(wantMsgs, gotMsgs); diff != "" {
		t.Fatalf("messages (-want +got):\n%s", diff)
	}
	var sent struct {
		AgentID      json.Number `json:"agentid"`
		TemplateCard struct {
			CardType   string `json:"card_type"`
			TaskID     string `json:"task_id"`
			MainTitle  CardTitle
			ButtonList []CardButton        `json:"button_list"`
			Horizontal []HorizontalContent `json:"horizontal_content_list"`
			SubTitle   string              `json:"sub_title_text"`
		} `json:"template_card"`
	}
	dec := json.NewDecoder(bytes.NewReader(msgs[2].Raw))
	dec.UseNumber()
	if err := dec.Decode(&sent); err != nil {
		t.Fatal(err)
	}
	tc := sent.TemplateCard
	if got := sent.AgentID.String(); got != "1000077" {
		t.Errorf("card sent with agentid %s, want 1000077", got)
	}
	type cardView struct {
		CardType, TaskID, SubTitle string
		Buttons                    []CardButton
		Horizontal                 []HorizontalContent
	}
	wantCard := cardView{CardTypeButtonInteraction, card.TaskID, "请确认", card.ButtonList, card.HorizontalContentList}
	if diff := cmp.Diff(wantCard, cardView{tc.CardType, tc.TaskID, tc.SubTitle, tc.ButtonList, tc.Horizontal}); diff != "" {
		t.Fatalf("sent card (-want +got):\n%s", diff)
	}

	if err := e.c.UpdateCardButton(ctx, []string{"alice"}, code, "已确认"); err != nil {
		t.Fatal(err)
	}
	updates := e.s.CardUpdates()
	if len(updates) != 1 {
		t.Fatalf("card updates = %d", len(updates))
	}
	type button struct {
		ReplaceName string `json:"replace_name"`
	}
	type update struct {
		UserIDs      []string `json:"userids"`
		AgentID      int      `json:"agentid"`
		ResponseCode string   `json:"response_code"`
		Button       button   `json:"button"`
	}
	var upd update
	if err := json.Unmarshal(updates[0], &upd); err != nil {
		t.Fatal(err)
	}
	want := update{UserIDs: []string{"alice"}, AgentID: 1000077, ResponseCode: code, Button: button{ReplaceName: "已确认"}}
	if diff := cmp.Diff(want, upd); diff != "" {
		t.Fatalf("update body (-want +got):\n%s", diff)
	}

	if err := e.c.SendText(ctx, "ghost", "x"); Code(err) != errcode.AllInvalid || IsTransient(err) {
		t.Fatalf("send to unknown user: %v", err)
	}
}

// TestMessagesRefusedLocally: requests the client can tell are wrong never
// reach WeCom.
func TestMessagesRefusedLocally(t *testing.T) {
	ctx := context.Background()
	bad := validCard()
	bad.TaskID = "has space"
	tests := []struct {
		name    string
		noAgent bool // the client has no agent id
		call    func(c *Client) error
		want    error // nil: any error
	}{
		{"invalid card", false, func(c *Client) error { _, err := c.SendCard(ctx, "alice", bad); return err }, nil},
		{"update without users", false, func(c *Client) error { return c.UpdateCardButton(ctx, nil, "rc", "x") }, nil},
		{"send without recipient", false, func(c *Client) error { return c.SendText(ctx, "", "x") }, nil},
		{"send without agent id", true, func(c *Client) error { return c.SendText(ctx, "alice", "x") }, errNoAgent},
		{"update without agent id", true, func(c *Client) error { return c.UpdateCardButton(ctx, []string{"alice"}, "rc", "x") }, errNoAgent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, wecomtest.Options{}, func(c *Config) {
				if tt.noAgent {
					c.AgentID = 0
				}
			})
			e.s.AddUser("alice", "Alice")
			before := len(e.s.Calls())
			err := tt.call(e.c)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want an error (%v)", err, tt.want)
			}
			if n := len(e.s.Calls()) - before; n != 0 {
				t.Errorf("%d calls reached the server", n)
			}
		})
	}
}
