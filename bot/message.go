package bot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrMalformed means a decrypted callback is not a usable WeCom message:
// not <xml>…</xml>, too deep, or missing FromUserName, MsgType, CreateTime
// or (for events) Event.
var ErrMalformed = errors.New("malformed callback message")

// Limits on the inner XML, far above anything WeCom sends.
const (
	maxXMLDepth    = 8
	maxXMLElements = 256
)

// Message is the decrypted inner XML of a callback (接收消息与事件): a member's
// message to the app or an event. Only the fields tagbot uses are kept.
type Message struct {
	ToUserName   string
	FromUserName string // member userid, or "sys" for customer-contact events
	CreateTime   int64
	MsgType      string // text, image, …, or event
	Content      string // text messages
	MsgID        string // MsgId of messages (a 64-bit number kept as text)
	AgentID      string
	Event        string // enter_agent, template_card_event, change_external_contact, …
	EventKey     string // template_card_event: the clicked button's key
	TaskID       string // template_card_event: TaskId of the card
	CardType     string // template_card_event
	ResponseCode string // template_card_event: code for update_template_card
	ChangeType   string // change_external_contact / change_external_tag
	UserID       string // change_external_contact: the follow member
	ExternalUser string // change_external_contact: ExternalUserID
	TagID        string // change_external_tag: Id of the tag or group
	TagType      string // change_external_tag: tag or tag_group
	KFToken      string // kf_msg_or_event: Token for kf/sync_msg
	OpenKfID     string // kf_msg_or_event: OpenKfId, the 客服账号 with news
	State        string // add_external_contact: the 「联系我」 state the customer came through
	WelcomeCode  string // add_external_contact: code for send_welcome_msg (20 s, once)
	// Selected are the option ids ticked on a vote_interaction or
	// multiple_interaction card (SelectedItems/SelectedItem/OptionIds).
	Selected []string
}

// cardFields may be nested below the root in some event variants; the first
// occurrence at any depth is used when the root has none.
var cardFields = map[string]bool{"EventKey": true, "TaskId": true, "CardType": true, "ResponseCode": true}

// ParseMessage parses the decrypted inner XML of a callback. It never panics;
// every failure wraps ErrMalformed.
func ParseMessage(body []byte) (Message, error) {
	top, nested, err := leafFields(body)
	if err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for k, v := range nested {
		if _, ok := top[k]; !ok && cardFields[k] {
			top[k] = v
		}
	}
	m := Message{
		ToUserName:   top["ToUserName"],
		FromUserName: top["FromUserName"],
		MsgType:      top["MsgType"],
		Content:      top["Content"],
		MsgID:        top["MsgId"],
		AgentID:      top["AgentID"],
		Event:        top["Event"],
		EventKey:     top["EventKey"],
		TaskID:       top["TaskId"],
		CardType:     top["CardType"],
		ResponseCode: top["ResponseCode"],
		ChangeType:   top["ChangeType"],
		UserID:       top["UserID"],
		ExternalUser: top["ExternalUserID"],
		TagID:        top["Id"],
		TagType:      top["TagType"],
		KFToken:      top["Token"],
		OpenKfID:     top["OpenKfId"],
		State:        top["State"],
		WelcomeCode:  top["WelcomeCode"],
	}
	if m.FromUserName == "" && m.Event == EventKF {
		m.FromUserName = "sys" // 微信客服 callbacks name no sender
	}
	ct := top["CreateTime"]
	if ct == "" {
		return Message{}, fmt.Errorf("%w: no CreateTime", ErrMalformed)
	}
	if m.CreateTime, err = strconv.ParseInt(ct, 10, 64); err != nil || m.CreateTime < 0 {
		return Message{}, fmt.Errorf("%w: bad CreateTime", ErrMalformed)
	}
	if m.FromUserName == "" || m.MsgType == "" {
		return Message{}, fmt.Errorf("%w: no FromUserName or MsgType", ErrMalformed)
	}
	if m.MsgType == "event" && m.Event == "" {
		return Message{}, fmt.Errorf("%w: event without Event", ErrMalformed)
	}
	if m.Event == "template_card_event" {
		m.Selected = selectedOptions(body)
	}
	// Identifiers end up in store keys; WeCom never sends control characters in them.
	for _, id := range []string{m.FromUserName, m.MsgType, m.MsgID, m.Event, m.ChangeType,
		m.UserID, m.ExternalUser, m.TagID, m.TagType, m.TaskID, m.KFToken, m.OpenKfID, m.State, m.WelcomeCode} {
		if hasControl(id) {
			return Message{}, fmt.Errorf("%w: control character in an identifier", ErrMalformed)
		}
	}
	return m, nil
}

