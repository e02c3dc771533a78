package wecomtest

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/tagbot/tagbot/wecom/errcode"
)

// welcomeCodeTTL is how long an add_external_contact callback's
// WelcomeCode may be used (WeCom: 20 seconds, once).
const welcomeCodeTTL = 20 * time.Second

// ContactWayInfo is a 「联系我」 configured through add_contact_way.
type ContactWayInfo struct {
	ConfigID string
	Type     int // 1 单人, 2 多人
	Scene    int // 1 小程序, 2 二维码
	State    string
	Remark   string
	Users    []string
	QRCode   string
	Deleted  bool
}

// Welcome is a send_welcome_msg the fake accepted.
type Welcome struct {
	WelcomeCode    string
	ExternalUserID string
	UserID         string
	Text           string
	At             time.Time
}

// contactWayState is the fake's 「联系我」: the contact ways, the welcome
// codes its callbacks handed out and the welcome messages sent.
type contactWayState struct {
	ways     []*ContactWayInfo
	codes    map[string]*welcomeCode
	welcomes []Welcome
}

// welcomeCode is a WelcomeCode handed out by ScanContactWay.
type welcomeCode struct {
	externalUserID, userID string
	issued                 time.Time
	used                   bool
}

func (s *Server) addContactWay(req *apiRequest) (any, *apiError) {
	var in struct {
		Type   int      `json:"type"`
		Scene  int      `json:"scene"`
		Remark string   `json:"remark"`
		State  string   `json:"state"`
		User   []string `json:"user"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.Type != 1 && in.Type != 2:
		return nil, apiErr(errcode.InvalidParam, "missing contact way type")
	case in.Scene != 1 && in.Scene != 2:
		return nil, apiErr(errcode.InvalidParam, "invalid scene %d", in.Scene)
	case len(in.User) == 0 || (in.Type == 1 && len(in.User) != 1):
		return nil, apiErr(errcode.InvalidParam, "type %d needs %s user", in.Type, map[int]string{1: "exactly one", 2: "at least one"}[in.Type])
	case utf8.RuneCountInString(in.State) > 30:
		return nil, apiErr(errcode.InvalidParam, "state longer than 30 characters")
	case utf8.RuneCountInString(in.Remark) > 30:
		return nil, apiErr(errcode.InvalidParam, "remark longer than 30 characters")
	}
	for _, u := range in.User {
		if s.findUser(u) == nil {
			return nil, apiErr(errcode.UnknownUserID, "userid %q", u)
		}
	}
	id := s.nextID("cw")
	w := &ContactWayInfo{ConfigID: id, Type: in.Type, Scene: in.Scene, State: in.State, Remark: in.Remark,
		Users: slices.Clone(in.User), QRCode: "https://wework.qpic.cn/wwpic/" + id + "/0"}
	s.ways.ways = append(s.ways.ways, w)
	return struct {
		status
		ConfigID string `json:"config_id"`
		QRCode   string `json:"qr_code"`
	}{ok(), w.ConfigID, w.QRCode}, nil
}

func (s *Server) delContactWay(req *apiRequest) (any, *apiError) {
	var in struct {
		ConfigID string `json:"config_id"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	w := s.findWay(in.ConfigID)
	if w == nil {
		return nil, apiErr(errcode.InvalidParam, "invalid config_id %q", in.ConfigID)
	}
	w.Deleted = true
	return ok(), nil
}

func (s *Server) sendWelcomeMsg(req *apiRequest) (any, *apiError) {
	var in struct {
		WelcomeCode string `json:"welcome_code"`
		Text        struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if err := decodeBody(req.body, &in); err != nil {
		return nil, err
	}
	c := s.ways.codes[in.WelcomeCode]
	switch {
	case c == nil:
		return nil, apiErr(errcode.InvalidParam, "invalid welcome_code")
	case c.used || req.now.Sub(c.issued) > welcomeCodeTTL: // WeCom refuses a used or expired code; the fake answers 40058
		return nil, apiErr(errcode.InvalidParam, "welcome_code used or expired")
	case in.Text.Content == "" || len(in.Text.Content) > 4000:
		return nil, apiErr(errcode.EmptyContent, "text.content must be 1 to 4000 bytes")
	}
	c.used = true
	s.ways.welcomes = append(s.ways.welcomes, Welcome{WelcomeCode: in.WelcomeCode, ExternalUserID: c.externalUserID,
		UserID: c.userID, Text: in.Text.Content, At: req.now})
	return ok(), nil
}

func (s *Server) findWay(configID string) *ContactWayInfo {
	for _, w := range s.ways.ways {
		if w.ConfigID == configID && !w.Deleted {
			return w
		}
	}
	return nil
}

// ContactWays returns every contact way configured, deleted ones too.
func (s *Server) ContactWays() []ContactWayInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ContactWayInfo, len(s.ways.ways))
	for i, w := range s.ways.ways {
		out[i] = *w
		out[i].Users = slices.Clone(w.Users)
	}
	return out
}

// Welcomes returns the welcome messages sent, in order.
func (s *Server) Welcomes() []Welcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ways.welcomes)
}

// ScanContactWay is a customer scanning contact way configID's QR code:
// the customer (added if new, with name) is now followed by the way's
// first member with the way's state, and the plain inner XML of the
// add_external_contact callback WeCom sends for it is returned, with State
// and a fresh WelcomeCode (usable once, for 20 seconds): deliver it with
// Deliver.
func (s *Server) ScanContactWay(configID, externalUserID, name string) ([]byte, error) {
	s.mu.Lock()
	w := s.findWay(configID)
	if w == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("wecomtest: no contact way %q", configID)
	}
	userID, state := w.Users[0], w.State
	now := s.opts.Now()
	f := &follow{userID: userID, state: state, created: now.Unix(), addWay: 1, tags: map[string]bool{}}
	if c := s.findCustomer(externalUserID); c != nil {
		c.follows = append(slices.DeleteFunc(c.follows, func(old *follow) bool { return old.userID == userID }), f)
	} else {
		s.customer = append(s.customer, &customer{id: externalUserID, name: name, typ: 1, follows: []*follow{f}})
	}
	code := s.nextID("welcome")
	if s.ways.codes == nil {
		s.ways.codes = map[string]*welcomeCode{}
	}
	s.ways.codes[code] = &welcomeCode{externalUserID: externalUserID, userID: userID, issued: now}
	s.mu.Unlock()
	return s.CallbackEvent("sys", map[string]string{
		"Event": "change_external_contact", "ChangeType": "add_external_contact",
		"UserID": userID, "ExternalUserID": externalUserID, "State": state, "WelcomeCode": code,
	}), nil
}
