package wecomtest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// Message is one accepted message/send call.
type Message struct {
	// ToUser is the touser field as sent ("a|b" or "@all").
	ToUser string
	// MsgType is text, markdown, template_card, image or file.
	MsgType string
	// Text is the text or markdown content, or the card's main title and
	// description joined by a newline.
	Text string
	// MediaID is the media_id of an image or file message (see Server.Media).
	MediaID string
	// MsgID is the msgid answered.
	MsgID string
	// ResponseCode is the response_code answered for interactive cards.
	ResponseCode string
	// Raw is the request body.
	Raw json.RawMessage
}

// interactiveCards are the template_card types whose send answers a
// response_code (按钮交互型、投票选择型、多项选择型).
var interactiveCards = map[string]bool{
	"button_interaction":   true,
	"vote_interaction":     true,
	"multiple_interaction": true,
}

// checkAgent validates an agentid against the configured app.
func (s *Server) checkAgent(id flexInt) *apiError {
	switch {
	case id == 0:
		return apiErr(errcode.MissingAgentID, "")
	case int64(id) != int64(s.opts.AgentID):
		return apiErr(errcode.InvalidAgentID, "agentid %d", id)
	}
	return nil
}

// sendMessage serves POST message/send for text, markdown, template_card,
// image and file messages to members (image and file need a media_id of
// that type from media/upload, at most MediaTTL old). Unknown members are reported in
// invaliduser (lower-cased); if nobody valid remains it answers 81013.
// Departments and member tags are not modelled and always invalid.
func (s *Server) sendMessage(req *apiRequest) (any, *apiError) {
	var in struct {
		ToUser  string  `json:"touser"`
		ToParty string  `json:"toparty"`
		ToTag   string  `json:"totag"`
		MsgType string  `json:"msgtype"`
		AgentID flexInt `json:"agentid"`
		Text    *struct {
			Content string `json:"content"`
		} `json:"text"`
		Markdown *struct {
			Content string `json:"content"`
		} `json:"markdown"`
		Image *struct {
			MediaID string `json:"media_id"`
		} `json:"image"`
		File *struct {
			MediaID string `json:"media_id"`
		} `json:"file"`
		TemplateCard *struct {
			CardType  string `json:"card_type"`
			MainTitle struct {
				Title string `json:"title"`
				Desc  string `json:"desc"`
			} `json:"main_title"`
		} `json:"template_card"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	if err := s.checkAgent(in.AgentID); err != nil {
		return nil, err
	}
	msg := Message{ToUser: in.ToUser, MsgType: in.MsgType, Raw: json.RawMessage(append([]byte(nil), req.body...))}
	switch in.MsgType {
	case "text":
		if in.Text == nil || in.Text.Content == "" {
			return nil, apiErr(errcode.EmptyContent, "")
		}
		msg.Text = in.Text.Content
	case "markdown":
		if in.Markdown == nil || in.Markdown.Content == "" {
			return nil, apiErr(errcode.EmptyContent, "markdown content empty")
		}
		msg.Text = in.Markdown.Content
	case "template_card":
		if in.TemplateCard == nil || in.TemplateCard.CardType == "" {
			return nil, apiErr(errcode.InvalidParam, "template_card.card_type missing")
		}
		var parts []string
		for _, p := range []string{in.TemplateCard.MainTitle.Title, in.TemplateCard.MainTitle.Desc} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		msg.Text = strings.Join(parts, "\n")
	case "image", "file":
		media := in.Image
		if in.MsgType == "file" {
			media = in.File
		}
		if media == nil || media.MediaID == "" {
			return nil, apiErr(errcode.InvalidMediaID, "%s.media_id missing", in.MsgType)
		}
		if err := s.mediaFor(media.MediaID, in.MsgType, req.now); err != nil {
			return nil, err
		}
		msg.MediaID = media.MediaID
	default:
		return nil, apiErr(errcode.InvalidMsgType, "msgtype %q is not supported by the fake", in.MsgType)
	}
	if in.ToUser == "" && in.ToParty == "" && in.ToTag == "" {
		return nil, apiErr(errcode.NoRecipient, "")
	}

	var valid, invalid []string
	if in.ToUser == "@all" {
		for _, u := range s.users {
			valid = append(valid, u.id)
		}
	} else {
		for _, id := range splitIDs(in.ToUser) {
			if s.findUser(id) != nil {
				valid = append(valid, id)
			} else {
				invalid = append(invalid, strings.ToLower(id))
			}
		}
	}
	if len(valid) == 0 {
		return nil, apiErr(errcode.AllInvalid, "")
	}

	s.seq++
	msg.MsgID = fmt.Sprintf("wecomtest-msg-%06d", s.seq)
	if in.MsgType == "template_card" && interactiveCards[in.TemplateCard.CardType] {
		msg.ResponseCode = fmt.Sprintf("wecomtest-rc-%06d-%08x", s.seq, s.rng.Uint32())
	}
	s.messages = append(s.messages, msg)
	return struct {
		status
		InvalidUser    string `json:"invaliduser"`
		InvalidParty   string `json:"invalidparty"`
		InvalidTag     string `json:"invalidtag"`
		UnlicensedUser string `json:"unlicenseduser"`
		MsgID          string `json:"msgid"`
		ResponseCode   string `json:"response_code,omitempty"`
	}{ok(), strings.Join(invalid, "|"), in.ToParty, in.ToTag, "", msg.MsgID, msg.ResponseCode}, nil
}

// splitIDs splits a "a|b|c" recipient list, dropping empty entries.
func splitIDs(s string) []string {
	var out []string
	for _, id := range strings.Split(s, "|") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// updateTemplateCard serves POST message/update_template_card: it needs the
// app's agentid, a response_code and either button.replace_name or a
// template_card. The body is recorded for CardUpdates.
func (s *Server) updateTemplateCard(req *apiRequest) (any, *apiError) {
	var in struct {
		UserIDs      []string `json:"userids"`
		AgentID      flexInt  `json:"agentid"`
		ResponseCode string   `json:"response_code"`
		Button       *struct {
			ReplaceName string `json:"replace_name"`
		} `json:"button"`
		TemplateCard json.RawMessage `json:"template_card"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	if err := s.checkAgent(in.AgentID); err != nil {
		return nil, err
	}
	if in.ResponseCode == "" {
		return nil, apiErr(errcode.InvalidParam, "response_code missing")
	}
	hasCard := len(in.TemplateCard) > 0 && string(in.TemplateCard) != "null"
	hasButton := in.Button != nil && in.Button.ReplaceName != ""
	if !hasCard && !hasButton {
		return nil, apiErr(errcode.InvalidParam, "need button.replace_name or template_card")
	}
	invalid := []string{}
	for _, id := range in.UserIDs {
		if s.findUser(id) == nil {
			invalid = append(invalid, id)
		}
	}
	s.cards = append(s.cards, json.RawMessage(append([]byte(nil), req.body...)))
	return struct {
		status
		InvalidUser []string `json:"invaliduser"`
	}{ok(), invalid}, nil
}

// Messages returns every accepted message/send call, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// CardUpdates returns the body of every accepted update_template_card call.
func (s *Server) CardUpdates() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.cards...)
}