// selectedOptions reads the ticked option ids of a card event:
//
//	<SelectedItems><SelectedItem><QuestionKey>…</QuestionKey>
//	  <OptionIds><OptionId>…</OptionId>…</OptionIds></SelectedItem>…</SelectedItems>
//
// nil when there are none (or the XML has no such part).
func selectedOptions(body []byte) []string {
	var v struct {
		Items []struct {
			OptionIDs []string `xml:"OptionIds>OptionId"`
		} `xml:"SelectedItems>SelectedItem"`
	}
	if err := xml.Unmarshal(body, &v); err != nil {
		return nil
	}
	var out []string
	for _, it := range v.Items {
		for _, id := range it.OptionIDs {
			if id = strings.TrimSpace(id); id != "" && !hasControl(id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// leafFields walks the XML and returns the text of the root's child elements
// (top) and of deeper elements (nested, first occurrence wins). Values are
// trimmed except Content.
func leafFields(body []byte) (top, nested map[string]string, err error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	top, nested = map[string]string{}, map[string]string{}
	var (
		stack    []string
		text     strings.Builder
		elements int
		rootSeen bool
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if rootSeen {
					return nil, nil, errors.New("more than one root element")
				}
				if t.Name.Local != "xml" {
					return nil, nil, fmt.Errorf("root element is <%s>, want <xml>", t.Name.Local)
				}
				rootSeen = true
			}
			if elements++; elements > maxXMLElements {
				return nil, nil, errors.New("too many elements")
			}
			if len(stack) >= maxXMLDepth {
				return nil, nil, errors.New("nested too deep")
			}
			stack = append(stack, t.Name.Local)
			text.Reset()
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, nil, errors.New("text outside the root element")
			}
			text.Write(t)
		case xml.EndElement:
			name := stack[len(stack)-1]
			v := text.String()
			if name != "Content" {
				v = strings.TrimSpace(v)
			}
			switch {
			case len(stack) == 2:
				top[name] = v
			case len(stack) > 2:
				if _, ok := nested[name]; !ok {
					nested[name] = v
				}
			}
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}
	if !rootSeen {
		return nil, nil, errors.New("no root element")
	}
	return top, nested, nil
}

// hasControl reports whether s contains an ASCII control character.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// DedupKey is the inbox dedup key of m: "msg:<MsgId>" for messages, and
// "ev:<FromUserName>:<CreateTime>:<Event>[:<ChangeType>]" followed by the
// event's subject (ExternalUserID and UserID, TagType and Id, or TaskId and
// EventKey) for events, so WeCom's retries of one callback collapse to one.
func (m Message) DedupKey() string {
	if m.MsgType != "event" && m.MsgID != "" {
		return "msg:" + m.MsgID
	}
	ev := m.Event
	if m.MsgType != "event" {
		ev = m.MsgType
	}
	parts := []string{"ev", m.FromUserName, strconv.FormatInt(m.CreateTime, 10), ev}
	if m.ChangeType != "" {
		parts = append(parts, m.ChangeType)
	}
	switch m.Event {
	case EventExternalContact:
		parts = append(parts, m.ExternalUser, m.UserID)
	case EventExternalTag:
		parts = append(parts, m.TagType, m.TagID)
	case EventTemplateCard:
		parts = append(parts, m.TaskID, m.EventKey)
	case EventKF:
		parts = append(parts, m.OpenKfID, m.KFToken)
	}
	return strings.Join(parts, ":")
}
