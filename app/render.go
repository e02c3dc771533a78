package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// cardView is a template card as the demo shows it.
type cardView struct {
	TaskID       string
	ResponseCode string
	Title, Desc  string
	Sub          string
	Lines        []string
	Buttons      []struct{ Key, Text string }
	// Choices are a vote_interaction card's options (Buttons then holds
	// its submit button); QuestionKey is the checkbox's key.
	Choices     []struct{ ID, Text string }
	QuestionKey string
}

// parseCard reads the template_card of a message/send body.
func parseCard(m wecomtest.Message) (cardView, bool) {
	var body struct {
		Card struct {
			TaskID    string `json:"task_id"`
			MainTitle struct {
				Title string `json:"title"`
				Desc  string `json:"desc"`
			} `json:"main_title"`
			SubTitle   string `json:"sub_title_text"`
			Horizontal []struct {
				Key   string `json:"keyname"`
				Value string `json:"value"`
			} `json:"horizontal_content_list"`
			Buttons []struct {
				Text string `json:"text"`
				Key  string `json:"key"`
			} `json:"button_list"`
			Checkbox struct {
				QuestionKey string `json:"question_key"`
				Options     []struct {
					ID   string `json:"id"`
					Text string `json:"text"`
				} `json:"option_list"`
			} `json:"checkbox"`
			Submit *struct {
				Text string `json:"text"`
				Key  string `json:"key"`
			} `json:"submit_button"`
		} `json:"template_card"`
	}
	if err := json.Unmarshal(m.Raw, &body); err != nil {
		return cardView{}, false
	}
	c := body.Card
	v := cardView{TaskID: c.TaskID, ResponseCode: m.ResponseCode, Title: c.MainTitle.Title, Desc: c.MainTitle.Desc, Sub: c.SubTitle}
	for _, h := range c.Horizontal {
		v.Lines = append(v.Lines, strings.TrimSpace(h.Key+" "+h.Value))
	}
	for _, b := range c.Buttons {
		v.Buttons = append(v.Buttons, struct{ Key, Text string }{b.Key, b.Text})
	}
	if c.Submit != nil {
		v.Buttons = append(v.Buttons, struct{ Key, Text string }{c.Submit.Key, c.Submit.Text})
		v.QuestionKey = c.Checkbox.QuestionKey
		for _, o := range c.Checkbox.Options {
			v.Choices = append(v.Choices, struct{ ID, Text string }{o.ID, o.Text})
		}
	}
	return v, true
}

// String renders a card as text with numbered buttons, each field cut to
// the length WeCom shows (display.CardTitleRunes and the others), as the
// bot cuts what it sends.
func (v cardView) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "┌ %s\n", display.Line(v.Title, display.CardTitleRunes))
	if desc := display.Line(v.Desc, display.CardDescRunes); desc != "" {
		fmt.Fprintf(&b, "│ %s\n", desc)
	}
	left := display.CardSubTitleRunes
	for _, line := range strings.Split(v.Sub, "\n") {
		if left < 2 {
			break
		}
		if line = display.Line(line, left); line != "" {
			fmt.Fprintf(&b, "│ %s\n", line)
			left -= len([]rune(line)) + 1
		}
	}
	for _, l := range v.Lines {
		fmt.Fprintf(&b, "│ %s\n", display.Line(l, display.CardKeyNameRunes+1+display.CardValueRunes))
	}
	if len(v.Choices) > 0 {
		var opts []string
		for i, o := range v.Choices {
			opts = append(opts, fmt.Sprintf("[%d] ☑ %s", i+1, display.Line(o.Text, display.CardValueRunes)))
		}
		submit := ""
		if len(v.Buttons) > 0 {
			submit = display.Line(v.Buttons[0].Text, display.CardButtonRunes)
		}
		fmt.Fprintf(&b, "│ %s\n", strings.Join(opts, "  "))
		fmt.Fprintf(&b, "└ [%s]   （/click 1 2 只提交勾选的编号；/click 0 一个都不勾）", submit)
		return b.String()
	}
	var btns []string
	for i, bt := range v.Buttons {
		btns = append(btns, fmt.Sprintf("[%d] %s", i+1, display.Line(bt.Text, display.CardButtonRunes)))
	}
	fmt.Fprintf(&b, "└ %s   （/click 编号）", strings.Join(btns, "  "))
	return b.String()
}

// render shows the messages WeCom received since the last call, remembering
// the last card of each user for /click.
func (d *DemoBot) render() string {
	all := d.Fake.Messages()
	var out []string
	for _, m := range all[d.msgs:] {
		text := m.Text
		if m.MsgType == "template_card" {
			if v, ok := parseCard(m); ok {
				for _, u := range strings.Split(m.ToUser, "|") {
					d.cards[u] = v
				}
				text = v.String()
			}
		}
		if m.MsgType == "image" || m.MsgType == "file" {
			text = d.saveMedia(m)
		}
		text = display.Reply(text)
		if m.ToUser != d.User {
			text = fmt.Sprintf("[发给 %s] %s", display.Name(m.ToUser), text)
		}
		out = append(out, text)
	}
	d.msgs = len(all)
	return strings.Join(out, "\n")
}

// saveMedia writes an image or file message's bytes to a temp file, kept
// after the demo ends so it can be opened, and says where: the demo's
// stand-in for showing it.
func (d *DemoBot) saveMedia(m wecomtest.Message) string {
	kind := "图片"
	if m.MsgType == "file" {
		kind = "文件"
	}
	md, ok := d.Fake.Media(m.MediaID)
	if !ok {
		return fmt.Sprintf("[%s：企业微信里找不到 %s]", kind, m.MediaID)
	}
	f, err := os.CreateTemp("", "tagbot-demo-*-"+strings.ReplaceAll(filepath.Base(md.Name), "*", "_"))
	if err == nil {
		_, err = f.Write(md.Data)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		return fmt.Sprintf("[%s %s 未能写出：%v]", kind, md.Name, err)
	}
	return fmt.Sprintf("[%s] %s", kind, f.Name())
}
