package wecomtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// plainFields are inner-XML fields WeCom writes without CDATA.
var plainFields = map[string]bool{"CreateTime": true, "AgentID": true, "MsgId": true}

// xmlBuilder writes WeCom-style callback XML.
type xmlBuilder struct{ bytes.Buffer }

// field writes <name>value</name>, as CDATA unless name is a numeric field.
func (b *xmlBuilder) field(name, value string) {
	if plainFields[name] && isDigits(value) {
		b.WriteString("<" + name + ">" + value + "</" + name + ">")
		return
	}
	b.WriteString("<" + name + "><![CDATA[")
	b.WriteString(strings.ReplaceAll(value, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></" + name + ">")
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CallbackText returns the plain inner XML of a text message that member
// fromUser sent to the app (接收普通消息 / 文本消息).
func (s *Server) CallbackText(fromUser, content, msgID string) []byte {
	var b xmlBuilder
	b.WriteString("<xml>")
	b.field("ToUserName", s.opts.CorpID)
	b.field("FromUserName", fromUser)
	b.field("CreateTime", strconv.FormatInt(s.opts.Now().Unix(), 10))
	b.field("MsgType", "text")
	b.field("Content", content)
	b.field("MsgId", msgID)
	b.field("AgentID", strconv.Itoa(s.opts.AgentID))
	b.WriteString("</xml>")
	return b.Bytes()
}

// CallbackEvent returns the plain inner XML of an event (接收事件) from
// fromUser ("sys" for customer-contact events). fields holds the event's
// own elements, e.g. Event, ChangeType, UserID, ExternalUserID, EventKey,
// TaskId, CardType, ResponseCode, Id, TagType; ToUserName, CreateTime,
// MsgType and AgentID are filled in unless given.
func (s *Server) CallbackEvent(fromUser string, fields map[string]string) []byte {
	all := map[string]string{
		"ToUserName":   s.opts.CorpID,
		"FromUserName": fromUser,
		"CreateTime":   strconv.FormatInt(s.opts.Now().Unix(), 10),
		"MsgType":      "event",
		"AgentID":      strconv.Itoa(s.opts.AgentID),
	}
	for k, v := range fields {
		all[k] = v
	}
	head := []string{"ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "ChangeType"}
	var rest []string
	for k := range all {
		if !contains(head, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	var b xmlBuilder
	b.WriteString("<xml>")
	for _, k := range append(head, rest...) {
		if v, ok := all[k]; ok {
			b.field(k, v)
		}
	}
	b.WriteString("</xml>")
	return b.Bytes()
}

// CallbackCardSubmit returns the plain inner XML of a template_card_event
// for a vote_interaction card submitted by fromUser: the submit button's
// key, the card's task id and response code, and the ticked options of
// question questionKey as SelectedItems (投票选择型模版卡片的事件):
//
//	<SelectedItems><SelectedItem><QuestionKey/>
//	  <OptionIds><OptionId/>…</OptionIds></SelectedItem></SelectedItems>
func (s *Server) CallbackCardSubmit(fromUser, taskID, key, responseCode, questionKey string, optionIDs []string) []byte {
	inner := s.CallbackEvent(fromUser, map[string]string{
		"Event": "template_card_event", "CardType": "vote_interaction",
		"EventKey": key, "TaskId": taskID, "ResponseCode": responseCode,
	})
	var b xmlBuilder
	b.Write(bytes.TrimSuffix(inner, []byte("</xml>")))
	b.WriteString("<SelectedItems><SelectedItem>")
	b.field("QuestionKey", questionKey)
	b.WriteString("<OptionIds>")
	for _, id := range optionIDs {
		b.field("OptionId", id)
	}
	b.WriteString("</OptionIds></SelectedItem></SelectedItems></xml>")
	return b.Bytes()
}

// contains reports whether list has s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Deliver encrypts innerXML with the configured Token/EncodingAESKey/CorpID
// and POSTs it to callbackURL as WeCom does: the envelope
// <xml><ToUserName/><AgentID/><Encrypt/></xml> with msg_signature,
// timestamp and nonce in the query. The caller closes the response body.
func (s *Server) Deliver(ctx context.Context, callbackURL string, innerXML []byte) (*http.Response, error) {
	encrypt, err := s.crypto.Seal(innerXML)
	if err != nil {
		return nil, fmt.Errorf("wecomtest: deliver: %w", err)
	}
	var b xmlBuilder
	b.WriteString("<xml>")
	b.field("ToUserName", s.opts.CorpID)
	b.field("Encrypt", encrypt)
	b.field("AgentID", strconv.Itoa(s.opts.AgentID))
	b.WriteString("</xml>")
	u, err := s.signedURL(callbackURL, encrypt, nil)
	if err != nil {
		return nil, fmt.Errorf("wecomtest: deliver: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("wecomtest: deliver: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("wecomtest: deliver: %w", err)
	}
	return resp, nil
}

// VerifyURL performs the GET URL verification WeCom runs when a callback
// URL is saved (验证URL有效性): a random echostr is encrypted and signed,
// and the answer must be its plaintext, status 200.
func (s *Server) VerifyURL(ctx context.Context, callbackURL string) error {
	s.mu.Lock()
	plain := strconv.FormatUint(s.rng.Uint64(), 10)
	s.mu.Unlock()
	echostr, err := s.crypto.Seal([]byte(plain))
	if err != nil {
		return fmt.Errorf("wecomtest: verify url: %w", err)
	}
	u, err := s.signedURL(callbackURL, echostr, url.Values{"echostr": {echostr}})
	if err != nil {
		return fmt.Errorf("wecomtest: verify url: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("wecomtest: verify url: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("wecomtest: verify url: %w", err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return fmt.Errorf("wecomtest: verify url: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK || string(got) != plain {
		return fmt.Errorf("wecomtest: verify url: answer %d %q, want 200 %q", resp.StatusCode, got, plain)
	}
	return nil
}

// signedURL adds msg_signature, timestamp, nonce (and extra) to base.
func (s *Server) signedURL(base, encrypt string, extra url.Values) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	nonce := strconv.FormatUint(uint64(s.rng.Uint32()), 10)
	s.mu.Unlock()
	ts := strconv.FormatInt(s.opts.Now().Unix(), 10)
	q := u.Query()
	q.Set("msg_signature", s.crypto.Signature(ts, nonce, encrypt))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	for k, v := range extra {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
