package wecomtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// KF errcodes the fake answers (微信客服).
const (
	kfInvalidToken  = 95007 // 不合法的 msgtoken
	kfInvalidCursor = 95008 // cursor 不合法（the fake's own choice of code）
)

// kfTokenTTL is how long a kf_msg_or_event callback's Token may be used.
const kfTokenTTL = 10 * time.Minute

// KFMessage is a 微信客服 message to seed with AddKFMessage.
type KFMessage struct {
	OpenKfID       string
	ExternalUserID string
	ServicerUserID string // origin 5: the 接待人员
	Origin         int    // 3 customer, 4 system event, 5 servicer
	MsgType        string // "text" when empty
	Text           string
	SendTime       int64 // Unix seconds; 0 means now
}

// kfState is the fake's 微信客服: the messages in arrival order, the
// tokens its callbacks handed out and the page size of sync_msg.
type kfState struct {
	msgs     []kfMsg
	tokens   map[string]time.Time // token → expiry
	pageSize int
}

// kfMsg is a stored KFMessage with its msgid.
type kfMsg struct {
	id string
	KFMessage
}

// AddKFMessage stores a 微信客服 message for kf/sync_msg and returns its msgid.
func (s *Server) AddKFMessage(m KFMessage) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.MsgType == "" {
		m.MsgType = "text"
	}
	if m.SendTime == 0 {
		m.SendTime = s.opts.Now().Unix()
	}
	id := s.nextID("kfmsg")
	s.kf.msgs = append(s.kf.msgs, kfMsg{id: id, KFMessage: m})
	return id
}

// SetKFPageSize makes kf/sync_msg return at most n messages a call (so
// tests see has_more); 0 restores WeCom's 1000.
func (s *Server) SetKFPageSize(n int) {
	s.mu.Lock()
	s.kf.pageSize = n
	s.mu.Unlock()
}

// CallbackKF returns the plain inner XML of a kf_msg_or_event callback for
// account openKfID with a fresh Token (valid for 10 minutes, as WeCom's):
// deliver it with Deliver. Like WeCom's, it has no FromUserName.
func (s *Server) CallbackKF(openKfID string) []byte {
	s.mu.Lock()
	token := s.nextID("kftoken")
	if s.kf.tokens == nil {
		s.kf.tokens = map[string]time.Time{}
	}
	now := s.opts.Now()
	s.kf.tokens[token] = now.Add(kfTokenTTL)
	s.mu.Unlock()
	var b xmlBuilder
	b.WriteString("<xml>")
	b.field("ToUserName", s.opts.CorpID)
	b.field("CreateTime", strconv.FormatInt(now.Unix(), 10))
	b.field("MsgType", "event")
	b.field("Event", "kf_msg_or_event")
	b.field("Token", token)
	b.field("OpenKfId", openKfID)
	b.WriteString("</xml>")
	return b.Bytes()
}

// kfSyncMsg serves POST kf/sync_msg: the messages after cursor (a position
// in the fake's list, "" = the start), of open_kfid if given, at most limit
// (and the page size), with next_cursor and has_more. A token, if sent,
// must come from a callback and be unexpired.
func (s *Server) kfSyncMsg(req *apiRequest) (any, *apiError) {
	var in struct {
		Cursor   string  `json:"cursor"`
		Token    string  `json:"token"`
		Limit    flexInt `json:"limit"`
		OpenKfID string  `json:"open_kfid"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	if exp, ok := s.kf.tokens[in.Token]; in.Token != "" && (!ok || req.now.After(exp)) {
		return nil, apiErr(kfInvalidToken, "invalid msg token")
	}
	pos := 0
	if in.Cursor != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.Cursor, "kfc"))
		if err != nil || !strings.HasPrefix(in.Cursor, "kfc") || n < 0 || n > len(s.kf.msgs) {
			return nil, apiErr(kfInvalidCursor, "invalid cursor")
		}
		pos = n
	}
	limit := int(in.Limit)
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if s.kf.pageSize > 0 {
		limit = min(limit, s.kf.pageSize)
	}
	list := []map[string]any{}
	for pos < len(s.kf.msgs) && len(list) < limit {
		m := s.kf.msgs[pos]
		pos++
		if in.OpenKfID != "" && m.OpenKfID != in.OpenKfID {
			continue
		}
		list = append(list, kfJSON(m))
	}
	hasMore := 0
	if pos < len(s.kf.msgs) {
		hasMore = 1
	}
	return struct {
		status
		NextCursor string           `json:"next_cursor"`
		HasMore    int              `json:"has_more"`
		MsgList    []map[string]any `json:"msg_list"`
	}{ok(), fmt.Sprintf("kfc%d", pos), hasMore, list}, nil
}

// kfJSON is a message as sync_msg lists it.
func kfJSON(m kfMsg) map[string]any {
	out := map[string]any{
		"msgid": m.id, "open_kfid": m.OpenKfID, "external_userid": m.ExternalUserID,
		"send_time": m.SendTime, "origin": m.Origin, "msgtype": m.MsgType,
	}
	if m.ServicerUserID != "" {
		out["servicer_userid"] = m.ServicerUserID
	}
	if m.MsgType == "text" {
		out["text"] = map[string]any{"content": m.Text}
	}
	return out
}
