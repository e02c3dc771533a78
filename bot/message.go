package bot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/internal/flatxml"
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

// flatFields is how many children of the root ParseMessage reads without
// allocating for them; WeCom's callbacks have at most about 12.
const flatFields = 16

// ParseMessage parses the decrypted inner XML of a callback. It never panics;
// every failure wraps ErrMalformed. Flat messages (most of WeCom's) are
// read through flatxml, the rest through encoding/xml; both read a message
// the same way.
func ParseMessage(body []byte) (Message, error) {
	var buf [flatFields]flatxml.Field
	l, err := readLeaves(body, buf[:0])
	if err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return messageOf(body, l)
}

// messageOf makes the message whose elements l holds (read from body).
func messageOf(body []byte, l leaves) (m Message, err error) {
	m = Message{
		ToUserName:   l.get("ToUserName"),
		FromUserName: l.get("FromUserName"),
		MsgType:      l.get("MsgType"),
		Content:      l.get("Content"),
		MsgID:        l.get("MsgId"),
		AgentID:      l.get("AgentID"),
		Event:        l.get("Event"),
		EventKey:     l.get("EventKey"),
		TaskID:       l.get("TaskId"),
		CardType:     l.get("CardType"),
		ResponseCode: l.get("ResponseCode"),
		ChangeType:   l.get("ChangeType"),
		UserID:       l.get("UserID"),
		ExternalUser: l.get("ExternalUserID"),
		TagID:        l.get("Id"),
		TagType:      l.get("TagType"),
		KFToken:      l.get("Token"),
		OpenKfID:     l.get("OpenKfId"),
		State:        l.get("State"),
		WelcomeCode:  l.get("WelcomeCode"),
	}
	if m.FromUserName == "" && m.Event == EventKF {
		m.FromUserName = "sys" // 微信客服 callbacks name no sender
	}
	ct := l.get("CreateTime")
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

// leaves are the texts of a message's elements, trimmed except Content:
// top holds the root's children and nested the deeper elements, each in
// document order.
type leaves struct{ top, nested []flatxml.Field }

// get is the text of element name: the last child of the root so named;
// for a card field (cardFields) the root has none of, the first so named
// at any depth; else "".
func (l leaves) get(name string) string {
	for i := len(l.top) - 1; i >= 0; i-- {
		if l.top[i].Name == name {
			return l.top[i].Value
		}
	}
	if cardFields[name] {
		for _, f := range l.nested {
			if f.Name == name {
				return f.Value
			}
		}
	}
	return ""
}

// readLeaves reads body's elements through flatxml into buf when the
// message is flat and within maxXMLElements, else through leafFields.
func readLeaves(body []byte, buf []flatxml.Field) (leaves, error) {
	top, ok := flatxml.Parse(body, "xml", buf)
	if !ok || len(top) >= maxXMLElements { // the root counts as one
		return leafFields(body)
	}
	for i := range top {
		if top[i].Name != "Content" {
			top[i].Value = strings.TrimSpace(top[i].Value)
		}
	}
	return leaves{top: top}, nil
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

// leafFields reads any message with encoding/xml: the root must be <xml>,
// at most maxXMLDepth deep with maxXMLElements elements, and nothing but
// whitespace outside it. An element's text is what follows its start tag
// or the end of its last child element, up to its end tag.
func leafFields(body []byte) (leaves, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var (
		l        leaves
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
			return leaves{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if rootSeen {
					return leaves{}, errors.New("more than one root element")
				}
				if t.Name.Local != "xml" {
					return leaves{}, fmt.Errorf("root element is <%s>, want <xml>", t.Name.Local)
				}
				rootSeen = true
			}
			if elements++; elements > maxXMLElements {
				return leaves{}, errors.New("too many elements")
			}
			if len(stack) >= maxXMLDepth {
				return leaves{}, errors.New("nested too deep")
			}
			stack = append(stack, t.Name.Local)
			text.Reset()
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return leaves{}, errors.New("text outside the root element")
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
				l.top = append(l.top, flatxml.Field{Name: name, Value: v})
			case len(stack) > 2:
				l.nested = append(l.nested, flatxml.Field{Name: name, Value: v})
			}
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}
	if !rootSeen {
		return leaves{}, errors.New("no root element")
	}
	return l, nil
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
